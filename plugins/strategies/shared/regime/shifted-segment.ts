/**
 * Splices a shifted segment into a day of real quotes, for testing that the regime monitor notices a
 * market unlike its training days: between `fromTs` and `toTs` the mid's moves away from the mid at
 * `fromTs` are multiplied by `volMult` (realised volatility × volMult) and the spread by
 * `spreadMult`; after the segment the path continues from where the shifted one ended (every quote
 * moved by the same whole number of ticks). Quotes outside the segment keep their own spread, crossed
 * ones included; inside it ticks are rounded outward.
 */

/** Quotes as parallel arrays: ts (µs), bid and ask (ticks). */
export interface QuoteArrays {
  readonly ts: ArrayLike<number>;
  readonly bid: ArrayLike<number>;
  readonly ask: ArrayLike<number>;
}

/** Returns a copy of the quotes with the segment [fromTs, toTs) shifted. */
export function spliceShiftedSegment(q: QuoteArrays, fromTs: number, toTs: number, volMult: number, spreadMult: number): { ts: Float64Array; bid: Float64Array; ask: Float64Array } {
  const n = q.ts.length;
  const ts = Float64Array.from(q.ts), bid = new Float64Array(n), ask = new Float64Array(n);
  let anchor = NaN, offset = 0;
  for (let i = 0; i < n; i++) {
    if (ts[i]! >= fromTs && ts[i]! < toTs) {
      const mid = (q.bid[i]! + q.ask[i]!) / 2, half = Math.abs(q.ask[i]! - q.bid[i]!) / 2;
      if (Number.isNaN(anchor)) anchor = mid;
      const m = anchor + volMult * (mid - anchor), h = half * spreadMult;
      offset = Math.round(m - mid);
      bid[i] = Math.floor(m - h);
      ask[i] = Math.max(Math.ceil(m + h), bid[i]! + 1);
    } else {
      bid[i] = q.bid[i]! + offset;
      ask[i] = q.ask[i]! + offset;
    }
  }
  return { ts, bid, ask };
}
