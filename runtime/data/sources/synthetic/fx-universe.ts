/**
 * The synthetic FX universe: the eight currencies EUR USD GBP JPY CHF AUD CAD NZD and the 28
 * pairs between them, each quoted in market convention (the currency that ranks first in
 * EUR > GBP > AUD > NZD > USD > CAD > CHF > JPY is the base). JPY pairs have 3 price decimals,
 * the others 5; sizes are whole units of the base currency, traded in lots of 1,000.
 */
import type { Instrument } from "../../../../plugins/sdk/instrument.ts";

/** The currencies of the synthetic universe; USD is the numeraire (index 1). */
export const CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD"] as const;

/** A currency of the synthetic universe. */
export type Currency = (typeof CURRENCIES)[number];

/** Index of USD in `CURRENCIES`: its log-value is 0 by definition. */
export const USD_INDEX = 1;

/** Market-convention rank: a pair's base is the currency with the smaller rank. */
const CONVENTION_RANK: Record<Currency, number> = { EUR: 0, GBP: 1, AUD: 2, NZD: 3, USD: 4, CAD: 5, CHF: 6, JPY: 7 };

/** A pair of the universe with its static market characteristics. */
export interface FxPair {
  readonly symbol: string;
  readonly base: Currency;
  readonly quote: Currency;
  readonly priceDecimals: number;
  /** Typical spread in price ticks in a normal session and regime. */
  readonly spreadTicks: number;
  /** Relative share of quote updates (majors update more often than crosses). */
  readonly activity: number;
}

/** Typical spreads in ticks before jitter and outward rounding (which add about 1.5); EURUSD then averages about 3.5 as on the real Dukascopy day, the others in proportion to usual retail ECN spreads. */
const SPREAD_TICKS: Record<string, number> = {
  EURUSD: 2, USDJPY: 3, GBPUSD: 5, AUDUSD: 4.5, USDCAD: 6, USDCHF: 6, NZDUSD: 8,
  EURGBP: 5, EURJPY: 6, EURCHF: 7, GBPJPY: 11, AUDJPY: 7, EURAUD: 10, EURCAD: 11,
};

const ACTIVITY: Record<string, number> = {
  EURUSD: 10, USDJPY: 8, GBPUSD: 7, AUDUSD: 5, USDCAD: 4, USDCHF: 4, NZDUSD: 3,
  EURJPY: 4, EURGBP: 3, GBPJPY: 3, AUDJPY: 2.5, EURCHF: 2, EURAUD: 2, EURCAD: 1.5,
};

/** Returns the 28 pairs in a fixed order: the seven USD majors first, then the crosses. */
export function fxPairs(): FxPair[] {
  const pairs: FxPair[] = [];
  const seen = new Set<string>();
  const add = (a: Currency, b: Currency): void => {
    const [base, quote] = CONVENTION_RANK[a] < CONVENTION_RANK[b] ? [a, b] : [b, a];
    const symbol = base + quote;
    if (seen.has(symbol)) return;
    seen.add(symbol);
    pairs.push({
      symbol,
      base,
      quote,
      priceDecimals: quote === "JPY" ? 3 : 5,
      spreadTicks: SPREAD_TICKS[symbol] ?? 15,
      activity: ACTIVITY[symbol] ?? 1,
    });
  };
  for (const c of CURRENCIES) if (c !== "USD") add(c, "USD");
  for (let i = 0; i < CURRENCIES.length; i++) for (let j = i + 1; j < CURRENCIES.length; j++) add(CURRENCIES[i], CURRENCIES[j]);
  return pairs;
}

/**
 * Builds the 28 synthetic FX instruments with ids 0..27 in `fxPairs()` order.
 * @example syntheticInstruments("sim")[0].symbol // "EURUSD"
 */
export function syntheticInstruments(venue: string): Instrument[] {
  return fxPairs().map((p, id) => ({
    id,
    symbol: p.symbol,
    venue,
    base: p.base,
    quote: p.quote,
    priceDecimals: p.priceDecimals,
    sizeDecimals: 0,
    lotSize: 1000,
    minSize: 1000,
  }));
}
