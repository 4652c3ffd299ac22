/**
 * The tearsheet recorder on a real synthetic backtest (three pairs, two strategies, one of them on
 * a GBP-quoted cross so money is converted): its fills, trades and fees agree with the session's
 * summary, its realised P&L per strategy and instrument agrees with an independent FIFO
 * recomputation from the raw fills, the equity curve ends at the summary's equity, and bars are
 * merged down to the cap.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Fill } from "../../../plugins/sdk/orders.ts";
import { recomputeFifo } from "../../portfolio/recompute.ts";
import { runBacktest } from "../backtest.ts";
import type { Session } from "../build.ts";
import type { SessionSummary } from "../summary.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../test-session.ts";
import type { TearsheetData } from "./data.ts";
import { TearsheetRecorder } from "./recorder.ts";

const BOTH = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;

describe("tearsheet recorder", () => {
  const tmp = tempDir("kestrel-tearsheet-");
  let s: Session;
  let summary: SessionSummary;
  let t: TearsheetData;
  const raw: Fill[] = [];
  beforeAll(async () => {
    s = await sessionFromYaml(tmp.path, syntheticYaml(BOTH, { seconds: 900 }), { store: false, journalPath: "" });
    s.core.listeners.fill = (f) => raw.push(f);
    const rec = new TearsheetRecorder(s, { barSeconds: 1, maxBars: 100 });
    summary = runBacktest(s);
    t = rec.finish(summary.equity);
  }, 60_000);
  afterAll(() => tmp.dispose());

  test("fills, closing trades and fees agree with the summary and its performance report", () => {
    expect(summary.fills).toBeGreaterThan(20);
    expect(t.fillsTotal).toBe(summary.fills);
    expect(t.fills.length).toBe(summary.fills);
    expect(t.tradeOutcomes.length).toBe(summary.performance.trades);
    const fees = t.byStrategy.reduce((a, g) => a + g.fees, 0);
    expect(fees).toBeCloseTo(summary.performance.fees, 6);
    expect(t.byInstrument.reduce((a, g) => a + g.fees, 0)).toBeCloseTo(fees, 6);
    expect(t.byHour.reduce((a, x) => a + x, 0)).toBeCloseTo(t.tradeOutcomes.reduce((a, x) => a + x, 0), 6);
    expect(new Set(t.byStrategy.map((g) => g.name))).toEqual(new Set(["obi", "mm"]));
    expect(t.byStrategy.reduce((a, g) => a + g.fills, 0)).toBe(summary.fills);
    expect(t.strategies.map((x) => x.name)).toEqual(["obi", "mm"]);
  });

  test("realised P&L of a USD-quoted instrument per strategy equals an independent FIFO recomputation", () => {
    const books = recomputeFifo(raw);
    const eurusd = s.instruments.find((i) => i.symbol === "EURUSD")!;
    const scale = 10 ** (eurusd.priceDecimals + eurusd.sizeDecimals);
    for (const strategy of ["obi", "mm"]) {
      let expected = 0;
      for (const b of books.values()) if (b.strategy === strategy && b.instrument === eurusd.id) expected += Number(b.realised) / scale;
      const listed = t.fills.filter((f) => f.strategy === strategy && f.instrument === "EURUSD").reduce((a, f) => a + f.realised, 0);
      expect(listed).toBeCloseTo(expected, 6);
    }
    // Every instrument's group totals the fills listed for it.
    for (const g of t.byInstrument) expect(t.fills.filter((f) => f.instrument === g.name).reduce((a, f) => a + f.realised, 0)).toBeCloseTo(g.realised, 6);
  });

  test("the equity curve rises strictly in time, starts at capital and ends at the summary's equity", () => {
    const { time, value } = t.equity;
    expect(time.length).toBeGreaterThan(50);
    for (let i = 1; i < time.length; i++) expect(time[i]!).toBeGreaterThan(time[i - 1]!);
    expect(value[0]!).toBeCloseTo(1_000_000, -2);
    expect(value[value.length - 1]!).toBeCloseTo(summary.equity, 2);
    expect(t.period.toTs - t.period.fromTs).toBeGreaterThan(890e6);
  });

  test("bars of traded instruments are merged down to the cap and bracket every fill's instrument", () => {
    expect(t.bars.map((b) => b.symbol).sort()).toEqual(["EURGBP", "EURUSD", "GBPUSD"]);
    for (const b of t.bars) {
      expect(b.time.length).toBeLessThanOrEqual(100);
      expect(b.time.length).toBeGreaterThan(50);
      expect(b.barSeconds).toBe(9); // 900 one-second bars merged nine at a time
      for (let i = 0; i < b.time.length; i++) {
        expect(b.high[i]!).toBeGreaterThanOrEqual(Math.max(b.open[i]!, b.close[i]!));
        expect(b.low[i]!).toBeLessThanOrEqual(Math.min(b.open[i]!, b.close[i]!));
      }
    }
  });

  test("holding times are counted per round trip and never negative", () => {
    expect(t.holdingSeconds.length).toBeGreaterThan(0);
    expect(t.holdingSeconds.length).toBeLessThanOrEqual(t.tradeOutcomes.length);
    for (const h of t.holdingSeconds) expect(h).toBeGreaterThanOrEqual(0);
    expect(t.versions).toEqual({});
  });
});
