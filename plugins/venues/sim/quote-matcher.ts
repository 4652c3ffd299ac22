/**
 * The simulated venue's matcher for our orders against an external market (replayed or synthetic
 * quotes and trades): marketable orders take the displayed size at the touch and walk synthetic
 * levels one tick apart; resting orders sit behind the displayed size at their price (queue
 * position) and fill when trades consume the queue ahead or the market trades through them.
 * This is the queue-position approach of hftbacktest, with L1 data.
 */
import type { Liquidity, OrderType, Side, TimeInForce } from "../../sdk/orders.ts";

/** One of our orders at the simulated venue. */
export interface SimOrder {
  readonly id: number;
  readonly instrument: number;
  readonly side: Side;
  type: OrderType;
  readonly tif: TimeInForce;
  price: number;
  readonly stopPrice: number;
  remaining: number;
  readonly postOnly: boolean;
  /** Displayed size ahead of us at our price. */
  queueAhead: number;
  /** Stops wait for their trigger before they can match. */
  triggered: boolean;
}

/** Where the matcher sends what happened. */
export interface MatchSink {
  fill(order: SimOrder, price: number, size: number, liquidity: Liquidity): void;
  done(order: SimOrder, kind: "canceled" | "rejected", reason: string): void;
}

/** Last displayed top of book of one instrument. */
export interface Touch {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  valid: boolean;
  /** Size our own orders already took from the bid side since this quote (liquidity is not reused). */
  takenBid: number;
  /** Size our own orders already took from the ask side since this quote. */
  takenAsk: number;
}

/** Synthetic depth: levels beyond the touch, one tick apart, each with the touch's size. */
export const SYNTHETIC_LEVELS = 10;

/** Liquidity available to a taker up to `limit` (0 = no limit) on the side it takes. */
export function takeable(t: Touch, side: Side, limit: number): number {
  const best = side === 1 ? t.ask : t.bid;
  const size = side === 1 ? t.askSize : t.bidSize;
  if (size <= 0) return 0;
  let levels = SYNTHETIC_LEVELS;
  if (limit > 0) levels = Math.min(levels, side === 1 ? limit - best + 1 : best - limit + 1);
  return Math.max(0, Math.max(0, levels) * size - (side === 1 ? t.takenAsk : t.takenBid));
}

/** Takes liquidity for a marketable order; returns the size filled. */
export function take(order: SimOrder, t: Touch, limit: number, sink: MatchSink): number {
  const best = order.side === 1 ? t.ask : t.bid;
  const size = order.side === 1 ? t.askSize : t.bidSize;
  let filled = 0;
  let skip = order.side === 1 ? t.takenAsk : t.takenBid;
  for (let level = 0; level < SYNTHETIC_LEVELS && order.remaining > 0 && size > 0; level++) {
    const price = best + order.side * level;
    if (limit > 0 && (order.side === 1 ? price > limit : price < limit)) break;
    let available = size;
    if (skip >= available) {
      skip -= available;
      continue;
    }
    available -= skip;
    skip = 0;
    const q = Math.min(order.remaining, available);
    order.remaining -= q;
    filled += q;
    sink.fill(order, price, q, "taker");
  }
  if (order.side === 1) t.takenAsk += filled;
  else t.takenBid += filled;
  return filled;
}

/** True when a limit price would take liquidity now. */
export function isMarketable(side: Side, price: number, t: Touch): boolean {
  return t.valid && (side === 1 ? price >= t.ask : price <= t.bid);
}

/** Queue ahead of a new resting order at `price`: the displayed size there, 0 if it improves the touch. */
export function queueAheadAt(side: Side, price: number, t: Touch): number {
  if (!t.valid) return 0;
  if (side === 1) return price === t.bid ? t.bidSize : price > t.bid ? 0 : Number.MAX_SAFE_INTEGER;
  return price === t.ask ? t.askSize : price < t.ask ? 0 : Number.MAX_SAFE_INTEGER;
}

/**
 * Updates a resting order after the touch moved from `prev` to `t`; fills it (as maker, at its
 * own price) when the opposite side reaches its price.
 */
export function onTouch(order: SimOrder, prev: Touch, t: Touch, sink: MatchSink): void {
  if (order.side === 1) {
    if (t.ask <= order.price) {
      const q = Math.min(order.remaining, t.askSize > 0 ? t.askSize : order.remaining);
      order.remaining -= q;
      sink.fill(order, order.price, q, "maker");
      return;
    }
    if (t.bid < order.price) order.queueAhead = 0;
    else if (t.bid === order.price && prev.bid === order.price && t.bidSize < prev.bidSize) {
      order.queueAhead = Math.max(0, order.queueAhead - (prev.bidSize - t.bidSize));
    } else if (t.bid === order.price && order.queueAhead === Number.MAX_SAFE_INTEGER) order.queueAhead = t.bidSize;
  } else {
    if (t.bid >= order.price) {
      const q = Math.min(order.remaining, t.bidSize > 0 ? t.bidSize : order.remaining);
      order.remaining -= q;
      sink.fill(order, order.price, q, "maker");
      return;
    }
    if (t.ask > order.price) order.queueAhead = 0;
    else if (t.ask === order.price && prev.ask === order.price && t.askSize < prev.askSize) {
      order.queueAhead = Math.max(0, order.queueAhead - (prev.askSize - t.askSize));
    } else if (t.ask === order.price && order.queueAhead === Number.MAX_SAFE_INTEGER) order.queueAhead = t.askSize;
  }
}

/** Applies a public trade to a resting order: it consumes the queue ahead, then fills us. */
export function onPrint(order: SimOrder, price: number, size: number, aggressor: number, sink: MatchSink): void {
  // A sell aggressor at or below our bid reaches us; a buy aggressor at or above our ask.
  const reaches = order.side === 1 ? aggressor <= 0 && price <= order.price : aggressor >= 0 && price >= order.price;
  if (!reaches) return;
  let left = size;
  const atOurPrice = price === order.price;
  if (atOurPrice) {
    const used = Math.min(order.queueAhead, left);
    order.queueAhead -= used;
    left -= used;
  }
  if (left <= 0) return;
  const q = Math.min(order.remaining, left);
  order.remaining -= q;
  sink.fill(order, order.price, q, "maker");
}

/** True when a stop's trigger is reached by the touch. */
export function stopTriggered(order: SimOrder, t: Touch): boolean {
  return t.valid && (order.side === 1 ? t.ask >= order.stopPrice : t.bid <= order.stopPrice);
}
