import { describe, expect, test } from "bun:test";
import { createStrategyHarness } from "../../sdk/harness.ts";
import type { Instrument } from "../../sdk/index.ts";
import obiScalper from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const GBPUSD: Instrument = { id: 1, symbol: "GBPUSD", venue: "sim", base: "GBP", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

function setup(params: Record<string, unknown> = {}, features: string[] = []) {
  return createStrategyHarness(obiScalper, { params, instruments: [EURUSD, GBPUSD], features: { names: features } });
}

/** Enters long at 114420 with a resting buy that the test fills; returns the harness. */
function longAt114420(params: Record<string, unknown> = {}) {
  const h = setup(params);
  h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
  h.fill(h.intents[0]!.orderId);
  return h;
}

describe("obi-scalper entries", () => {
  test("a strong bid imbalance with a tight spread joins the bid with a post-only buy", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    expect(h.intents).toHaveLength(1);
    expect(h.intents[0]!.intent).toEqual({ instrument: 0, side: 1, type: "limit", tif: "GTC", price: 114420, size: 100_000, postOnly: true, tag: "obi:join" });
  });

  test("an ask-side imbalance joins the ask with a sell", () => {
    const h = setup();
    h.quote("GBPUSD", 127010, 127012, 100_000, 700_000);
    expect(h.intents.map((i) => i.intent)).toEqual([{ instrument: 1, side: -1, type: "limit", tif: "GTC", price: 127012, size: 100_000, postOnly: true, tag: "obi:join" }]);
  });

  test("a very strong imbalance takes the opposite touch with an IOC", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 950_000, 50_000);
    expect(h.intents[0]!.intent).toMatchObject({ side: 1, tif: "IOC", price: 114421 });
    h.quote("GBPUSD", 127010, 127011, 10_000, 990_000);
    expect(h.intents[1]!.intent).toMatchObject({ instrument: 1, side: -1, tif: "IOC", price: 127010 });
  });

  test("a wide spread or a weak imbalance produces no intent", () => {
    const h = setup({ maxSpreadTicks: 2 });
    h.quote("EURUSD", 114420, 114423, 950_000, 50_000);
    h.quote("EURUSD", 114420, 114421, 550_000, 450_000);
    expect(h.intents).toHaveLength(0);
    h.quote("EURUSD", 114420, 114422, 950_000, 50_000);
    expect(h.intents).toHaveLength(1);
  });

  test("the feature engine's imbalance wins over the quote; a NaN feature falls back to the quote", () => {
    const h = setup({}, ["imbalance"]);
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000); // feature NaN: quote says buy
    expect(h.intents[0]!.intent.side).toBe(1);
    h.setFeature("GBPUSD", "imbalance", -0.7);
    h.quote("GBPUSD", 127010, 127011, 900_000, 100_000); // quote says buy, feature says sell
    expect(h.intents[1]!.intent).toMatchObject({ instrument: 1, side: -1, price: 127011 });
  });

  test("imbalanceFeature names the feature to read; an empty name ignores the feature engine", () => {
    const named = setup({ imbalanceFeature: "pressure" }, ["imbalance", "pressure"]);
    named.setFeature("EURUSD", "imbalance", 0.9);
    named.setFeature("EURUSD", "pressure", -0.9);
    named.quote("EURUSD", 114420, 114421, 500_000, 500_000);
    expect(named.intents[0]!.intent.side).toBe(-1);
    const off = setup({ imbalanceFeature: "" }, ["imbalance"]);
    off.setFeature("EURUSD", "imbalance", -0.9);
    off.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    expect(off.intents[0]!.intent.side).toBe(1);
  });

  test("minEdgeTicks requires the microprice to lean far enough from the mid", () => {
    const h = setup({ minEdgeTicks: 0.45 });
    h.quote("EURUSD", 114420, 114421, 800_000, 200_000); // edge 0.3 ticks
    expect(h.intents).toHaveLength(0);
    h.quote("EURUSD", 114420, 114422, 800_000, 200_000); // edge 0.6 ticks
    expect(h.intents).toHaveLength(1);
  });

  test("the entry size is capped by maxPosition and rounded down to the lot", () => {
    const h = setup({ orderSize: 250_000, maxPosition: 75_500 });
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    expect(h.intents[0]!.intent.size).toBe(75_000);
  });

  test("a refused entry backs off for rejectBackoffUs, then tries again", () => {
    const h = setup({ rejectBackoffUs: 1_000_000 });
    h.reject(() => "RATE_LIMIT: orders=10");
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    h.reject(null);
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000, h.now() + 999_999);
    expect(h.intents).toHaveLength(1);
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000, h.now() + 1);
    expect(h.intents.map((i) => i.rejected === null)).toEqual([false, true]);
  });

  test("a refused take-profit is not resent on every quote", () => {
    const h = setup({ rejectBackoffUs: 1_000_000 });
    h.quote("EURUSD", 114420, 114421, 500_000, 500_000);
    h.reject((it) => (it.side === -1 ? "PRICE_COLLAR: price=" + it.price : null));
    const stray = h.ctx.submit({ instrument: 0, side: 1, type: "limit", price: 114420, size: 20_000 });
    h.fill(stray);
    for (let i = 0; i < 5; i++) h.quote("EURUSD", 114420, 114421, 500_000, 500_000, h.now() + 100_000);
    expect(h.intents.filter((i) => i.intent.side === -1)).toHaveLength(1);
    h.reject(null);
    h.quote("EURUSD", 114420, 114421, 500_000, 500_000, h.now() + 500_000);
    expect(h.openOrders.map((o) => o.side)).toEqual([-1]);
  });
});

describe("obi-scalper stale entries", () => {
  test("an unfilled entry is canceled by its timer after staleOrderUs", () => {
    const h = setup({ staleOrderUs: 2_000_000 });
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    const id = h.intents[0]!.orderId;
    h.advance(1_999_999);
    expect(h.cancels).toEqual([]);
    h.advance(1);
    expect(h.cancels).toEqual([id]);
  });

  test("an entry no longer at the touch, or whose signal faded, is canceled on the next quote", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    h.quote("EURUSD", 114421, 114422, 900_000, 100_000); // bid moved up: our bid is behind
    expect(h.cancels).toEqual([h.intents[0]!.orderId]);
    h.quote("EURUSD", 114421, 114422, 900_000, 100_000); // re-enters at the new bid
    expect(h.intents[1]!.intent.price).toBe(114421);
    h.quote("EURUSD", 114421, 114422, 550_000, 450_000); // imbalance 0.1 < 0.3
    expect(h.cancels).toEqual([1, 2]);
  });
});

describe("obi-scalper exits", () => {
  test("a filled entry rests a post-only take-profit; its fill closes the position and starts the cooldown", () => {
    const h = longAt114420({ takeProfitTicks: 3, cooldownUs: 5_000_000 });
    expect(h.position("EURUSD")).toBe(100_000);
    const tp = h.intents[1]!;
    expect(tp.intent).toEqual({ instrument: 0, side: -1, type: "limit", tif: "GTC", price: 114423, size: 100_000, postOnly: true, tag: "obi:take-profit" });
    h.fill(tp.orderId);
    expect(h.position("EURUSD")).toBe(0);
    expect(h.logs.map((l) => l.message)).toContain("position closed");
    h.quote("EURUSD", 114423, 114424, 900_000, 100_000);
    expect(h.intents).toHaveLength(2); // cooling down
    h.advance(5_000_000);
    h.quote("EURUSD", 114423, 114424, 900_000, 100_000);
    expect(h.intents).toHaveLength(3);
    expect(h.intents[2]!.intent).toMatchObject({ side: 1, price: 114423 });
  });

  test("a stop-loss cancels the take-profit and flattens with an IOC at the bid", () => {
    const h = longAt114420({ stopLossTicks: 5 });
    const tp = h.intents[1]!.orderId;
    h.quote("EURUSD", 114416, 114417, 500_000, 500_000); // 4 ticks down: hold
    expect(h.intents).toHaveLength(2);
    h.quote("EURUSD", 114415, 114416, 500_000, 500_000); // 5 ticks down: stop
    expect(h.cancels).toEqual([tp]);
    expect(h.intents[2]!.intent).toEqual({ instrument: 0, side: -1, type: "limit", tif: "IOC", price: 114415, size: 100_000, tag: "obi:stop-loss" });
    h.fill(h.intents[2]!.orderId);
    expect(h.position("EURUSD")).toBe(0);
  });

  test("an unfilled flattening IOC is sent again on the next quote at the new touch", () => {
    const h = longAt114420({ stopLossTicks: 5 });
    h.quote("EURUSD", 114414, 114415, 500_000, 500_000);
    h.fill(h.intents[2]!.orderId, 114414, 40_000);
    h.quote("EURUSD", 114413, 114414, 500_000, 500_000);
    expect(h.intents[3]!.intent).toMatchObject({ side: -1, tif: "IOC", price: 114413, size: 60_000 });
  });

  test("the max holding time flattens the position when its timer fires", () => {
    const h = longAt114420({ maxHoldUs: 30_000_000 });
    h.advance(29_999_999);
    expect(h.intents).toHaveLength(2);
    h.advance(1);
    expect(h.cancels).toEqual([h.intents[1]!.orderId]);
    expect(h.intents[2]!.intent).toMatchObject({ side: -1, tif: "IOC", price: 114420, size: 100_000, tag: "obi:max-hold" });
    expect(h.logs.map((l) => l.message)).toContain("max hold time reached");
  });

  test("a hold timer of a closed position does nothing to the next one", () => {
    const h = longAt114420({ maxHoldUs: 10_000_000, cooldownUs: 1 });
    h.fill(h.intents[1]!.orderId); // take-profit at +3
    h.advance(5_000_000);
    h.quote("EURUSD", 114423, 114424, 900_000, 100_000);
    h.fill(h.intents[2]!.orderId); // second position opens at t=5s
    h.advance(5_000_000); // first position's timer fires at t=10s
    expect(h.intents).toHaveLength(4);
    h.advance(5_000_000); // second position's timer at t=15s
    expect(h.intents[4]!.intent).toMatchObject({ side: -1, tif: "IOC" });
  });

  test("a partly filled entry is canceled and the take-profit covers what was filled", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    const entry = h.intents[0]!.orderId;
    h.fill(entry, 114420, 30_000);
    expect(h.cancels).toEqual([entry]);
    expect(h.intents[1]!.intent).toMatchObject({ side: -1, price: 114423, size: 30_000 });
  });

  test("a short position takes profit below and stops out above its entry", () => {
    const h = setup();
    h.quote("GBPUSD", 127010, 127011, 100_000, 900_000);
    h.fill(h.intents[0]!.orderId);
    expect(h.position("GBPUSD")).toBe(-100_000);
    expect(h.intents[1]!.intent).toMatchObject({ side: 1, price: 127008 });
    h.quote("GBPUSD", 127015, 127016, 500_000, 500_000);
    expect(h.intents[2]!.intent).toMatchObject({ side: 1, tif: "IOC", price: 127016 });
  });

  test("stop cancels every working order", () => {
    const h = longAt114420();
    h.stop();
    expect(h.openOrders).toHaveLength(0);
    expect(h.cancels).toEqual([h.intents[1]!.orderId]);
  });
});

describe("obi-scalper recovery", () => {
  test("a position found at start is adopted at the mid: take-profit, stop-loss and hold timer apply", () => {
    const h = createStrategyHarness(obiScalper, { params: { maxHoldUs: 1_000_000 }, instruments: [EURUSD], positions: { EURUSD: -40_000 } });
    h.quote("EURUSD", 114420, 114422, 500_000, 500_000);
    expect(h.intents[0]!.intent).toMatchObject({ side: 1, type: "limit", tif: "GTC", price: 114418, size: 40_000 });
    expect(h.logs.map((l) => l.message)).toContain("position adopted");
    h.advance(1_000_000);
    expect(h.intents[1]!.intent).toMatchObject({ side: 1, tif: "IOC", price: 114422, size: 40_000 });
  });

  test("a fill from an order it was not tracking still gets a take-profit", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 500_000, 500_000);
    const stray = h.ctx.submit({ instrument: 0, side: 1, type: "limit", price: 114420, size: 20_000 });
    h.fill(stray);
    expect(h.intents[1]!.intent).toMatchObject({ side: -1, price: 114423, size: 20_000 });
  });
});

describe("obi-scalper with cancels in flight", () => {
  const racy = (params: Record<string, unknown> = {}) =>
    createStrategyHarness(obiScalper, { params, instruments: [EURUSD], pendingCancels: true });

  test("an entry that fills while its cancel is in flight becomes a managed position, with no second entry", () => {
    const h = racy();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    h.quote("EURUSD", 114421, 114422, 900_000, 100_000); // off the touch: cancel sent
    h.quote("EURUSD", 114421, 114422, 900_000, 100_000); // still waiting: no new entry
    expect(h.cancels).toEqual([1]);
    expect(h.intents).toHaveLength(1);
    h.fill(1);
    expect(h.intents[1]!.intent).toMatchObject({ side: -1, price: 114423, size: 100_000, tag: "obi:take-profit" });
    h.confirmCancels();
    expect(h.openOrders.map((o) => o.id)).toEqual([2]);
  });

  test("a stop-loss waits for the take-profit's cancel before it flattens", () => {
    const h = racy();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    h.fill(1);
    h.quote("EURUSD", 114414, 114415, 500_000, 500_000);
    expect(h.cancels).toEqual([2]);
    expect(h.intents).toHaveLength(2);
    h.confirmCancels();
    expect(h.intents[2]!.intent).toMatchObject({ side: -1, tif: "IOC", price: 114414, size: 100_000, tag: "obi:stop-loss" });
  });

  test("a take-profit that fills while its cancel is in flight closes the position and nothing flattens it again", () => {
    const h = racy();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    h.fill(1);
    h.quote("EURUSD", 114414, 114415, 500_000, 500_000);
    h.fill(2);
    h.confirmCancels();
    h.quote("EURUSD", 114414, 114415, 500_000, 500_000);
    expect(h.position("EURUSD")).toBe(0);
    expect(h.intents).toHaveLength(2);
  });
});

describe("obi-scalper trading state", () => {
  test("reducing: the working entry is canceled and no new entry is tried, however strong the signal", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    const entry = h.intents[0]!.orderId;
    h.setTradingState("reducing");
    expect(h.cancels).toEqual([entry]);
    h.quote("EURUSD", 114420, 114421, 950_000, 50_000, h.now() + 10_000_000);
    expect(h.intents).toHaveLength(1);
    expect(h.held).toEqual({}); // it did not even try
  });

  test("reducing with a position: the take-profit stays and a stop-loss still flattens", () => {
    const h = longAt114420({ stopLossTicks: 5 });
    h.setTradingState("reducing");
    expect(h.openOrders.map((o) => o.side)).toEqual([-1]);
    h.quote("EURUSD", 114414, 114415, 500_000, 500_000);
    expect(h.intents.at(-1)!.intent).toMatchObject({ side: -1, tif: "IOC", tag: "obi:stop-loss" });
    h.fill(h.intents.at(-1)!.orderId);
    expect(h.position("EURUSD")).toBe(0);
  });

  test("halted: nothing is sent; active again, entries resume", () => {
    const h = setup({ cooldownUs: 0 });
    h.setTradingState("halted");
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    expect(h.intents).toHaveLength(0);
    h.setTradingState("active");
    h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
    expect(h.intents).toHaveLength(1);
    expect(h.logs.filter((l) => l.message === "trading state").map((l) => l.fields?.state)).toEqual(["halted", "active"]);
  });
});

describe("obi-scalper stop reference", () => {
  test("a taker entry across a wide spread is not stopped out by the spread it paid: the stop counts from the bid at entry", () => {
    const h = setup({ stopLossTicks: 5, maxSpreadTicks: 10 });
    h.quote("EURUSD", 114420, 114426, 950_000, 50_000); // strong: buys the ask, 6 ticks above the bid
    expect(h.intents[0]!.intent).toMatchObject({ side: 1, tif: "IOC", price: 114426 });
    h.fill(h.intents[0]!.orderId, 114426, undefined, "taker");
    h.quote("EURUSD", 114420, 114426, 500_000, 500_000); // unchanged market: hold
    expect(h.intents.filter((i) => i.intent.tag === "obi:stop-loss")).toHaveLength(0);
    h.quote("EURUSD", 114416, 114422, 500_000, 500_000); // bid 4 below its entry level: hold
    expect(h.intents.filter((i) => i.intent.tag === "obi:stop-loss")).toHaveLength(0);
    h.quote("EURUSD", 114415, 114421, 500_000, 500_000); // 5 below: stop
    expect(h.intents.at(-1)!.intent).toMatchObject({ side: -1, tif: "IOC", price: 114415, tag: "obi:stop-loss" });
  });
});
