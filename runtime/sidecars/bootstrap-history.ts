/**
 * The return history a historical-bootstrap VaR draws from, read from the DuckDB tick store: per
 * step of `stepSeconds`, each instrument's last mid in the step (forward-filled across steps with
 * no quote), steps before every instrument has a price dropped, and log returns between
 * consecutive steps. One SQL query serves all instruments; mids stay exact integers (bid + ask,
 * twice the mid, in ticks) until the returns are taken at the end. The store is opened read-only,
 * and every failure comes back as a value with a code and `key=value` context.
 *
 * @example
 * const h = await loadReturnHistory("var/day.duckdb", ["EURUSD", "GBPUSD"], 1, { maxSteps: 3600 });
 * if (!("code" in h)) bootstrapVar({ exposures, history: h.history, stepSeconds: h.stepSeconds, ... });
 */
import { existsSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

/** Fewest return steps a history must have to be used. */
export const MIN_HISTORY_STEPS = 30;
/** Steps kept (the most recent) when `maxSteps` is not given. */
export const DEFAULT_MAX_STEPS = 100_000;

/** Per-step log returns, `steps` × n row-major, oldest first, instruments in the order asked. */
export interface ReturnHistory {
  readonly history: Float64Array;
  readonly steps: number;
  readonly stepSeconds: number;
  /** Start of the first and last return's step, µs since the epoch. */
  readonly fromUs: number;
  readonly toUs: number;
}

/** Why no history could be loaded. */
export interface HistoryError {
  readonly code: "VAR_HISTORY_NO_STORE" | "VAR_HISTORY_UNKNOWN_SYMBOL" | "VAR_HISTORY_TOO_SHORT" | "VAR_HISTORY_INVALID" | "VAR_HISTORY_QUERY_FAILED";
  readonly context: string;
}

/** Options of `loadReturnHistory`: a time range in µs since the epoch (`to` exclusive) and the most steps kept. */
export interface HistoryOptions {
  readonly from?: number;
  readonly to?: number;
  readonly maxSteps?: number;
}

/** Loads per-step log returns of the mids of `symbols` from a store file; never throws. */
export async function loadReturnHistory(dbPath: string, symbols: readonly string[], stepSeconds: number, options: HistoryOptions = {}): Promise<ReturnHistory | HistoryError> {
  const stepUs = Math.round(stepSeconds * 1_000_000);
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (symbols.length === 0 || !(stepUs >= 1) || !Number.isSafeInteger(stepUs) || !Number.isInteger(maxSteps) || maxSteps < 1) {
    return { code: "VAR_HISTORY_INVALID", context: `symbols=${symbols.length} step_s=${stepSeconds} max_steps=${maxSteps}` };
  }
  if (!existsSync(dbPath)) return { code: "VAR_HISTORY_NO_STORE", context: `db=${dbPath}` };
  let instance: DuckDBInstance | null = null;
  try {
    instance = await DuckDBInstance.create(dbPath, { access_mode: "READ_ONLY" });
    const conn = await instance.connect();
    try {
      const list = symbols.map((s) => `'${s.replaceAll("'", "''")}'`).join(", ");
      const known = (await conn.runAndReadAll(`SELECT symbol, id FROM instruments WHERE symbol IN (${list})`)).getRows();
      const idOf = new Map(known.map((r) => [String(r[0]), Number(r[1])]));
      const missing = symbols.filter((s) => !idOf.has(s));
      if (missing.length > 0) return { code: "VAR_HISTORY_UNKNOWN_SYMBOL", context: `db=${dbPath} symbols=${missing.join(",")}` };
      const column = new Map<number, number>();
      symbols.forEach((s, k) => column.set(idOf.get(s)!, k));
      let where = `instrument_id IN (${[...column.keys()].join(", ")}) AND bid > 0 AND ask > 0`;
      if (options.from !== undefined) where += ` AND ts >= make_timestamp(${Math.trunc(options.from)})`;
      if (options.to !== undefined) where += ` AND ts < make_timestamp(${Math.trunc(options.to)})`;
      // Twice the mid, as an exact integer: the last quote of each instrument in each step.
      const rows = (
        await conn.runAndReadAll(
          `SELECT (epoch_us(ts) // ${stepUs})::DOUBLE AS b, instrument_id, arg_max(bid + ask, (ts, rowid))::DOUBLE AS m2
           FROM quotes WHERE ${where} GROUP BY ALL ORDER BY b, instrument_id`,
        )
      ).getRows();
      return fromBuckets(rows.map((r) => [Number(r[0]), column.get(Number(r[1]))!, Number(r[2])] as const), symbols, stepSeconds, stepUs, maxSteps, dbPath);
    } finally {
      conn.closeSync();
    }
  } catch (e) {
    return { code: "VAR_HISTORY_QUERY_FAILED", context: `db=${dbPath} cause=${(e as Error).message.split("\n")[0]}` };
  } finally {
    instance?.closeSync();
  }
}

/** Turns (bucket, column, 2×mid) rows sorted by bucket into forward-filled per-step log returns. */
function fromBuckets(rows: readonly (readonly [number, number, number])[], symbols: readonly string[], stepSeconds: number, stepUs: number, maxSteps: number, db: string): ReturnHistory | HistoryError {
  const n = symbols.length;
  const first = new Float64Array(n).fill(Number.NaN);
  for (const [b, k] of rows) if (Number.isNaN(first[k]!)) first[k] = b;
  const unpriced = symbols.filter((_, k) => Number.isNaN(first[k]!));
  if (unpriced.length > 0) return { code: "VAR_HISTORY_TOO_SHORT", context: `db=${db} no_quotes=${unpriced.join(",")}` };
  const firstFull = Math.max(...first);
  const last = rows[rows.length - 1]![0];
  const total = last - firstFull;
  if (total < MIN_HISTORY_STEPS) return { code: "VAR_HISTORY_TOO_SHORT", context: `db=${db} steps=${total} min=${MIN_HISTORY_STEPS} step_s=${stepSeconds}` };
  const start = Math.max(firstFull, last - maxSteps);
  const steps = last - start;
  const history = new Float64Array(steps * n);
  const cur = new Float64Array(n);
  const prev = new Float64Array(n);
  let i = 0;
  while (i < rows.length) {
    const b = rows[i]![0];
    prev.set(cur);
    for (; i < rows.length && rows[i]![0] === b; i++) cur[rows[i]![1]] = rows[i]![2];
    // Steps with no quote at all stay zero rows: every mid carried forward.
    if (b > start) {
      const row = (b - start - 1) * n;
      for (let k = 0; k < n; k++) history[row + k] = Math.log(cur[k]! / prev[k]!);
    }
  }
  return { history, steps, stepSeconds, fromUs: (start + 1) * stepUs, toUs: last * stepUs };
}
