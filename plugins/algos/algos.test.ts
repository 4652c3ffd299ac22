/**
 * The execution algorithms through the SDK's algorithm harness (no runtime): TWAP's schedule and
 * restart safety, VWAP following a curve, POV on tick activity, the iceberg's seeded display sizes
 * and refresh delays, the trailing stop, OCO, OTO and bracket.
 */
import { describe, expect, test } from "bun:test";
import type { Instrument } from "../sdk/instrument.ts";
import { startAlgo } from "../sdk/algo-harness.ts";
import twap from "./twap/index.ts";
import vwap from "./vwap/index.ts";
import pov from "./pov/index.ts";
import iceberg from "./iceberg/index.ts";
import trailing from "./trailing-stop/index.ts";
import oco from "./oco/index.ts";
import oto from "./oto/index.ts";
import bracket from "./bracket/index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const S = 1_000_000;

describe("twap", () => {
  test("one taking child per step for what the schedule is behind by; finishes after the grace steps", () => {
    const h = startAlgo(twap as never, { instrument: EURUSD, side: 1, quantity: 1_000_000, params: { durationSeconds: 100, slices: 4, graceSlices: 1 }, bid: 110000, ask: 110002 });
    expect(h.children.length).toBe(1);
    expect(h.children[0]!).toMatchObject({ side: 1, type: "limit", tif: "IOC", price: 110002, size: 250_000 });
    h.fill(1, 110002);
    h.advance(25 * S);
    expect(h.children.length).toBe(2);
    expect(h.children[1]!.size).toBe(250_000);
    // Step 2's child misses (IOC canceled): step 3 sends what it is behind by.
    h.advance(25 * S);
    expect(h.children[1]!.status).toBe("canceled");
    expect(h.children[2]!.size).toBe(500_000);
    h.fill(3, 110003, 400_000);
    h.advance(25 * S);
    expect(h.children[3]!.size).toBe(1_000_000 - 650_000);
    h.advance(50 * S);
    expect(h.parent.finished).toContain("schedule ended filled=650000/1000000");
  });

  test("resuming mid-step with a child working sends nothing new", () => {
    const h = startAlgo(twap as never, { instrument: EURUSD, side: -1, quantity: 400_000, params: { durationSeconds: 40, slices: 4, style: "join" }, bid: 110000, ask: 110002 });
    expect(h.children[0]!).toMatchObject({ side: -1, price: 110002, tif: "GTC", size: 100_000 });
    h.hooks.onResume!(h.ctx as never);
    expect(h.children.length).toBe(1);
  });
});

describe("vwap", () => {
  test("targets follow the activity curve (a day with all activity in the second half-hour)", () => {
    const start = Date.UTC(2026, 0, 5, 0, 0) * 1000;
    const weights = new Array(48).fill(0);
    weights[1] = 1;
    const h = startAlgo(vwap as never, { instrument: EURUSD, side: 1, quantity: 100_000, startTs: start, params: { durationSeconds: 3600, slices: 4 }, curve: { basis: "ticks", bucketUs: 1800 * S, weights }, bid: 110000, ask: 110002 });
    // First step (to 15 min): nothing of the day's activity there.
    expect(h.children.length).toBe(0);
    h.advance(900 * S);
    expect(h.children.length).toBe(0);
    h.advance(900 * S);
    // At 45 min, half of the second half-hour's activity is done.
    expect(h.children.length).toBe(1);
    expect(h.children[0]!.size).toBe(50_000);
    expect(h.children[0]!.intent.note).toContain("basis=ticks");
  });
});

describe("pov", () => {
  test("participates in tick activity on a quote-only feed and in volume where there are trades", () => {
    const h = startAlgo(pov as never, { instrument: EURUSD, side: 1, quantity: 1_000_000, params: { rate: 0.1, minChild: 10_000, unitsPerTick: 50_000 }, bid: 110000, ask: 110002 });
    h.quote(110000, 110002);
    expect(h.children.length).toBe(0);
    h.quote(110001, 110003);
    // Two ticks x 50,000 units x 10% = 10,000.
    expect(h.children.length).toBe(1);
    expect(h.children[0]!).toMatchObject({ size: 10_000, price: 110003 });
    expect(h.children[0]!.intent.note).toBe("pov basis=ticks");
    h.fill(1, 110003);
    const v = startAlgo(pov as never, { instrument: EURUSD, side: -1, quantity: 1_000_000, params: { rate: 0.2, minChild: 1000 }, bid: 110000, ask: 110002 });
    v.trade(110000, 100_000, -1);
    expect(v.children[0]!).toMatchObject({ side: -1, size: 20_000, price: 110000 });
    expect(v.children[0]!.intent.note).toBe("pov basis=volume");
  });
});

describe("iceberg", () => {
  test("shows a seeded size around the display, refreshes after a seeded delay, never more than remains", () => {
    const run = (seed: number) => {
      const h = startAlgo(iceberg as never, { instrument: EURUSD, side: 1, quantity: 500_000, limitPrice: 109990, seed, params: { displaySize: 100_000, sizeVariance: 0.5, refreshMinUs: 1000, refreshMaxUs: 9000 }, bid: 110000, ask: 110002 });
      const times: number[] = [];
      for (let i = 0; i < 20 && h.parent.remaining > 0; i++) {
        const open = h.open();
        if (open.length === 0) {
          h.advance(1000);
          continue;
        }
        expect(open.length).toBe(1);
        expect(open[0]!.price).toBe(109990);
        h.fill(open[0]!.id, 109990);
        const before = h.children.length;
        const t0 = h.now();
        while (h.children.length === before && h.parent.remaining > 0) h.advance(500);
        if (h.parent.remaining > 0) times.push(h.now() - t0);
      }
      return { sizes: h.children.map((c) => c.size), times, filled: h.parent.filled };
    };
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(a).toEqual(b);
    expect(a.sizes).not.toEqual(c.sizes);
    expect(a.filled).toBe(500_000);
    for (const s of a.sizes.slice(0, -1)) {
      expect(s).toBeGreaterThanOrEqual(50_000);
      expect(s).toBeLessThanOrEqual(150_000);
      expect(s % 1000).toBe(0);
    }
    expect(new Set(a.sizes).size).toBeGreaterThan(1);
    for (const t of a.times) {
      expect(t).toBeGreaterThanOrEqual(1000);
      expect(t).toBeLessThanOrEqual(9500);
    }
  });
});

describe("trailing stop", () => {
  test("a sell stop trails the bid up and takes the touch when it falls back by the trail", () => {
    const h = startAlgo(trailing as never, { instrument: EURUSD, side: -1, quantity: 200_000, params: { trailTicks: 10 }, bid: 110000, ask: 110002 });
    h.quote(110020, 110022);
    h.quote(110011, 110013);
    expect(h.children.length).toBe(0);
    h.quote(110010, 110012);
    expect(h.children[0]!).toMatchObject({ side: -1, price: 110010, size: 200_000, tif: "IOC" });
  });
});

describe("contingent", () => {
  test("OCO: the first fill of one leg cancels the other", () => {
    const h = startAlgo(oco as never, { instrument: EURUSD, side: -1, quantity: 100_000, params: { limitPrice: 110100, stopPrice: 109900 }, bid: 110000, ask: 110002 });
    expect(h.children.map((c) => `${c.type}@${c.price || c.stopPrice}`)).toEqual(["limit@110100", "stop@109900"]);
    h.fill(2, 109899, 100_000);
    expect(h.children[0]!.status).toBe("canceled");
    expect(h.parent.filled).toBe(100_000);
  });

  test("bracket: exits for what entered; one exit cancels and resizes the other; finishes when flat", () => {
    const h = startAlgo(bracket as never, { instrument: EURUSD, side: 1, quantity: 100_000, limitPrice: 110000, params: { takeProfitTicks: 30, stopLossTicks: 20 }, bid: 110000, ask: 110002 });
    expect(h.children[0]!).toMatchObject({ side: 1, price: 110000, size: 100_000 });
    h.fill(1, 110000, 60_000);
    const exits = h.children.filter((c) => c.side === -1);
    expect(exits.map((c) => `${c.type}:${c.price || c.stopPrice}:${c.size}`)).toEqual(["limit:110030:60000", "stop:109980:60000"]);
    h.fill(exits[0]!.id, 110030, 60_000);
    expect(exits[1]!.status).toBe("canceled");
    h.fill(1, 110000, 40_000);
    const more = h.children.filter((c) => c.side === -1 && c.status === "working");
    expect(more.map((c) => c.size)).toEqual([40_000, 40_000]);
    const stop = more.find((c) => c.type === "stop")!;
    h.fill(stop.id, 109980);
    expect(h.parent.finished).toBe("exited=100000");
  });

  test("OTO: the entry triggers one exit (a stop when asked)", () => {
    const h = startAlgo(oto as never, { instrument: EURUSD, side: -1, quantity: 50_000, params: { exitTicks: 15, exitType: "stop" }, bid: 110000, ask: 110002 });
    expect(h.children[0]!).toMatchObject({ side: -1, price: 110000, tif: "IOC" });
    h.fill(1, 110000);
    expect(h.children[1]!).toMatchObject({ side: 1, type: "stop", stopPrice: 110015, size: 50_000 });
    expect(h.children.length).toBe(2);
  });
});
