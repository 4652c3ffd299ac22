/**
 * A backtest's report shows each in-process strategy's hook times against its budget: a real plugin
 * that blocks for 5 ms on every hundredth quote, under a 1 ms budget and with no overrun policy,
 * keeps trading and has its calls over budget counted and its worst call named, in the summary
 * (`--json`) and in the printed report; a well-behaved one beside it shows no overruns, and an
 * isolated one is not listed (its watchdog stops an overrun instead).
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { formatReport } from "../cli/format.ts";
import { runBacktest } from "./backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const MISBEHAVING = resolve(import.meta.dir, "../plugins/isolate/fixtures/misbehaving.ts");
const dir = tempDir("kestrel-hook-time-");
afterAll(() => dir.dispose());

test("a backtest reports the strategies' calls over budget and their worst hook call", async () => {
  const yaml = syntheticYaml(
    [
      `  - { name: slow, plugin: ${JSON.stringify(MISBEHAVING)}, isolate: false, budgetUs: 1000, instruments: [EURUSD], params: { mode: slow, slowMs: 5 } }`,
      `  - { name: calm, plugin: ${JSON.stringify(MISBEHAVING)}, isolate: false, budgetUs: 250000, instruments: [GBPUSD] }`,
      `  - { name: walled, plugin: ${JSON.stringify(MISBEHAVING)}, instruments: [GBPUSD] }`,
    ].join("\n"),
    { pairs: "EURUSD, GBPUSD", seconds: 60 },
  );
  const s = await sessionFromYaml(dir.path, yaml, { journalPath: "" });
  try {
    const summary = runBacktest(s);
    const slow = summary.hookTime!.slow!;
    const quotes = s.core.host.get("slow")!.budget!.calls;
    expect(quotes).toBeGreaterThan(300);
    // Every hundredth quote blocks for 5 ms: each of those is over the 1 ms budget.
    expect(slow.overruns).toBeGreaterThanOrEqual(Math.floor(quotes / 100) - 1);
    expect(slow.overruns).toBeLessThan(quotes);
    expect(slow.worstUs).toBeGreaterThanOrEqual(5000);
    expect(slow.worstHook).toBe("onQuote");
    expect(slow.budgetUs).toBe(1000);
    expect(s.core.host.get("slow")!.state).not.toBe("quarantined");
    expect(summary.hookTime!.calm!.overruns).toBe(0);
    expect(summary.hookTime!.calm!.calls).toBeGreaterThan(0);
    expect(summary.hookTime!.walled).toBeUndefined();
    // The report line, as `kestrel backtest` prints it; the JSON summary carries the same object.
    expect(formatReport(summary)).toMatch(new RegExp(`^Hook time\\s+slow worst [\\d,]+ µs \\(onQuote\\), ${slow.overruns.toLocaleString("en-US")} of ${slow.calls.toLocaleString("en-US")} calls over its 1,000 µs budget; calm worst [\\d,]+ µs \\(\\w+\\)$`, "m"));
    expect(JSON.parse(JSON.stringify(summary)).hookTime.slow).toEqual(slow);
  } finally {
    await s.close();
  }
}, 60_000);
