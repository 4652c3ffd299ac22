/**
 * Settlement: the value date of a trade. FX spot settles two business days after the trade date
 * (T+2), except the pairs that settle T+1 by market convention (USD/CAD, USD/TRY, USD/RUB, USD/PHP);
 * crypto settles on the trade date (T+0). Business days skip Saturdays and Sundays; holiday calendars
 * are not modelled. The trade date is the UTC date of the fill.
 */

/** Pairs (either order) that settle T+1. */
const T_PLUS_ONE = new Set(["USDCAD", "CADUSD", "USDTRY", "TRYUSD", "USDRUB", "RUBUSD", "USDPHP", "PHPUSD"]);

/** Currencies treated as crypto assets (settle T+0). */
const CRYPTO = new Set(["BTC", "ETH", "USDT", "USDC", "BNB", "SOL", "XRP", "ADA", "DOGE", "LTC", "DOT", "AVAX", "MATIC", "LINK", "TRX", "BCH", "FDUSD", "BUSD"]);

/** A settlement convention. */
export type SettlementConvention = "T+0" | "T+1" | "T+2";

const DAY_US = 86_400_000_000;

/** The settlement convention of a pair. */
export function settlementConvention(base: string, quote: string): SettlementConvention {
  if (CRYPTO.has(base) || CRYPTO.has(quote)) return "T+0";
  return T_PLUS_ONE.has(`${base}${quote}`) ? "T+1" : "T+2";
}

/** The UTC trade date (YYYY-MM-DD) of a time in microseconds. */
export function tradeDateOf(ts: number): string {
  return new Date(Math.floor(ts / 1000)).toISOString().slice(0, 10);
}

/** Microseconds at the start of a UTC date (YYYY-MM-DD); NaN when it is not a date. */
export function dayStartUs(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return Number.NaN;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date ? Number.NaN : ms * 1000;
}

/** The value date of a trade on `tradeDate` under `convention`: business days after it, weekends skipped. */
export function valueDate(tradeDate: string, convention: SettlementConvention): string {
  let ts = dayStartUs(tradeDate);
  let days = convention === "T+0" ? 0 : convention === "T+1" ? 1 : 2;
  while (days > 0) {
    ts += DAY_US;
    const dow = new Date(ts / 1000).getUTCDay();
    if (dow !== 0 && dow !== 6) days--;
  }
  return tradeDateOf(ts);
}
