/**
 * Backtest results kept on disk, one JSON file per run under a results folder, so the admin plane
 * and other tools can list and read them by id.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SessionSummary } from "./summary.ts";
import type { TearsheetData } from "./tearsheet/data.ts";

/** One stored backtest result. */
export interface BacktestResult {
  readonly id: string;
  readonly deployment: string;
  readonly configFile: string;
  /** Wall-clock time the run finished, ISO 8601. */
  readonly finishedAt: string;
  readonly summary: SessionSummary;
  /** Curves, fills and breakdowns for the tearsheet (results stored before it existed lack it). */
  readonly tearsheet?: TearsheetData;
}

/** Default folder of results (relative to the working directory). */
export const DEFAULT_RESULTS_DIR = "var/backtests";

const ID = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/;

/** A result with its id (`<UTC time>-<first 8 hex of the fills hash>`), not yet written. */
export function makeBacktestResult(deployment: string, configFile: string, summary: SessionSummary, now = new Date(), tearsheet?: TearsheetData): BacktestResult {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const id = `${stamp}-${summary.fillsHash.slice(0, 8)}`;
  return { id, deployment, configFile, finishedAt: now.toISOString(), summary, ...(tearsheet === undefined ? {} : { tearsheet }) };
}

/**
 * Writes a result to `<dir>/<id>.json`, its tearsheet (curves and fills, the bulk) apart in
 * `<dir>/<id>.tearsheet.json` so that listing results reads only the small files.
 */
export function writeBacktestResult(dir: string, result: BacktestResult): void {
  mkdirSync(dir, { recursive: true });
  const { tearsheet, ...head } = result;
  if (tearsheet !== undefined) writeFileSync(join(dir, `${result.id}.tearsheet.json`), `${JSON.stringify(tearsheet)}\n`);
  writeFileSync(join(dir, `${result.id}.json`), `${JSON.stringify(head)}\n`);
}

/** Writes a result and returns its id (`<UTC time>-<first 8 hex of the fills hash>`). */
export function saveBacktestResult(dir: string, deployment: string, configFile: string, summary: SessionSummary, now = new Date(), tearsheet?: TearsheetData): string {
  const result = makeBacktestResult(deployment, configFile, summary, now, tearsheet);
  writeBacktestResult(dir, result);
  return result.id;
}

/** Ids of the stored results, newest first. */
export function listBacktestResults(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".json") && ID.test(n.slice(0, -5)))
    .map((n) => n.slice(0, -5))
    .sort()
    .reverse();
}

/**
 * A stored result by id, or undefined (ids are checked, so no path can escape the folder); with
 * its tearsheet when one was stored, unless `withTearsheet` is false.
 */
export function readBacktestResult(dir: string, id: string, withTearsheet = true): BacktestResult | undefined {
  if (!ID.test(id)) return undefined;
  let result: BacktestResult;
  try {
    result = JSON.parse(readFileSync(join(dir, `${id}.json`), "utf8")) as BacktestResult;
  } catch {
    return undefined;
  }
  if (!withTearsheet || result.tearsheet !== undefined) return result;
  try {
    return { ...result, tearsheet: JSON.parse(readFileSync(join(dir, `${id}.tearsheet.json`), "utf8")) as TearsheetData };
  } catch {
    // No tearsheet stored (an older result) or an unreadable one: the result stands without it.
    return result;
  }
}
