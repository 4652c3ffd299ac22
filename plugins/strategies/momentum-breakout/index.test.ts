import { describe, expect, test } from "bun:test";
import { createStrategyHarness } from "../../sdk/harness.ts";
import type { Instrument } from "../../sdk/index.ts";
import { nextBar } from "../testing/bars.ts";
import { DonchianChannel } from "./channel.ts";
import breakout from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const BAR = 1_000_000;
/** Small windows; the throttle never pauses unless a test says so. */
const base = { barUs: BAR, entryBars: 5, exitBars: 3, trendBars: 5, orderSize: 100_000, vol: { windowBars: 3, historyBars: 10, minHistory: 3, edges: [0.9], scales: [1, 1] } };

function setup(over: Record<string, unknown> = {}) {
  const h = createStrategyHarness(breakout, { params: { ...base, ...over }, instruments: [EURUSD], startTs: 0 });
  /** Bars at the given mids (each closes on the next one's quote); open orders fill at their price. */
  const bars = (...mids: number[]): void => {
    for (const m of mids) {
      nextBar(h, 0, m, BAR);
      for (const o of h.openOrders.slice()) h.fill(o.id);
    }
  };
  return { h, bars };
}

/** A flat range around 113000 (its extremes repeat, so none breaks out), long enough to fill every window. */
const range = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 113_004 : 112_996));

describe("DonchianChannel", () => {
  test("high and low of the last n closes", () => {
    const c = new DonchianChannel(3);
    for (const x of [5, 9, 1, 4]) c.push(x);
    expect([c.ready, c.high(), c.low()]).toEqual([true, 9, 1]);
    c.push(2);
    c.push(3);
    expect([c.high(), c.low()]).toEqual([4, 2]);
  });
});

describe("momentum-breakout", () => {
  test("inside the range nothing happens; a close above the channel and the EMA goes long", () => {
    const { h, bars } = setup();
    bars(...range);
    expect(h.intents).toHaveLength(0);
    bars(113_020, 113_021);
    expect(h.intents).toHaveLength(1);
    expect(h.intents[0]!.intent).toMatchObject({ side: 1, tif: "IOC", size: 100_000, tag: "breakout:target" });
    expect(h.position(0)).toBe(100_000);
    expect(h.logs.find((l) => l.message === "breakout")!.fields).toMatchObject({ dir: 1, close: 113_020 });
  });

  test("a long exits when a close falls below the exit channel; a downside break goes short", () => {
    const { h, bars } = setup();
    bars(...range, 113_020, 113_030, 113_040);
    expect(h.position(0)).toBe(100_000);
    bars(113_035, 113_010, 113_011); // 113010 is below the last 3 closes' low
    expect(h.logs.filter((l) => l.message === "exit")).toHaveLength(1);
    expect(h.position(0)).toBe(0);
    bars(112_950, 112_949);
    expect(h.position(0)).toBe(-100_000);
  });

  test("the extreme volatility bucket keeps it flat through a breakout", () => {
    const { h, bars } = setup({ vol: { windowBars: 3, historyBars: 10, minHistory: 3, edges: [0.95], scales: [1, 0] } });
    bars(...range);
    bars(113_400, 113_401); // a violent breakout: top bucket
    expect(h.logs.find((l) => l.message === "breakout")).toBeDefined();
    expect(h.intents).toHaveLength(0);
  });

  test("reducing: a breakout opens nothing; halted: an exit sends nothing until active again", () => {
    const { h, bars } = setup();
    h.setTradingState("reducing");
    bars(...range, 113_020, 113_021);
    expect(h.intents).toHaveLength(0);
    h.setTradingState("active");
    bars(113_022);
    expect(h.position(0)).toBe(100_000);
    h.setTradingState("halted");
    bars(112_900, 112_901);
    expect(h.position(0)).toBe(100_000);
    h.setTradingState("reducing");
    bars(112_902);
    expect(h.position(0)).toBe(0); // shrinks to flat, never short while reducing
  });
});
