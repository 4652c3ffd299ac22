import { describe, expect, test } from "bun:test";
import type { Instrument } from "../../sdk/index.ts";
import { createRiskHarness } from "../testing/risk-harness.ts";
import plugin from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const params = { maxPosition: 1_000_000, barSeconds: 1, vol: { windowBars: 3, historyBars: 20, minHistory: 5, edges: [0.5, 0.9], scales: [1, 0.5, 0.2] }, warmupScale: 0.3 };

/** One quote per 1-s bar; `step(i)` gives the mid's move in ticks at bar i. */
function bars(h: ReturnType<typeof createRiskHarness>, from: number, count: number, step: (i: number) => number, mid = { v: 110_000 }): void {
  for (let i = from; i < from + count; i++) {
    mid.v += step(i);
    h.quote(0, mid.v - 1, mid.v + 1, i * 1_000_000);
  }
}

describe("vol-scaled-limits rule", () => {
  test("before the volatility can be ranked the limit is maxPosition × warmupScale", () => {
    const h = createRiskHarness(plugin, { params, instruments: [EURUSD] });
    bars(h, 1, 3, () => 1);
    expect(h.check({ instrument: 0, side: 1, size: 300_000 })).toBeNull();
    expect(h.check({ instrument: 0, side: 1, size: 301_000 })).toMatchObject({ code: "VOL_POSITION_LIMIT" });
  });

  test("calm markets get the full limit; a volatility burst shrinks it, logged as limit changes, and refuses what adds beyond it", () => {
    const h = createRiskHarness(plugin, { params, instruments: [EURUSD] });
    const mid = { v: 110_000 };
    bars(h, 1, 40, (i) => (i % 2 === 0 ? 2 : -1) + (i % 7 === 0 ? 1 : 0), mid);
    expect(h.check({ instrument: 0, side: 1, size: 1_000_000 })).toBeNull();
    bars(h, 41, 4, (i) => (i % 2 === 0 ? 60 : -60), mid);
    const changes = h.logs.filter((l) => l.message === "limit change");
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes.at(-1)!.fields).toMatchObject({ instrument: "EURUSD", bucket: 2, to: 200_000 });
    // Each change is also journaled through the context, as a limit change.
    expect(h.limitChanges.map((c): unknown[] => [c.instrument, c.limit, c.from, c.to])).toEqual(changes.map((c) => ["EURUSD", "maxPosition", c.fields!.from, c.fields!.to]));
    expect(h.limitChanges.at(-1)!.why).toMatch(/^bucket=2 rv=[\d.e-]+$/);
    const v = h.check({ instrument: 0, side: 1, size: 300_000 });
    expect(v).toEqual({ code: "VOL_POSITION_LIMIT", reason: "projected=300000 limit=200000 bucket=2 max=1000000 instrument=EURUSD" });
    // Working orders count; a reduction of a position above the new limit passes.
    expect(h.check({ instrument: 0, side: 1, size: 100_000 }, 150_000)).toMatchObject({ code: "VOL_POSITION_LIMIT" });
    h.positions[0] = 800_000;
    expect(h.check({ instrument: 0, side: -1, size: 300_000 })).toBeNull();
    expect(h.check({ instrument: 0, side: -1, size: 1_100_000 })).toMatchObject({ code: "VOL_POSITION_LIMIT" });
  });
});

describe("vol-scaled-limits in a backtest", () => {
  test("limits follow the synthetic market's volatility, each change logged, and orders beyond the current limit are refused", async () => {
    const { runBacktest } = await import("../../../runtime/session/backtest.ts");
    const { sessionFromYaml, syntheticYaml, tempDir } = await import("../../../runtime/session/test-session.ts");
    const tmp = tempDir("kestrel-vol-limits-");
    try {
      const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30, orderSize: 200000, maxPosition: 1000000 } }`;
      const extra = `  plugins:\n    - { name: vol-limits, plugin: vol-scaled-limits, params: { maxPosition: 600000, barSeconds: 2, vol: { windowBars: 5, historyBars: 30, minHistory: 10, edges: [0.5, 0.8], scales: [1, 0.5, 0.2] } } }\n`;
      const yaml = syntheticYaml(strategies, { seconds: 300, pairs: "EURUSD" }).replace(/(risk:\n  limits: [^\n]*\n)/, `$1${extra}`);
      const lines: Record<string, unknown>[] = [];
      const journalPath = `${tmp.path}/journal.bin`;
      const s = await sessionFromYaml(tmp.path, yaml, { journalPath, log: (l) => lines.push(JSON.parse(l)) });
      const summary = runBacktest(s);
      await s.close();
      const changes = lines.filter((l) => l.who === "vol-limits" && l.msg === "limit change");
      expect(changes.length).toBeGreaterThan(3);
      // Every change is in the journal (control record rule-limit) and in the audit trail's terms a limit change.
      const { readJournal } = await import("../../../runtime/journal/journal-file.ts");
      const journaled = readJournal(journalPath).records.filter((r) => r.t === "control" && r.kind === "rule-limit") as { subject: string; reason: string; ts: number }[];
      expect(journaled.map((r) => ({ subject: r.subject, ts: r.ts, ...(JSON.parse(r.reason) as { from: number; to: number; limit: string }) }))).toEqual(
        changes.map((c) => ({ subject: "vol-limits", ts: c.ts as number, instrument: "EURUSD", limit: "maxPosition", from: c.from as number, to: c.to as number, why: expect.stringMatching(/^bucket=-?\d rv=/) })),
      );
      // 600,000 × the bucket scales (1, 0.5, 0.2), and 300,000 (warm-up at 0.5) before the first rank.
      expect(changes.every((c) => [120_000, 300_000, 600_000].includes(c.to as number))).toBe(true);
      expect(new Set(changes.map((c) => c.to)).size).toBeGreaterThanOrEqual(2);
      expect(summary.riskRejections.VOL_POSITION_LIMIT ?? 0).toBeGreaterThan(0);
      for (const o of Array.from(s.core.oms.all()).filter((x) => x.reason.startsWith("VOL_POSITION_LIMIT: "))) {
        const f = Object.fromEntries(o.reason.slice(20).split(" ").map((kv) => kv.split("=") as [string, string]));
        expect(Number(f.projected)).toBeGreaterThan(Number(f.limit));
        // The limit refused with is the one the last change before the order set.
        const last = changes.filter((c) => (c.ts as number) <= o.createdTs).at(-1);
        expect(Number(f.limit)).toBe(last === undefined ? 300_000 : (last.to as number));
      }
    } finally {
      tmp.dispose();
    }
  }, 60_000);
});
