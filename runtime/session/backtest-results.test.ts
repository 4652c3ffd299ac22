import { afterAll, expect, test } from "bun:test";
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
