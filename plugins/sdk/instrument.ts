/**
 * Instruments as plugins and the runtime see them: integer prices in ticks, integer sizes in units.
 *
 * A price of `p` ticks means `p * 10^-priceDecimals` in the quote currency; a size of `s` units means
 * `s * 10^-sizeDecimals` of the base asset. Money is an integer in units of
 * `10^-(priceDecimals + sizeDecimals)` of the quote currency, so `price * size` is exact money.
 */

/** A tradable instrument with its integer scales and lot rules. */
export interface Instrument {
  /** Dense index of the instrument in this deployment (0..n-1); used to index typed arrays. */
  readonly id: number;
  /** Symbol as the deployment names it, e.g. "EURUSD". */
  readonly symbol: string;
  /** Venue that lists it, e.g. "sim". */
  readonly venue: string;
  /** Base asset or currency, e.g. "EUR". */
  readonly base: string;
  /** Quote currency, e.g. "USD"; money on this instrument is in this currency. */
  readonly quote: string;
  /** Decimals of one price tick: 5 means a tick is 0.00001. */
  readonly priceDecimals: number;
  /** Decimals of one size unit: 0 means a unit is 1 of the base asset. */
  readonly sizeDecimals: number;
  /** Orders must be a multiple of this many size units. */
  readonly lotSize: number;
  /** Smallest order size in size units. */
  readonly minSize: number;
}

/** Decimals of one money unit on an instrument: price ticks times size units. */
export function moneyDecimals(instrument: Instrument): number {
  return instrument.priceDecimals + instrument.sizeDecimals;
}
