/**
 * The interface shared by the fast L3 book and its naive reference twin, and the sink through
 * which a book reports fills, triggers and orders that leave without a fill.
 *
 * All prices are integer ticks, sizes integer units, ids non-negative safe integers unique among
 * live orders, timestamps integer microseconds. Commands return a `BookResult` code; effects that
 * follow from a command (fills, stop triggers, dropped remainders, expiries) go to the sink, in
 * the order they happen, with no allocation per event.
 */
import type { Side } from "./codes.ts";

/** Receives a book's events; one object is reused for the book's whole life. */
export interface BookSink {
  /**
   * One match: `size` units at the maker's `price`. `makerDone`/`takerDone` say whether that
   * side has no size left after this fill.
   */
  onFill(makerId: number, takerId: number, price: number, size: number, makerDone: boolean, takerDone: boolean): void;
  /** A stop or stop-limit order triggered; its fills (if any) follow. */
  onTrigger(orderId: number): void;
  /**
   * An order left the book with `remaining` units unfilled, not by a cancel command: an IOC or
   * market remainder (`UNFILLED_CANCELLED`), an expiry (`EXPIRED`), or a triggered stop refused
   * (`POST_ONLY_WOULD_TAKE`, `FOK_NOT_FILLABLE`).
   */
  onDone(orderId: number, remaining: number, reason: number): void;
}

/** Construction options of a book. */
export interface BookOptions {
  /** Most orders (resting and waiting stops) held at once; the pool is allocated up front. */
  readonly capacity: number;
  /** Where events go; defaults to a sink that ignores them. */
  readonly sink?: BookSink;
  /** Session end used by DAY orders (microseconds); defaults to never. */
  readonly sessionEnd?: number;
}

/** A price-time-priority limit order book with per-order queues (L3). */
export interface OrderBook {
  /**
   * Submits an order. `price` is the limit (ignored for MARKET and STOP), `stopPrice` the trigger
   * (STOP and STOP_LIMIT only), `expireTs` the expiry of GTD orders. Returns a `BookResult`.
   */
  submit(id: number, side: Side, type: number, tif: number, flags: number, price: number, stopPrice: number, size: number, expireTs: number): number;
  /** Removes a resting order or waiting stop. Returns ACCEPTED or UNKNOWN_ORDER. */
  cancel(id: number): number;
  /** Partially cancels: takes `by` units (1..remaining) off an order; `by = remaining` removes it. Keeps priority. */
  reduce(id: number, by: number): number;
  /**
   * Changes a resting limit order's price and remaining size. A price change or a size increase
   * sends it to the back of the queue at its (new) price, where it may take liquidity like a new
   * order; a size decrease at the same price keeps its place.
   */
  replace(id: number, newPrice: number, newSize: number): number;
  /** Moves a resting limit order to `newPrice` keeping its remaining size (exchange-core's "move"): `replace` with the same size. */
  move(id: number, newPrice: number): number;
  /** Drops every GTD/DAY order whose expiry is at or before `nowTs`; returns how many. */
  expire(nowTs: number): number;
  /** Sets the session end that DAY orders entering from now on expire at. */
  setSessionEnd(ts: number): void;
  /** Best bid price, or NO_BID. */
  bestBid(): number;
  /** Best ask price, or NO_ASK. */
  bestAsk(): number;
  /** Total size at the best bid (0 if none). */
  bestBidSize(): number;
  /** Total size at the best ask (0 if none). */
  bestAskSize(): number;
  /** Writes the top `n` levels of `side` (best first) into the arrays; returns how many were written. */
  depth(side: Side, n: number, prices: Float64Array, sizes: Float64Array, counts: Int32Array): number;
  /** Size resting ahead of a resting order at its price, or -1 if it is not resting. */
  queuePosition(id: number): number;
  /** Remaining size of a live order (resting or waiting stop), or -1 if unknown. */
  remaining(id: number): number;
  /** Writes the ids resting at `price` on `side` in queue order; returns the count (capped at `out.length`). */
  ordersAt(side: Side, price: number, out: Float64Array): number;
  /** Price of the last trade, or NaN before the first. */
  lastTradePrice(): number;
  /** Number of live orders (resting plus waiting stops). */
  liveOrders(): number;
}
