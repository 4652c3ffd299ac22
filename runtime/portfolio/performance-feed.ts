/**
 * Feeds a PerformanceTracker from a Portfolio in an account currency: per fill (after applyFill) its
 * realised P&L, fee and notional converted at current mids, and per sample the account equity. The
 * conversions are valuations (floats), as PerformanceTracker's figures are.
 */
import type { Fill } from "../../plugins/sdk/orders.ts";
import type { PerformanceTracker } from "./performance.ts";
import type { Portfolio } from "./portfolio.ts";

/** Records `fill`, which must be the fill the portfolio applied last, as a trade in `account` currency. */
export function recordFill(tracker: PerformanceTracker, portfolio: Portfolio, fill: Fill, account: string): void {
  const i = fill.instrument;
  tracker.onTrade(
    portfolio.toAccount(i, portfolio.lastRealised, account),
    portfolio.toAccount(i, fill.fee, account),
    portfolio.toAccount(i, fill.price * fill.size, account),
    portfolio.lastClosed > 0,
  );
}

/** Samples account equity: `capital` (in `account` currency) plus the portfolio's converted net P&L. */
export function sampleEquity(tracker: PerformanceTracker, portfolio: Portfolio, ts: number, capital: number, account: string): boolean {
  return tracker.sample(ts, capital + portfolio.equity(account));
}
