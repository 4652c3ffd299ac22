import { expect, test } from "bun:test";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { OrderIntent } from "../../plugins/sdk/orders.ts";
import { L1Books } from "../data/l1-books.ts";
import { RiskEngine, type RiskRule } from "./engine.ts";
import { resolveLimits, type RiskLimitsConfig } from "./limits.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const LIMITS: RiskLimitsConfig = { maxPosition: 1_000_000, maxOrderNotional: 2_000_000, maxOrdersPerSecond: 3, priceCollarBps: 50, maxDailyLoss: 1000, maxDrawdown: 1500 };

function setup(opts: { position?: number; working?: number; rules?: RiskRule[] } = {}) {
  const books = new L1Books(1);
  books.applyQuote(0, 1, 110_000, 110_002, 1_000_000, 1_000_000);
  const engine = new RiskEngine([EURUSD], resolveLimits([EURUSD], LIMITS), LIMITS, books, {
    position: () => opts.position ?? 0,
    strategyPosition: () => opts.position ?? 0,
    working: () => opts.working ?? 0,
    toAccount: (_i, money) => money / 1e5,
  }, opts.rules ?? []);
  return engine;
}
const buy = (extra: Partial<OrderIntent> = {}): OrderIntent => ({ instrument: 0, side: 1, type: "limit", price: 110_000, size: 100_000, ...extra });

test("a sane order passes the whole chain", () => {
  expect(setup().check("s", buy(), 10)).toBeNull();
});

test("each rule refuses with its code and key=value context", () => {
  const e = setup();
  expect(e.check("s", buy({ size: 1500 }), 10)).toEqual({ code: "INVALID_SIZE", reason: "size=1500 min=1000 lot=1000" });
  expect(e.check("s", buy({ price: 0 }), 10)?.code).toBe("INVALID_PRICE");
  expect(e.check("s", buy({ price: 111_000 }), 10)).toEqual({ code: "PRICE_COLLAR", reason: "price=111000 mid2=220002 collar_bps=50" });
  expect(e.check("s", buy({ size: 2_000_000 }), 10)?.code).toBe("NOTIONAL_LIMIT");
  expect(e.check("s", buy({ reduceOnly: true }), 10)?.code).toBe("REDUCE_ONLY");
  expect(e.check("s", buy({ instrument: 7 }), 10)).toEqual({ code: "UNKNOWN_INSTRUMENT", reason: "instrument=7" });
  expect(e.check("s", buy({ tif: "GTD", expireTs: 5 }), 10)?.code).toBe("INVALID_EXPIRY");
});

test("the position limit counts working orders on the same side, and reducing orders always pass it", () => {
  expect(setup({ position: 900_000 }).check("s", buy(), 10)).toBeNull();
  expect(setup({ position: 950_000 }).check("s", buy(), 10)?.code).toBe("POSITION_LIMIT");
  expect(setup({ position: 800_000, working: 150_000 }).check("s", buy(), 10)?.code).toBe("POSITION_LIMIT");
  expect(setup({ position: 1_500_000 }).check("s", buy({ side: -1 }), 10)).toBeNull();
});

test("the rate limit allows N orders per sliding second per strategy", () => {
  const e = setup();
  for (let i = 0; i < 3; i++) expect(e.check("a", buy(), 1_000_000 + i)).toBeNull();
  expect(e.check("a", buy(), 1_000_010)?.code).toBe("RATE_LIMIT");
  expect(e.check("b", buy(), 1_000_010)).toBeNull();
  expect(e.check("a", buy(), 2_000_000)).toBeNull();
});

test("the kill switch refuses everything until released", () => {
  const e = setup();
  e.engageKill("operator");
  expect(e.check("s", buy(), 10)?.code).toBe("KILL_SWITCH");
  e.releaseKill();
  expect(e.check("s", buy(), 10)).toBeNull();
});

test("the loss breaker trips on daily loss or drawdown, lets reducing orders through, and re-arms next day", () => {
  const e = setup({ position: 500_000 });
  const day = 86_400_000_000;
  expect(e.onEquity(day + 1, 0)).toBeNull();
  expect(e.onEquity(day + 2, 800)).toBeNull();
  expect(e.onEquity(day + 3, -700)).toBe("drawdown=1500.00 max=1500");
  expect(e.check("s", buy(), day + 4)?.code).toBe("BREAKER_TRIPPED");
  expect(e.check("s", buy({ side: -1 }), day + 4)).toBeNull();
  expect(e.onEquity(2 * day + 1, -700)).toBeNull();
  expect(e.check("s", buy(), 2 * day + 2)).toBeNull();
});

test("plugin rules run last and can refuse", () => {
  const rule: RiskRule = { name: "no-big", check: (o) => (o.intent.size > 50_000 ? { code: "NO_BIG", reason: `size=${o.intent.size}` } : null) };
  const e = setup({ rules: [rule] });
  expect(e.check("s", buy(), 10)).toEqual({ code: "NO_BIG", reason: "size=100000" });
  expect(e.check("s", buy({ size: 50_000 }), 10)).toBeNull();
  expect(e.rejections.get("NO_BIG")).toBe(1);
});

test("reduce-only is judged on the strategy's own position", () => {
  const books = new L1Books(1);
  books.applyQuote(0, 1, 110_000, 110_002, 1_000_000, 1_000_000);
  const own = new Map([["long", 200_000], ["flat", 0]]);
  const e = new RiskEngine([EURUSD], resolveLimits([EURUSD], LIMITS), LIMITS, books, {
    position: () => 0,
    strategyPosition: (s) => own.get(s) ?? 0,
    working: () => 0,
    toAccount: (_i, money) => money / 1e5,
  });
  expect(e.check("long", buy({ side: -1, reduceOnly: true }), 10)).toBeNull();
  expect(e.check("long", buy({ side: -1, reduceOnly: true, size: 300_000 }), 10)?.code).toBe("REDUCE_ONLY");
  expect(e.check("flat", buy({ side: -1, reduceOnly: true }), 10)).toEqual({ code: "REDUCE_ONLY", reason: "strategy_position=0 side=-1 size=100000" });
});

test("a risk plugin's trading-state request: reducing refuses new exposure (RULE_REDUCING), halted refuses all (RULE_HALTED), the most restrictive request wins, withdrawing restores", () => {
  const long = setup({ position: 300_000 });
  expect(long.setRuleState("regime", "reducing", "model=m outside_bars=1", 5)).toBe(true);
  expect(long.setRuleState("regime", "reducing", "again", 6)).toBe(false);
  expect(long.tradingState).toBe("reducing");
  expect(long.heldCode("reducing")).toBe("RULE_REDUCING");
  expect(long.check("s", buy(), 10)).toEqual({ code: "RULE_REDUCING", reason: "rule=regime model=m outside_bars=1 position=300000 side=1 size=100000" });
  expect(long.check("s", buy({ side: -1 }), 10)).toBeNull();
  expect(long.check("s", buy({ side: -1, size: 400_000 }), 10)?.code).toBe("RULE_REDUCING");
  long.setRuleState("other", "halted", "why=test", 7);
  expect(long.tradingState).toBe("halted");
  expect(long.heldCode("halted")).toBe("RULE_HALTED");
  expect(long.check("s", buy({ side: -1 }), 10)).toEqual({ code: "RULE_HALTED", reason: "rule=other why=test" });
  long.setRuleState("other", "active", "", 8);
  expect(long.tradingState).toBe("reducing");
  long.setRuleState("regime", "active", "", 9);
  expect(long.tradingState).toBe("active");
  expect(long.ruleStates.size).toBe(0);
  expect(long.check("s", buy(), 10)).toBeNull();
  // The kill switch still names itself first.
  long.setRuleState("regime", "halted", "x=1", 11);
  long.engageKill("test");
  expect(long.check("s", buy(), 12)?.code).toBe("KILL_SWITCH");
  expect(long.heldCode("halted")).toBe("KILL_SWITCH");
});
