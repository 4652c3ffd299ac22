import { afterAll, expect, test } from "bun:test";
import { MarketEventKind, newMarketEvent, type MarketEvent } from "../data/sources/market-source.ts";
import { ArraySource } from "../data/sources/array-source.ts";
import { runBacktest } from "./backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-l2-");
afterAll(() => tmp.dispose());

function delta(ts: number, side: number, price: number, size: number): MarketEvent {
  return { ...newMarketEvent(), kind: MarketEventKind.BookDelta, ts, instrument: 0, side, price, size };
}

test("depth updates build the L2 book; top-of-book changes reach the L1 book and features, deeper ones do not", async () => {
  const events = [
    delta(10, 1, 110_000, 500_000),
    delta(10, -1, 110_003, 400_000),
    delta(11, 1, 109_999, 900_000), // deeper bid level: top unchanged
    delta(12, -1, 110_002, 100_000), // better ask: top changes
    delta(13, -1, 110_002, 0), // removed: ask back to 110003
    delta(14, 1, 110_005, 100_000), // crosses the ask: not applied to L1 until sane
    delta(14, -1, 110_003, 0),
    delta(14, -1, 110_006, 300_000),
  ];
  const yaml = syntheticYaml("  []", { pairs: "EURUSD", seconds: 1, extra: "features: { instruments: all }" }).replace("strategies:\n  []", "strategies: []");
  const s = await sessionFromYaml(tmp.path, yaml, { sources: [new ArraySource(events)] });
  const tops: string[] = [];
  s.core.listeners.quote = (q) => tops.push(`${q.ts}:${q.bid}x${q.bidSize}/${q.ask}x${q.askSize}`);
  runBacktest(s);
  expect(tops).toEqual(["10:110000x500000/110003x400000", "12:110000x500000/110002x100000", "13:110000x500000/110003x400000", "14:110005x100000/110006x300000"]);
  const book = s.core.depth(0)!;
  expect([...book.bids.prices.subarray(0, book.bids.count)]).toEqual([110_005, 110_000, 109_999]);
  const imbalance = s.core.features.values(0)[s.core.features.index("imbalance")]!;
  expect(Number.isFinite(imbalance)).toBe(true);
}, 30_000);

test("trade prints reach the features, the venue and listeners, and bad prints are counted, not applied", async () => {
  const quote: MarketEvent = { ...newMarketEvent(), kind: MarketEventKind.Quote, ts: 5, instrument: 0, bid: 110_000, ask: 110_002, bidSize: 1_000_000, askSize: 1_000_000 };
  const trade = (ts: number, price: number, size: number): MarketEvent => ({ ...newMarketEvent(), kind: MarketEventKind.Trade, ts, instrument: 0, price, size, side: 1 });
  const events = [quote, trade(6, 110_002, 50_000), trade(7, 0, 10), trade(8, 110_001, 20_000)];
  const yaml = syntheticYaml("  []", { pairs: "EURUSD", seconds: 1, extra: "features: { instruments: all }" }).replace("strategies:\n  []", "strategies: []");
  const s = await sessionFromYaml(tmp.path, yaml, { sources: [new ArraySource(events)] });
  const prints: number[] = [];
  s.core.listeners.trade = (t) => prints.push(t.price);
  const summary = runBacktest(s);
  expect(prints).toEqual([110_002, 110_001]);
  expect(summary.dataAnomalies).toEqual({ DATA_INVALID_QUOTE: 1 });
  expect(summary.performance.trades).toBe(0);
}, 30_000);

test("a pause longer than the gap limit raises DATA_GAP once per instrument; an old last quote raises DATA_STALE_FEED", async () => {
  const q = (ts: number): MarketEvent => ({ ...newMarketEvent(), kind: MarketEventKind.Quote, ts, instrument: 0, bid: 110_000 + (ts % 3), ask: 110_005, bidSize: 1_000_000, askSize: 1_000_000 });
  const events = [q(1_000_000), q(2_000_000), q(700_000_000), q(701_000_000), q(2_000_000_000)];
  const yaml = syntheticYaml("  []", { pairs: "EURUSD", seconds: 1, extra: "data: { gapSeconds: 60, staleSeconds: 10 }" }).replace("strategies:\n  []", "strategies: []");
  const s = await sessionFromYaml(tmp.path, yaml, { sources: [new ArraySource(events)] });
  const summary = runBacktest(s);
  expect(summary.dataAnomalies.DATA_GAP).toBe(2);
  const gaps = s.core.alerts.all().filter((a) => a.code === "DATA_GAP");
  expect(gaps.length).toBe(1);
  expect(gaps[0]!.message).toContain("gap_s=698.0");
  expect(s.core.checkStale(2_000_000_000 + 5_000_000)).toBe(0);
  expect(s.core.checkStale(2_000_000_000 + 11_000_000)).toBe(1);
  expect(s.core.alerts.all().find((a) => a.code === "DATA_STALE_FEED")?.subject).toBe("EURUSD");
}, 30_000);
