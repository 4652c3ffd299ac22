import { describe, expect, test } from "bun:test";
import { createStrategyHarness, type StrategyHarness } from "../../sdk/harness.ts";
import type { Instrument, OrderIntent } from "../../sdk/index.ts";
import avellanedaStoikov from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const VOL = "ewmavol_10000000";

/** Fixed volatility (no internal drift): sigma = 2 ticks per sqrt(s), so gamma*sigma^2*tau = 1.2 ticks per lot. */
const FIXED = { gamma: 0.01, k: 0.5, horizonSeconds: 30, initialSigmaTicks: 2, volHalfLifeSeconds: 1e9, volFeature: "", orderSize: 100_000, maxInventory: 200_000 };

function setup(params: Record<string, unknown> = {}, features: string[] = []) {
  return createStrategyHarness(avellanedaStoikov, { params: { ...FIXED, ...params }, instruments: [EURUSD], features: { names: features } });
}

/** The working bid and ask intents, by side. */
function working(h: StrategyHarness): { bid?: OrderIntent; ask?: OrderIntent } {
  const byId = new Map(h.intents.map((i) => [i.orderId, i.intent]));
  const open = h.openOrders.map((o) => byId.get(o.id)!);
  return { bid: open.find((i) => i.side === 1), ask: open.find((i) => i.side === -1) };
}

describe("avellaneda-stoikov quotes", () => {
  test("at zero inventory the quotes are post-only GTC limits symmetric around the mid", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    const { bid, ask } = working(h);
    expect(bid).toEqual({ instrument: 0, side: 1, type: "limit", tif: "GTC", price: 114417, size: 100_000, postOnly: true });
    expect(ask).toEqual({ instrument: 0, side: -1, type: "limit", tif: "GTC", price: 114424, size: 100_000, postOnly: true });
    expect(114420.5 - bid!.price!).toBe(ask!.price! - 114420.5);
  });

  test("when long, both quotes are skewed down; when short, up", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.fill(h.openOrders.find((o) => o.side === 1)!.id);
    expect(h.position("EURUSD")).toBe(100_000);
    const long = working(h);
    expect(long.bid!.price).toBe(114416); // floor(114420.5 - 1.2 - 2.58)
    expect(long.ask!.price).toBe(114422); // ceil(114420.5 - 1.2 + 2.58)
    h.fill(h.openOrders.find((o) => o.side === -1)!.id);
    h.fill(h.openOrders.find((o) => o.side === -1)!.id);
    expect(h.position("EURUSD")).toBe(-100_000);
    const short = working(h);
    expect(short.bid!.price).toBe(114419);
    expect(short.ask!.price).toBe(114425);
  });

  test("at max inventory the side that would grow it stops quoting; below it the size shrinks to fit", () => {
    const h = setup({ maxInventory: 150_000 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.fill(h.openOrders.find((o) => o.side === 1)!.id);
    expect(working(h).bid!.size).toBe(50_000);
    h.fill(h.openOrders.find((o) => o.side === 1)!.id);
    expect(h.position("EURUSD")).toBe(150_000);
    const { bid, ask } = working(h);
    expect(bid).toBeUndefined();
    expect(ask!.size).toBe(100_000);
    h.quote("EURUSD", 114421, 114422, 1_000_000, 1_000_000);
    expect(working(h).bid).toBeUndefined();
  });

  test("quotes never cross the touch, even with an inventory skew wider than the spread", () => {
    const h = setup({ gamma: 0.5, initialSigmaTicks: 3, k: 1, maxInventory: 1_000_000 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.fill(h.openOrders.find((o) => o.side === 1)!.id);
    const long = working(h);
    expect(long.ask!.price).toBe(114421); // wanted ~66 ticks under the mid: pinned one tick above the bid
    expect(long.bid!.price).toBeLessThan(114420);
    for (const { intent } of h.intents) {
      if (intent.side === 1) expect(intent.price!).toBeLessThanOrEqual(114420);
      else expect(intent.price!).toBeGreaterThanOrEqual(114421);
    }
  });

  test("a quote is replaced only when its desired price moves by requoteTicks", () => {
    const h = setup({ requoteTicks: 2 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    expect(h.intents).toHaveLength(2);
    h.quote("EURUSD", 114421, 114422, 1_000_000, 1_000_000); // desired prices move 1 tick
    expect(h.intents).toHaveLength(2);
    expect(h.cancels).toHaveLength(0);
    h.quote("EURUSD", 114422, 114423, 1_000_000, 1_000_000); // 2 ticks from the working ones
    expect(h.cancels).toEqual([1, 2]);
    expect(working(h)).toMatchObject({ bid: { price: 114419 }, ask: { price: 114426 } });
  });

  test("any fill requotes both sides, whatever the threshold", () => {
    const h = setup({ requoteTicks: 50 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.fill(1, 114417, 10_000);
    expect(h.cancels).toEqual([1, 2]);
    expect(working(h)).toMatchObject({ bid: { size: 100_000 }, ask: { size: 100_000 } });
    expect(h.openOrders).toHaveLength(2);
  });

  test("sigma comes from the feature engine's EWMA volatility when it is defined", () => {
    const h = setup({ volFeature: VOL, requoteTicks: 1 }, [VOL]);
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000); // feature NaN: internal sigma 2
    expect(working(h)).toMatchObject({ bid: { price: 114417 }, ask: { price: 114424 } });
    h.setFeature("EURUSD", VOL, 4 / 114420.5); // 4 ticks per sqrt(s): spread 4.8 + 3.96
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    expect(working(h)).toMatchObject({ bid: { price: 114416 }, ask: { price: 114425 } });
  });

  test("without the feature, a busier mid widens the quotes through the internal estimate", () => {
    const h = setup({ volHalfLifeSeconds: 1, initialSigmaTicks: 0.1 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    const calm = working(h);
    for (let i = 1; i <= 40; i++) {
      h.advance(50_000);
      const up = i % 2 === 0 ? 0 : 4;
      h.quote("EURUSD", 114420 + up, 114421 + up, 1_000_000, 1_000_000);
    }
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    const busy = working(h);
    expect(busy.ask!.price! - busy.bid!.price!).toBeGreaterThan(calm.ask!.price! - calm.bid!.price! + 10);
  });

  test("a refused quote backs off for rejectBackoffUs before quoting again", () => {
    const h = setup({ rejectBackoffUs: 1_000_000 });
    h.reject((it) => (it.side === 1 ? "POSITION_LIMIT: position=1000000" : null));
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    expect(h.intents.map((i) => [i.intent.side, i.rejected !== null])).toEqual([[1, true]]);
    h.reject(null);
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000, h.now() + 999_999);
    expect(h.intents).toHaveLength(1);
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000, h.now() + 1);
    expect(working(h)).toMatchObject({ bid: { price: 114417 }, ask: { price: 114424 } });
  });

  test("stop cancels both quotes and nothing is requoted after", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.stop();
    expect(h.openOrders).toHaveLength(0);
    expect(h.cancels).toEqual([1, 2]);
  });
});

describe("avellaneda-stoikov with cancels in flight", () => {
  test("a requote leaves one live quote per side once the venue confirms the cancels", () => {
    const h = createStrategyHarness(avellanedaStoikov, { params: FIXED, instruments: [EURUSD], pendingCancels: true });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.quote("EURUSD", 114422, 114423, 1_000_000, 1_000_000);
    expect(h.cancels).toEqual([1, 2]);
    expect(h.openOrders.filter((o) => o.status === "working").map((o) => o.price)).toEqual([114419, 114426]);
    h.fill(1); // the old bid fills before its cancel lands: inventory moves, both sides requote
    expect(h.position("EURUSD")).toBe(100_000);
    h.confirmCancels();
    const live = h.openOrders;
    expect(live.filter((o) => o.side === 1)).toHaveLength(1);
    expect(live.filter((o) => o.side === -1)).toHaveLength(1);
    expect(live.find((o) => o.side === 1)!.price).toBe(114418); // floor(114422.5 - 1.2 - 2.58)
  });
});

describe("avellaneda-stoikov trading state", () => {
  test("reducing: only the side that shrinks the inventory is quoted, for no more than the inventory; flat, nothing is quoted", () => {
    const h = setup({ orderSize: 100_000 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    h.fill(h.openOrders.find((o) => o.side === 1)!.id, undefined, 40_000);
    h.setTradingState("reducing");
    const { bid, ask } = working(h);
    expect(bid).toBeUndefined();
    expect(ask).toMatchObject({ side: -1, size: 40_000 });
    expect(h.logs.map((l) => l.message)).toContain("trading state");
    h.fill(h.openOrders.find((o) => o.side === -1)!.id);
    expect(h.position("EURUSD")).toBe(0);
    h.quote("EURUSD", 114425, 114426, 1_000_000, 1_000_000);
    expect(h.openOrders).toHaveLength(0);
    expect(h.held).toEqual({});
  });

  test("halted: every quote is pulled and none is sent; active again, both sides come back", () => {
    const h = setup();
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    expect(h.openOrders).toHaveLength(2);
    h.setTradingState("halted");
    expect(h.openOrders).toHaveLength(0);
    const sent = h.intents.length;
    h.quote("EURUSD", 114430, 114431, 1_000_000, 1_000_000);
    expect(h.intents).toHaveLength(sent);
    h.setTradingState("active");
    expect(working(h).bid).toBeDefined();
    expect(working(h).ask).toBeDefined();
  });
});

describe("avellaneda-stoikov quote life", () => {
  test("minQuoteLifeUs keeps a young quote through a price move; once old enough it is replaced", () => {
    const h = setup({ minQuoteLifeUs: 100_000, requoteTicks: 1 });
    h.quote("EURUSD", 114420, 114421, 1_000_000, 1_000_000);
    const first = h.intents.length;
    h.quote("EURUSD", 114425, 114426, 1_000_000, 1_000_000, h.now() + 50_000);
    expect(h.intents).toHaveLength(first);
    h.quote("EURUSD", 114425, 114426, 1_000_000, 1_000_000, h.now() + 50_000);
    expect(h.intents.length).toBe(first + 2);
  });
});
