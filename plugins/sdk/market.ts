/**
 * Market data as plugins receive it. Events are flyweights owned by the runtime: read them inside
 * the hook, copy what you need to keep, never hold a reference past the call.
 */

/** Top of book for one instrument; prices in ticks, sizes in units, ts in microseconds. */
export interface Quote {
  readonly ts: number;
  readonly instrument: number;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
}

/** A public trade print; side is the aggressor (+1 buy, -1 sell, 0 unknown). */
export interface Trade {
  readonly ts: number;
  readonly instrument: number;
  readonly price: number;
  readonly size: number;
  readonly side: number;
}

/** Read-only view of an instrument's current L1 book and its data-quality counters. */
export interface BookView {
  readonly instrument: number;
  readonly ts: number;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  /** Mid price in ticks times two (stays an integer). */
  readonly mid2: number;
  /** True once a valid two-sided quote has been seen. */
  readonly valid: boolean;
}
