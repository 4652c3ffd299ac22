/**
 * The global risk client as a session's pre-trade rule: values the order in account currency
 * (its limit price, or the touch it would take) and lets the client's allowances decide; reads the
 * shard's gross exposure (|position| + working orders at mid, owned instruments) and its loss.
 */
import type { RiskRule } from "../../risk/engine.ts";
import type { Session } from "../../session/build.ts";
import type { GlobalRiskClient } from "./client.ts";

/** Money of an instrument in account currency; null without a conversion rate yet. */
function toAccount(session: Session, instrument: number, money: number): number | null {
  try {
    return session.core.portfolio.toAccount(instrument, money, session.config.account.currency);
  } catch {
    return null;
  }
}

/** Gross notional a shard session holds now, account currency. */
export function shardExposure(session: Session, symbols: readonly string[]): number {
  const core = session.core;
  let sum = 0;
  for (const inst of session.instruments) {
    if (!symbols.includes(inst.symbol)) continue;
    const units = Math.abs(core.portfolio.position(inst.id)) + core.working(inst.id, 1) + core.working(inst.id, -1);
    if (units === 0) continue;
    const book = core.books.books[inst.id]!;
    if (!book.valid) continue;
    const value = toAccount(session, inst.id, (book.mid2 / 2) * units);
    if (value !== null) sum += Math.abs(value);
  }
  return sum;
}

/** Loss of a shard session now (positive = money lost), account currency. */
export function shardLoss(session: Session): number {
  try {
    return Math.max(0, -session.core.portfolio.equity(session.config.account.currency));
  } catch {
    return 0;
  }
}

/** The pre-trade rule that spends the client's allowances. */
export function globalRiskRule(client: GlobalRiskClient, session: () => Session | null): RiskRule {
  return {
    name: "global-risk",
    check(order) {
      const s = session();
      if (s === null) return { code: "GLOBAL_NOT_READY", reason: `shard=${client.shard}` };
      const price = order.intent.price ?? (order.intent.side === 1 ? order.book.ask : order.book.bid);
      const notional = toAccount(s, order.instrument.id, price * order.intent.size);
      if (notional === null) return { code: "NO_CONVERSION_RATE", reason: `instrument=${order.instrument.symbol} rule=global-risk` };
      return client.check(Math.abs(notional));
    },
  };
}
