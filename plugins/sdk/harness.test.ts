import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { createStrategyHarness, HarnessSetupError, HarnessUsageError } from "./harness.ts";
import type { Instrument } from "./instrument.ts";
import type { OrderStatus } from "./orders.ts";
import { defineStrategy } from "./strategy.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const USDJPY: Instrument = { id: 3, symbol: "USDJPY", venue: "sim", base: "USD", quote: "JPY", priceDecimals: 3, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

const Params = Type.Object(
  {
    size: Type.Integer({ minimum: 1000, default: 1000 }),
    maxPosition: Type.Integer({ minimum: 0, default: 10_000 }),
    legs: Type.Array(Type.Object({ ticks: Type.Integer() }), { default: [] }),
  },
  { additionalProperties: false },
);

/** A small strategy that records what the harness tells it and does what the test's quotes ask. */
function recorder() {
  const seen: string[] = [];
  const plugin = defineStrategy({
    manifest: { name: "recorder", version: "1.0.0", kind: "strategy", sdk: "^0.1.0", params: Params, capabilities: ["orders", "timers", "features"] },
    create: (ctx) => ({
      onStart: () => void seen.push(`start@${ctx.now()}`),
      onQuote(c, q) {
        seen.push(`quote@${q.ts}`);
        // bidSize encodes a command: 1 buys at the bid, 2 sends an IOC at the ask, 3 cancels all.
        if (q.bidSize === 1) c.submit({ instrument: q.instrument, side: 1, type: "limit", price: q.bid, size: c.params.size });
        if (q.bidSize === 2) c.submit({ instrument: q.instrument, side: 1, type: "limit", tif: "IOC", price: q.ask, size: c.params.size });
        if (q.bidSize === 3) c.cancelAll();
      },
      onTrade: (_c, t) => void seen.push(`trade:${t.instrument}:${t.size}@${t.price}/${t.side}@${t.ts}`),
      onOrder: (_c, o) => void seen.push(`order:${o.id}:${o.status}`),
      onFill: (c, f) => void seen.push(`fill:${f.orderId}:${f.size}@${f.price} pos=${c.position(f.instrument)}`),
      onTimer: (c, token) => {
        seen.push(`timer:${token}@${c.now()}`);
        if (token === 7) c.setTimer(0, 8);
      },
    }),
  });
  return { plugin, seen };
}

describe("createStrategyHarness", () => {
  test("invalid params throw a setup error that names the path of each bad value", () => {
    const { plugin } = recorder();
    let err: unknown;
    try {
      createStrategyHarness(plugin, { params: { maxPosition: "ten", legs: [{ ticks: 1 }, { ticks: 1.5 }] }, instruments: [EURUSD] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessSetupError);
    const e = err as HarnessSetupError;
    expect(e.code).toBe("HARNESS_SETUP_INVALID");
    expect(e.plugin).toBe("recorder");
    expect(e.problems.some((p) => p.startsWith("params.maxPosition:") && p.includes('"ten"'))).toBe(true);
    expect(e.problems.some((p) => p.startsWith("params.legs[1].ticks:"))).toBe(true);
    expect(e.message).toContain("params.maxPosition");
  });

  test("unknown params are refused and defaults are applied to the rest", () => {
    const { plugin } = recorder();
    expect(() => createStrategyHarness(plugin, { params: { sise: 2000 }, instruments: [EURUSD] })).toThrow(HarnessSetupError);
    const h = createStrategyHarness(plugin, { params: { size: 2000 }, instruments: [EURUSD] });
    expect(h.params).toEqual({ size: 2000, maxPosition: 10_000, legs: [] });
  });

  test("a manifest's instrument range and required features are checked", () => {
    const { plugin } = recorder();
    const needy = { ...plugin, manifest: { ...plugin.manifest, instruments: { max: 1 }, features: ["imbalance"] } };
    let err: HarnessSetupError | undefined;
    try {
      createStrategyHarness(needy, { instruments: [EURUSD, USDJPY] });
    } catch (e) {
      err = e as HarnessSetupError;
    }
    expect(err?.problems).toHaveLength(2);
    expect(() => createStrategyHarness(needy, { instruments: [EURUSD], features: { names: ["imbalance"] } })).not.toThrow();
  });

  test("timers fire in due-time order, ties in the order they were set, each at its own time", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD], startTs: 1_000 });
    h.ctx.setTimer(300, 1);
    h.ctx.setTimer(100, 2);
    h.ctx.setTimer(100, 3);
    h.ctx.setTimer(100, 7); // sets a zero-delay timer 8 when it fires
    h.advance(250);
    expect(seen.slice(1)).toEqual(["timer:2@1100", "timer:3@1100", "timer:7@1100", "timer:8@1100"]);
    expect(h.now()).toBe(1_250);
    h.quote("EURUSD", 114420, 114421, 5, 5, 1_400);
    expect(seen.slice(5)).toEqual(["timer:1@1300", "quote@1400"]);
  });

  test("trades reach onTrade with their aggressor side, after the timers due before them", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD, USDJPY], startTs: 1_000 });
    h.ctx.setTimer(10, 4);
    h.trade("USDJPY", 150_101, 2_000_000, -1, 1_020);
    h.trade(0, 114_420, 5_000);
    expect(seen.slice(1)).toEqual(["timer:4@1010", "trade:3:2000000@150101/-1@1020", "trade:0:5000@114420/0@1020"]);
  });

  test("a quote in the past is refused", () => {
    const { plugin } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD], startTs: 1_000 });
    expect(() => h.quote(0, 1, 2, 5, 5, 999)).toThrow(HarnessUsageError);
  });

  test("fills move the position and the order's state; onFill comes before onOrder", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { params: { size: 3000 }, instruments: [EURUSD, USDJPY] });
    h.quote("USDJPY", 150_100, 150_102, 1, 9);
    expect(h.intents).toHaveLength(1);
    const id = h.intents[0]!.orderId;
    expect(h.intents[0]!.intent).toMatchObject({ instrument: 3, side: 1, price: 150_100, size: 3000 });
    expect(h.openOrders.map((o) => o.id)).toEqual([id]);
    h.fill(id, 150_100, 1000);
    expect(h.position("USDJPY")).toBe(1000);
    expect(h.position(0)).toBe(0);
    expect(h.order(id)?.status).toBe("partially-filled" satisfies OrderStatus);
    h.fill(id, 150_099);
    expect(h.position(3)).toBe(3000);
    expect(h.order(id)?.status).toBe("filled");
    expect(h.openOrders).toHaveLength(0);
    expect(seen.filter((s) => s.startsWith("fill") || s.startsWith("order"))).toEqual([
      "fill:1:1000@150100 pos=1000", "order:1:partially-filled", "fill:1:2000@150099 pos=3000", "order:1:filled",
    ]);
    expect(h.fills.map((f) => f.size)).toEqual([1000, 2000]);
    expect(() => h.fill(id)).toThrow(HarnessUsageError);
  });

  test("a fill worse than the limit or larger than what remains is refused", () => {
    const { plugin } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
    h.quote(0, 114420, 114421, 1, 9);
    const id = h.intents[0]!.orderId;
    expect(() => h.fill(id, 114421)).toThrow(HarnessUsageError);
    expect(() => h.fill(id, 114420, 2000)).toThrow(HarnessUsageError);
    expect(h.position(0)).toBe(0);
  });

  test("an IOC the test did not fill is canceled before the next event", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
    h.quote(0, 114420, 114421, 2, 9);
    const id = h.intents[0]!.orderId;
    expect(h.order(id)?.status).toBe("working");
    h.advance(1);
    expect(h.order(id)?.status).toBe("canceled");
    expect(seen).toContain(`order:${id}:canceled`);
    expect(h.cancels).toEqual([]);
  });

  test("cancelAll cancels every open order once and reports each to onOrder after the hook", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
    h.quote(0, 114420, 114421, 1, 9);
    h.quote(0, 114419, 114421, 1, 9);
    h.fill(1);
    h.quote(0, 114419, 114421, 3, 9);
    expect(h.cancels).toEqual([2]);
    expect(seen.at(-1)).toBe("order:2:canceled");
    expect(h.openOrders).toHaveLength(0);
  });

  test("with pendingCancels an order can still fill until its cancel is confirmed", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD], pendingCancels: true });
    h.quote(0, 114420, 114421, 1, 9);
    h.quote(0, 114420, 114421, 1, 9);
    h.quote(0, 114420, 114421, 3, 9);
    expect(h.cancels).toEqual([1, 2]);
    expect(h.openOrders.map((o) => o.status)).toEqual(["pending-cancel", "pending-cancel"]);
    h.fill(1, 114420, 1000);
    expect(h.order(1)?.status).toBe("filled");
    h.confirmCancels();
    expect(h.order(2)?.status).toBe("canceled");
    expect(h.position(0)).toBe(1000);
    expect(seen.filter((x) => x.startsWith("order"))).toEqual(["order:1:filled", "order:2:canceled"]);
  });

  test("the reject predicate refuses intents the way risk would", () => {
    const { plugin, seen } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
    h.reject((it) => (it.price !== undefined && it.price > 114_420 ? "RISK_PRICE_COLLAR: price=" + it.price : null));
    h.quote(0, 114421, 114422, 1, 9);
    h.quote(0, 114420, 114422, 1, 9);
    expect(h.intents.map((i) => i.rejected)).toEqual(["RISK_PRICE_COLLAR: price=114421", null]);
    expect(h.order(1)?.status).toBe("rejected");
    expect(seen).toContain("order:1:rejected");
    expect(h.openOrders.map((o) => o.id)).toEqual([2]);
  });

  test("intents with fractional prices or sizes off the lot are refused loudly", () => {
    const { plugin } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
    expect(() => h.ctx.submit({ instrument: 0, side: 1, type: "limit", price: 114420.5, size: 1000 })).toThrow(HarnessUsageError);
    expect(() => h.ctx.submit({ instrument: 0, side: 1, type: "limit", price: 114420, size: 1500 })).toThrow(/lotSize=1000/);
    expect(() => h.ctx.submit({ instrument: 1, side: 1, type: "market", size: 1000 })).toThrow(/not assigned/);
    expect(h.intents).toHaveLength(0);
  });

  test("a plugin without the timers capability cannot set timers", () => {
    const { plugin } = recorder();
    const noTimers = { ...plugin, manifest: { ...plugin.manifest, capabilities: ["orders" as const] } };
    const h = createStrategyHarness(noTimers, { instruments: [EURUSD] });
    let err: HarnessUsageError | undefined;
    try {
      h.ctx.setTimer(1, 1);
    } catch (e) {
      err = e as HarnessUsageError;
    }
    expect(err?.code).toBe("HARNESS_USAGE_INVALID");
    expect(err?.message).toContain('capability "timers"');
  });

  test("features start undefined (NaN), are found by name and set per instrument", () => {
    const { plugin } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD, USDJPY], features: { names: ["mid", "imbalance"] } });
    const k = h.ctx.featureIndex("imbalance");
    expect(k).toBe(1);
    expect(h.ctx.featureIndex("rsi")).toBe(-1);
    expect(Number.isNaN(h.ctx.features(0)[k]!)).toBe(true);
    h.setFeature("USDJPY", "imbalance", 0.75);
    expect(h.ctx.features(3)[k]).toBe(0.75);
    expect(Number.isNaN(h.ctx.features(0)[k]!)).toBe(true);
    expect(() => h.setFeature(0, "rsi", 1)).toThrow(HarnessUsageError);
  });

  test("positions held before start are visible to the plugin and move with fills", () => {
    const { plugin } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD, USDJPY], positions: { USDJPY: -5000 } });
    expect(h.ctx.position(3)).toBe(-5000);
    expect(h.ctx.position(0)).toBe(0);
    h.quote(3, 150_100, 150_102, 1, 9);
    h.fill(h.intents[0]!.orderId);
    expect(h.position("USDJPY")).toBe(-4000);
  });

  test("the book reflects the last quote and knows when it became valid", () => {
    const { plugin } = recorder();
    const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
    expect(h.ctx.book(0).valid).toBe(false);
    h.quote(0, 114420, 114423, 5, 6);
    expect(h.ctx.book(0)).toMatchObject({ bid: 114420, ask: 114423, bidSize: 5, askSize: 6, mid2: 228843, valid: true });
  });
});

describe("harness trading state", () => {
  const naive = defineStrategy({
    manifest: { name: "naive", version: "1.0.0", kind: "strategy", sdk: "^0.1.0", params: Type.Object({}), capabilities: ["orders"] },
    create(ctx) {
      return {
        onQuote(c, q) {
          c.submit({ instrument: q.instrument, side: 1, type: "limit", tif: "IOC", price: q.ask, size: 1000 });
          c.submit({ instrument: q.instrument, side: -1, type: "limit", tif: "IOC", price: q.bid, size: 1000 });
        },
        onTradingState(c, state) {
          c.log("state", { state, ctx: ctx.tradingState() });
        },
      };
    },
  });

  test("setTradingState tells the strategy once per change, and intents that can only be refused are held and counted, not submitted", () => {
    const h = createStrategyHarness(naive, { instruments: [EURUSD], positions: { EURUSD: 3000 } });
    expect(h.ctx.tradingState()).toBe("active");
    h.setTradingState("reducing");
    h.setTradingState("reducing");
    h.quote("EURUSD", 114420, 114421, 1, 1);
    // The buy adds to a long: held; the sell shrinks it: sent.
    expect(h.intents.map((i) => i.intent.side)).toEqual([-1]);
    expect(h.held).toEqual({ BREAKER_TRIPPED: 1 });
    h.setTradingState("halted");
    h.quote("EURUSD", 114420, 114421, 1, 1);
    expect(h.intents).toHaveLength(1);
    expect(h.held).toEqual({ BREAKER_TRIPPED: 1, KILL_SWITCH: 2 });
    expect(h.logs.map((l) => l.fields)).toEqual([{ state: "reducing", ctx: "reducing" }, { state: "halted", ctx: "halted" }]);
  });
});
