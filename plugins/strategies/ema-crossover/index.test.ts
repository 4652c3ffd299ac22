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
