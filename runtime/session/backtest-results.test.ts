import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TearsheetData } from "./tearsheet/data.ts";
import { listBacktestResults, readBacktestResult, saveBacktestResult } from "./backtest-results.ts";
import type { SessionSummary } from "./summary.ts";
import { tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-results-");
afterAll(() => tmp.dispose());

test("results are saved by id, listed newest first, read back, and ids cannot escape the folder", () => {
  const summary = { fillsHash: "abcdef0123456789", events: 5 } as unknown as SessionSummary;
  const a = saveBacktestResult(tmp.path, "d", "c.yaml", summary, new Date("2026-01-02T03:04:05.678Z"));
  const b = saveBacktestResult(tmp.path, "d", "c.yaml", summary, new Date("2026-01-03T03:04:05Z"));
  expect(a).toBe("20260102T030405Z-abcdef01");
  expect(listBacktestResults(tmp.path)).toEqual([b, a]);
  expect(readBacktestResult(tmp.path, a)?.summary.events).toBe(5);
  expect(readBacktestResult(tmp.path, "../../etc/passwd")).toBeUndefined();
  expect(listBacktestResults(`${tmp.path}/missing`)).toEqual([]);
});

test("a tearsheet is stored apart: the list and headline reads skip it, a full read joins it back", () => {
  const summary = { fillsHash: "0123456789abcdef", events: 7 } as unknown as SessionSummary;
  const tearsheet = { version: 1, fills: [{ ts: 1 }], fillsTotal: 1 } as unknown as TearsheetData;
  const id = saveBacktestResult(tmp.path, "d", "c.yaml", summary, new Date("2026-01-04T00:00:00Z"), tearsheet);
  expect(existsSync(join(tmp.path, `${id}.tearsheet.json`))).toBe(true);
  expect(JSON.parse(readFileSync(join(tmp.path, `${id}.json`), "utf8")).tearsheet).toBeUndefined();
  expect(listBacktestResults(tmp.path)[0]).toBe(id);
  expect(listBacktestResults(tmp.path).some((x) => x.includes("tearsheet"))).toBe(false);
  expect(readBacktestResult(tmp.path, id, false)?.tearsheet).toBeUndefined();
  expect(readBacktestResult(tmp.path, id)?.tearsheet).toEqual(tearsheet);
  // An older result with no tearsheet file reads without one.
  expect(readBacktestResult(tmp.path, "20260102T030405Z-abcdef01")?.tearsheet).toBeUndefined();
});
