/**
 * Per-currency totals of a portfolio, exact: P&L grouped by quote currency, and exposure per
 * currency. Instruments that share a currency may use different scales, so each currency's total is
 * given at the largest number of decimals among its contributors (rescaling by a power of ten is
 * exact and overflow-checked).
 */
import { moneyDecimals } from "../../plugins/sdk/instrument.ts";
import { PortfolioError } from "./errors.ts";
import { addExact, mulExact } from "./exact-math.ts";
import type { Portfolio } from "./portfolio.ts";

/** Exact P&L in one quote currency: integers in units of 10^-decimals of `currency`. */
export interface CurrencyPnl {
  readonly currency: string;
  readonly decimals: number;
  readonly realised: number;
  readonly unrealised: number;
  readonly fees: number;
  /** Funding of perpetuals (received > 0). */
  readonly funding: number;
  /** realised + unrealised - fees + funding. */
  readonly net: number;
}

/**
 * Exposure to one currency, in units of 10^-decimals of it: `long` sums the positive legs (>= 0),
 * `short` the negative ones (<= 0), `net` both. A position of +q on BASE/QUOTE bought for a total
 * cost c is a base leg of +q and a quote leg of -c: quote legs are the quote amounts exchanged for
 * the open lots (cost basis), not marked values; realised P&L and fees are in CurrencyPnl instead.
 */
export interface CurrencyExposure {
  readonly currency: string;
  readonly decimals: number;
  readonly long: number;
  readonly short: number;
  readonly net: number;
}

/** Sums P&L per quote currency, currencies in alphabetical order. */
export function pnlByCurrency(p: Portfolio): CurrencyPnl[] {
  const decimals = new Map<string, number>();
  for (const inst of p.instruments) decimals.set(inst.quote, Math.max(decimals.get(inst.quote) ?? 0, moneyDecimals(inst)));
  const out: CurrencyPnl[] = [];
  for (const currency of [...decimals.keys()].sort()) {
    const dec = decimals.get(currency) as number;
    let realised = 0;
    let unrealised = 0;
    let fees = 0;
    let funding = 0;
    for (const inst of p.instruments) {
      if (inst.quote !== currency) continue;
      const scale = 10 ** (dec - moneyDecimals(inst));
      realised = addExact(realised, mulExact(p.realised(inst.id), scale));
      unrealised = addExact(unrealised, mulExact(p.unrealised(inst.id), scale));
      fees = addExact(fees, mulExact(p.fees(inst.id), scale));
      funding = addExact(funding, mulExact(p.funding(inst.id), scale));
    }
    const net = addExact(realised, unrealised) - fees + funding;
    if (!Number.isSafeInteger(net)) throw overflow(currency, dec);
    out.push({ currency, decimals: dec, realised, unrealised, fees, funding: funding + 0, net: net + 0 });
  }
  return out;
}

/** Sums exposure legs per currency, currencies in alphabetical order. */
export function currencyExposure(p: Portfolio): CurrencyExposure[] {
  const decimals = new Map<string, number>();
  const widen = (c: string, d: number) => decimals.set(c, Math.max(decimals.get(c) ?? 0, d));
  for (const inst of p.instruments) {
    widen(inst.base, inst.sizeDecimals);
    widen(inst.quote, moneyDecimals(inst));
  }
  const out: CurrencyExposure[] = [];
  for (const currency of [...decimals.keys()].sort()) {
    const dec = decimals.get(currency) as number;
    let long = 0;
    let short = 0;
    const leg = (amount: number, legDecimals: number) => {
      const scaled = mulExact(amount, 10 ** (dec - legDecimals));
      if (scaled > 0) long = addExact(long, scaled);
      else if (scaled < 0) short = addExact(short, scaled);
      else if (Number.isNaN(scaled)) long = Number.NaN;
    };
    for (const inst of p.instruments) {
      if (inst.base === currency) leg(p.position(inst.id), inst.sizeDecimals);
      if (inst.quote === currency) leg(-p.signedCost(inst.id), moneyDecimals(inst));
    }
    const net = addExact(long, short);
    if (Number.isNaN(net)) throw overflow(currency, dec);
    out.push({ currency, decimals: dec, long, short, net });
  }
  return out;
}

function overflow(currency: string, decimals: number): PortfolioError {
  return new PortfolioError("PORTFOLIO_OVERFLOW", `currency=${currency} decimals=${decimals}`);
}
