/**
 * The deployment's trading state as strategies see it, and which intents it lets through. The
 * runtime tells each strategy when the state changes (`onTradingState`) and answers
 * `ctx.tradingState()`; while the state is not "active", the strategy host does not forward the
 * intents that risk could only refuse: they are counted per reason, and `submit` returns 0 (no order).
 */
import type { Side } from "./orders.ts";

/**
 * - "active": orders go through the normal risk chain.
 * - "reducing": only orders that shrink the deployment's position in an instrument pass (the daily
 *   loss / drawdown breaker has tripped, and re-arms at the next UTC day; or a risk plugin asked for
 *   it with `ctx.requestTradingState`).
 * - "halted": no new order passes (the kill switch is engaged, and an operator releases it; or a
 *   risk plugin asked for it).
 */
export type TradingState = "active" | "reducing" | "halted";

/**
 * Why an intent was held back: the risk code it would have been refused with (`RULE_HALTED` /
 * `RULE_REDUCING` when the state is a risk plugin's request, not the kill switch or the breaker).
 */
export type HeldReason = "KILL_SWITCH" | "BREAKER_TRIPPED" | "RULE_HALTED" | "RULE_REDUCING";

/**
 * Returns the reason an intent of `side` and `size` can only be refused in `state` (as the kill
 * switch or the breaker would say it), given the
 * deployment-wide signed `position` of its instrument; null when it may go to risk.
 * @example
 * heldBy("reducing", 1, 100_000, -300_000); // null: a buy that shrinks a short
 * heldBy("reducing", 1, 100_000, 0); // "BREAKER_TRIPPED": new exposure
 */
export function heldBy(state: TradingState, side: Side, size: number, position: number): "KILL_SWITCH" | "BREAKER_TRIPPED" | null {
  if (state === "active") return null;
  if (state === "halted") return "KILL_SWITCH";
  const increases = position === 0 || Math.sign(position) === side;
  return increases || size > Math.abs(position) ? "BREAKER_TRIPPED" : null;
}
