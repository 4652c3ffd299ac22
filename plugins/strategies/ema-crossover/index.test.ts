import { describe, expect, test } from "bun:test";
import { createStrategyHarness } from "../../sdk/harness.ts";
import type { Instrument } from "../../sdk/index.ts";
import { nextBar } from "../testing/bars.ts";
import emaCrossover from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const BAR = 1_000_000;
/** Small windows so a test fits in a few dozen bars; the throttle never pauses unless a test says so. */
const base = { barUs: BAR, fastBars: 2, slowBars: 4, orderSize: 100_000, vol: { windowBars: 3, historyBars: 10, minHistory: 3, edges: [0.9], scales: [1, 1] } };

function setup(over: Record<string, unknown> = {}) {
  const h = createStrategyHarness(emaCrossover, { params: { ...base, ...over }, instruments: [EURUSD], startTs: 0 });
  let mid = 113_000;
  /** n bars moving the mid by `step` ticks each; open orders fill at their price unless `fill` is false (a venue that misses). */
  const bars = (n: number, step: number, fill = true, spread = 2): void => {
    for (let i = 0; i < n; i++) {
      nextBar(h, 0, (mid += step), BAR, spread);
      if (fill) for (const o of h.openOrders.slice()) h.fill(o.id);
    }
  };
  return { h, bars };
}

describe("ema-crossover", () => {
  test("no position before the first cross; a cross up buys orderSize with an IOC at the ask, a cross down flips short", () => {
    const { h, bars } = setup();
    bars(12, -5); // a downtrend from the start is not a cross
    expect(h.intents).toHaveLength(0);
    bars(4, 20); // fast crosses above slow
    expect(h.intents).toHaveLength(1);
    const buy = h.intents[0]!;
    expect(buy.intent).toMatchObject({ instrument: 0, side: 1, type: "limit", tif: "IOC", size: 100_000, tag: "ema:target" });
    expect(buy.intent.price).toBe(h.fills[0]!.price);
    expect(h.position(0)).toBe(100_000);
    bars(6, -20);
    expect(h.intents).toHaveLength(2);
    expect(h.intents[1]!.intent).toMatchObject({ side: -1, tif: "IOC", size: 200_000 });
    expect(h.position(0)).toBe(-100_000);
    expect(h.logs.filter((l) => l.message === "cross").map((l) => l.fields?.dir)).toEqual([1, -1]);
  });

  test("an unfilled IOC is sent again on the next quote; one order in flight at a time", () => {
    const { h, bars } = setup();
    bars(12, -5);
    bars(4, 20, false);
    const n = h.intents.length;
    expect(n).toBeGreaterThan(0);
    expect(h.intents.every((i) => i.intent.side === 1 && i.intent.size === 100_000)).toBe(true);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, 1, 1, h.now() + 10);
    expect(h.intents).toHaveLength(n + 1);
    expect(h.openOrders).toHaveLength(1);
    h.fill(h.intents[n]!.orderId, undefined, 40_000);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, 1, 1, h.now() + 10);
    expect(h.intents[n + 1]!.intent).toMatchObject({ side: 1, size: 60_000 });
  });

  test("the extreme volatility bucket pauses: the position is flattened, and restored when volatility falls back", () => {
    const { h, bars } = setup({ vol: { windowBars: 3, historyBars: 10, minHistory: 3, edges: [0.95], scales: [1, 0] } });
    bars(12, -5);
    bars(6, 5); // the same step size up: a cross in a calm bucket
    expect(h.position(0)).toBe(100_000);
    bars(2, 400); // a burst in the trend's direction: no cross, but the top bucket
    expect(h.logs.filter((l) => l.message === "target").at(-1)!.fields).toMatchObject({ target: 0, bucket: 1 });
    expect(h.intents[1]!.intent).toMatchObject({ side: -1, tif: "IOC", size: 100_000 });
    expect(h.position(0)).toBe(0);
    bars(6, 5); // the burst leaves the window
    expect(h.intents[2]!.intent).toMatchObject({ side: 1, size: 100_000 });
    expect(h.position(0)).toBe(100_000);
  });

  test("a middle bucket scales the size and the target is rounded down to the lot", () => {
    const { h, bars } = setup({ orderSize: 150_500, vol: { windowBars: 3, historyBars: 10, minHistory: 3, edges: [0.95], scales: [0.5, 0.5] } });
    bars(12, -5);
    bars(4, 20);
    expect(h.intents[0]!.intent.size).toBe(75_000);
  });

  test("no order while the spread is wider than maxSpreadTicks", () => {
    const { h, bars } = setup({ maxSpreadTicks: 3 });
    bars(12, -5, true, 6);
    bars(4, 20, true, 6);
    const crossedWide = h.logs.some((l) => l.message === "cross");
    expect(crossedWide).toBe(true);
    expect(h.intents).toHaveLength(0);
    h.quote(0, 112_999, 113_001, 1, 1, h.now() + 1);
    expect(h.intents).toHaveLength(1);
  });

  test("reducing: a new position is not opened but an open one is cut; halted: nothing; a refusal backs off", () => {
    const { h, bars } = setup({ rejectBackoffUs: 5_000_000 });
    h.setTradingState("reducing");
    bars(12, -5);
    bars(4, 20);
    expect(h.intents).toHaveLength(0);
    expect(h.held).toEqual({});
    h.setTradingState("active");
    h.reject(() => "RATE_LIMIT: orders=50");
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, 1, 1, h.now() + 1);
    h.reject(null);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, 1, 1, h.now() + 4_999_998);
    expect(h.intents).toHaveLength(1);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, 1, 1, h.now() + 2);
    expect(h.intents).toHaveLength(2);
    h.fill(h.intents[1]!.orderId);
    h.setTradingState("halted");
    bars(6, -20);
    expect(h.intents).toHaveLength(2);
    h.setTradingState("reducing");
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, 1, 1, h.now() + 1);
    expect(h.intents[2]!.intent).toMatchObject({ side: -1, size: 100_000 }); // to flat, not short
  });

  test("bad params are refused", () => {
    expect(() => setup({ fastBars: 5, slowBars: 5 })).toThrow("PLUGIN_PARAMS_INVALID");
    expect(() => setup({ vol: { edges: [0.5, 0.6], scales: [1, 0] } })).toThrow("vol.scales: expected 3 values (edges + 1), got 2");
    expect(() => setup({ fastBars: 0 })).toThrow("params.fastBars");
  });
});

describe("ema-crossover with the HMM regime gate", () => {
  /** Runs the crossover over the real FXCM day 2014-05-09 with a shifted segment 12–14 UTC; returns its position at each quote and its logs. */
  async function run(regime: Record<string, unknown> | undefined) {
    const { readLeanDay } = await import("../testing/lean-ticks.ts");
    const { spliceShiftedSegment } = await import("../shared/regime/shifted-segment.ts");
    const noon = Date.UTC(2014, 4, 9, 12) * 1000;
    const q = spliceShiftedSegment(readLeanDay("fxcm", "eurusd", "20140509"), noon, noon + 7_200_000_000, 4, 3);
    const params = { fastBars: 3, slowBars: 12, maxSpreadTicks: 1000, vol: { windowBars: 5, historyBars: 20, minHistory: 5, edges: [0.9], scales: [1, 1] }, ...(regime ? { regime } : {}) };
    const h = createStrategyHarness(emaCrossover, { params, instruments: [EURUSD], startTs: q.ts[0]! - 1 });
    const pos: [number, number][] = [];
    for (let i = 0; i < q.ts.length; i++) {
      if (!(q.ask[i]! > q.bid[i]!)) continue;
      h.quote(0, q.bid[i]!, q.ask[i]!, 1_000_000, 1_000_000, q.ts[i]!);
      for (const o of h.openOrders.slice()) h.fill(o.id);
      pos.push([q.ts[i]!, h.position(0)]);
    }
    return { h, pos };
  }

  test("outside the trained regimes it flattens and stays flat until the market is back inside; without the gate it keeps trading there", async () => {
    const gated = await run({ stateScales: [1, 1, 1, 1], outsideScale: 0 });
    const left = gated.h.logs.find((l) => l.message === "regime: outside the trained distribution");
    const back = gated.h.logs.find((l) => l.message === "regime: back inside the trained distribution");
    expect(left).toBeDefined();
    expect(back).toBeDefined();
    expect(left!.fields).toMatchObject({ instrument: 0 });
    expect((left!.fields!.average as number) < (left!.fields!.bound as number)).toBe(true);
    // One quote after the flag for the flattening IOC to fill, then flat until back inside.
    const during = gated.pos.filter(([ts]) => ts > left!.ts && ts < back!.ts).slice(1);
    expect(during.length).toBeGreaterThan(100);
    expect(during.every(([, p]) => p === 0)).toBe(true);
    const plain = await run(undefined);
    expect(plain.pos.filter(([ts]) => ts > left!.ts && ts < back!.ts).some(([, p]) => p !== 0)).toBe(true);
  }, 30_000);

  test("a model name that is not shipped, or scales that do not match its states, are refused at creation", () => {
    expect(() => createStrategyHarness(emaCrossover, { params: { ...base, regime: { model: "nope" } }, instruments: [EURUSD] })).toThrow(/params.regime.model: expected one of eurusd-fxcm-1m/);
    expect(() => createStrategyHarness(emaCrossover, { params: { ...base, regime: { stateScales: [1, 0] } }, instruments: [EURUSD] })).toThrow(/has 4 states, got 2 scales/);
  });
});
