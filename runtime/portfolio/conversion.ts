/**
 * Currency conversion at the current mids of the portfolio's own instruments. This is a valuation,
 * not accounting: results are floats. A rate from A to B is the mid of an instrument A/B, or the
 * inverse of the mid of B/A, or, when neither is present, the product of two such rates through one
 * intermediate currency (e.g. GBP to JPY via GBPUSD and USDJPY). Instruments not yet marked are not
 * used; the first usable instrument in instrument-id order wins.
 */
import { PortfolioError } from "./errors.ts";
import type { Portfolio } from "./portfolio.ts";

/** Mid of an instrument in quote currency per unit of base, or null if it is not marked or not positive. */
export function midPrice(p: Portfolio, instrument: number): number | null {
  if (!p.isMarked(instrument)) return null;
  const mid = (p.bid(instrument) + p.ask(instrument)) / 2 / 10 ** p.instruments[instrument].priceDecimals;
  return mid > 0 ? mid : null;
}

/** Units of `to` per unit of `from` at current mids, or null when no pair (direct, inverted, one hop) is marked. */
export function conversionRate(p: Portfolio, from: string, to: string): number | null {
  if (from === to) return 1;
  const direct = directRate(p, from, to);
  if (direct !== null) return direct;
  for (const inst of p.instruments) {
    for (const via of [inst.base, inst.quote]) {
      if (via === from || via === to) continue;
      const a = directRate(p, from, via);
      const b = a === null ? null : directRate(p, via, to);
      if (a !== null && b !== null) return a * b;
    }
  }
  return null;
}

/**
 * Sum of every quote currency's net P&L (realised + unrealised - fees) converted to `account` at
 * current mids, as a float in whole units of `account`. Starting capital is the caller's to add.
 * Throws PORTFOLIO_NO_RATE if a currency with non-zero P&L cannot be converted.
 */
export function equityIn(p: Portfolio, account: string): number {
  let total = 0;
  for (const c of p.pnlByCurrency()) {
    if (c.net === 0) continue;
    const rate = conversionRate(p, c.currency, account);
    if (rate === null) throw new PortfolioError("PORTFOLIO_NO_RATE", `from=${c.currency} to=${account} net=${c.net} decimals=${c.decimals}`);
    total += (c.net / 10 ** c.decimals) * rate;
  }
  return total;
}

function directRate(p: Portfolio, from: string, to: string): number | null {
  for (const inst of p.instruments) {
    if (inst.base === from && inst.quote === to) {
      const mid = midPrice(p, inst.id);
      if (mid !== null) return mid;
    } else if (inst.base === to && inst.quote === from) {
      const mid = midPrice(p, inst.id);
      if (mid !== null) return 1 / mid;
    }
  }
  return null;
}
