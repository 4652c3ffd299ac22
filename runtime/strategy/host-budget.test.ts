/**
 * The host's hook timing: consecutive strategies of one dispatch share a clock read at their
 * boundary, and still each call is charged only its own time — a slow strategy's overrun is its
 * own, a fast one after it is not charged the slow one's time, an isolated (unbudgeted) strategy
 * between them is charged to neither, and a quarantine at the overrun limit does not leak into the
 * next strategy's call.
 */
import { expect, test } from "bun:test";
import type { StrategyPlugin } from "../../plugins/sdk/strategy.ts";
import { HookBudget, StrategyHost, StrategySlot } from "./host.ts";
import type { RuntimeStrategyContext } from "./context.ts";

const spin = (ms: number): void => {
  const until = Bun.nanoseconds() + ms * 1e6;
  while (Bun.nanoseconds() < until);
};

/** A plugin whose onQuote/onTrade/onTradingState block for `ms` milliseconds. */
const plugin = (ms: number): StrategyPlugin =>
  ({
    manifest: { name: "t", version: "1.0.0" },
    create: () => ({ onQuote: () => spin(ms), onTrade: () => spin(ms), onTradingState: () => spin(ms) }),
  }) as unknown as StrategyPlugin;

function host(specs: { name: string; ms: number; budgetMs: number | null; maxOverruns?: number }[]): { host: StrategyHost; slots: StrategySlot[]; failed: string[] } {
  const failed: string[] = [];
  const h = new StrategyHost(1, (slot, hook, err) => failed.push(`${slot.name}:${hook}:${err instanceof Error ? err.message : String(err)}`));
  const slots = specs.map((s) => {
    const slot = new StrategySlot(s.name, plugin(s.ms), {} as RuntimeStrategyContext, [0], "leave");
    if (s.budgetMs !== null) slot.budget = new HookBudget(s.budgetMs * 1e6, s.maxOverruns);
    h.add(slot);
    return slot;
  });
  return { host: h, slots, failed };
}

const quote = { ts: 1, instrument: 0, bid: 100, ask: 101, bidSize: 1, askSize: 1 };
const trade = { ts: 1, instrument: 0, price: 100, size: 1, side: 1 };

test("a slow strategy's overruns are its own; the fast ones after it, budgeted or not, are not charged its time", () => {
  const { host: h, slots } = host([
    { name: "slow", ms: 30, budgetMs: 20 },
    { name: "isolated", ms: 30, budgetMs: null },
    { name: "fast", ms: 0, budgetMs: 20 },
    { name: "fast2", ms: 0, budgetMs: 20 },
  ]);
  for (let i = 0; i < 3; i++) h.onQuote(quote);
  h.onTrade(trade as never);
  h.onTradingState("normal" as never);
  const [slow, , fast, fast2] = slots;
  expect(slow!.budget!.calls).toBe(5);
  expect(slow!.budget!.overruns).toBe(5);
  expect(slow!.budget!.worstNs).toBeGreaterThanOrEqual(30e6);
  for (const f of [fast!, fast2!]) {
    expect(f.budget!.calls).toBe(5);
    expect(f.budget!.overruns).toBe(0);
    expect(f.budget!.worstNs).toBeLessThan(20e6);
  }
});

test("at its overrun limit a strategy is quarantined and the next one's call is timed from its own start", () => {
  const { host: h, slots, failed } = host([
    { name: "capped", ms: 30, budgetMs: 20, maxOverruns: 2 },
    { name: "fast", ms: 0, budgetMs: 20 },
  ]);
  h.onQuote(quote);
  h.onQuote(quote);
  h.onQuote(quote);
  expect(slots[0]!.state).toBe("quarantined");
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatch(/^capped:onQuote:PLUGIN_OVERRUN: strategy=capped overruns=2 budgetUs=20000 worstUs=\d+ worstHook=onQuote \(maxOverruns reached\)$/);
  expect(slots[0]!.budget!.calls).toBe(2);
  expect(slots[1]!.budget!.calls).toBe(3);
  expect(slots[1]!.budget!.overruns).toBe(0);
});

test("an overrun-limit action that blocks is not charged to the next strategy", () => {
  const { host: h, slots } = host([
    { name: "capped", ms: 30, budgetMs: 20, maxOverruns: 1 },
    { name: "fast", ms: 0, budgetMs: 20 },
  ]);
  slots[0]!.onOverrunLimit = () => spin(30);
  h.onQuote(quote);
  expect(slots[0]!.budget!.overruns).toBe(1);
  expect(slots[1]!.budget!.overruns).toBe(0);
  expect(slots[1]!.budget!.worstNs).toBeLessThan(20e6);
});
