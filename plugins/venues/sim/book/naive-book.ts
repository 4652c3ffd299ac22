/**
 * The naive reference book: every live order is an object in one array, and every decision
 * (who matches next, which stop triggers, what expires, what the depth is) is made by filtering
 * and sorting that array afresh. Slow and obviously right; the fast `L3Book` must behave exactly
 * like it, event for event, which the differential tests check on random command streams.
 */
import { BookResult, NO_ASK, NO_BID, OrderFlag, OrderType, Side, TimeInForce } from "./codes.ts";
import type { BookOptions, BookSink, OrderBook } from "./types.ts";
import { IGNORE_SINK, isValidPrice, validateSubmit } from "./validate.ts";

interface NaiveOrder {
  id: number;
  side: Side;
  type: number;
  tif: number;
  flags: number;
  price: number;
  stopPrice: number;
  remaining: number;
  expireTs: number;
  resting: boolean;
  /** Time priority: when the order last joined the back of a queue. */
  seq: number;
}

/** Reference order book with the same behaviour as `L3Book`. */
export class NaiveBook implements OrderBook {
  private live: NaiveOrder[] = [];
  private readonly capacity: number;
  private sink: BookSink;
  private sessionEnd: number;
  private clock = 0;
  private last = Number.NaN;

  /** Creates an empty book. */
  constructor(options: BookOptions) {
    this.capacity = options.capacity;
    this.sink = options.sink ?? IGNORE_SINK;
    this.sessionEnd = options.sessionEnd ?? Number.POSITIVE_INFINITY;
  }

  /** Replaces the sink. */
  setSink(sink: BookSink): void {
    this.sink = sink;
  }

  /** Sets the session end that DAY orders entering from now on expire at. */
  setSessionEnd(ts: number): void {
    this.sessionEnd = ts;
  }

  /** Submits an order; returns a BookResult (fills and drops go to the sink). */
  submit(id: number, side: Side, type: number, tif: number, flags: number, price: number, stopPrice: number, size: number, expireTs: number): number {
    const invalid = validateSubmit(id, side, type, tif, flags, price, stopPrice, size, expireTs);
    if (invalid !== BookResult.ACCEPTED) return invalid;
    if (this.find(id)) return BookResult.DUPLICATE_ORDER_ID;
    const isStop = type === OrderType.STOP || type === OrderType.STOP_LIMIT;
    const mayRest = isStop || (type === OrderType.LIMIT && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK);
    if (mayRest && this.live.length >= this.capacity) return BookResult.BOOK_FULL;
    const expiry = tif === TimeInForce.GTD ? expireTs : tif === TimeInForce.DAY ? this.sessionEnd : Number.POSITIVE_INFINITY;
    const order: NaiveOrder = { id, side, type, tif, flags, price, stopPrice, remaining: size, expireTs: expiry, resting: false, seq: 0 };
    if (isStop && !this.isTriggered(order)) {
      order.seq = ++this.clock;
      this.live.push(order);
      return BookResult.ACCEPTED;
    }
    if (isStop) {
      this.sink.onTrigger(id);
      const code = this.enter(order);
      if (code !== BookResult.ACCEPTED) this.sink.onDone(id, size, code);
    } else {
      const code = this.enter(order);
      if (code !== BookResult.ACCEPTED) return code;
    }
    this.triggerStops();
    return BookResult.ACCEPTED;
  }

  /** Removes a resting order or waiting stop. */
  cancel(id: number): number {
    const o = this.find(id);
    if (!o) return BookResult.UNKNOWN_ORDER;
    this.drop(o);
    return BookResult.ACCEPTED;
  }

  /** Takes `by` units off an order, keeping its priority. */
  reduce(id: number, by: number): number {
    const o = this.find(id);
    if (!o) return BookResult.UNKNOWN_ORDER;
    if (!Number.isSafeInteger(by) || by <= 0 || by > o.remaining) return BookResult.INVALID_SIZE;
    o.remaining -= by;
    if (o.remaining === 0) this.drop(o);
    return BookResult.ACCEPTED;
  }

  /** Changes a resting limit order's price and size (see OrderBook.replace for priority). */
  replace(id: number, newPrice: number, newSize: number): number {
    const o = this.find(id);
    if (!o) return BookResult.UNKNOWN_ORDER;
    if (!o.resting) return BookResult.NOT_REPLACEABLE;
    if (!Number.isSafeInteger(newSize) || newSize <= 0) return BookResult.INVALID_SIZE;
    if (!isValidPrice(newPrice)) return BookResult.INVALID_PRICE;
    if (newPrice === o.price) {
      if (newSize > o.remaining) o.seq = ++this.clock;
      o.remaining = newSize;
      return BookResult.ACCEPTED;
    }
    if ((o.flags & OrderFlag.POST_ONLY) !== 0 && this.crossable(o.side, newPrice).length > 0) return BookResult.POST_ONLY_WOULD_TAKE;
    this.drop(o);
    o.price = newPrice;
    o.remaining = newSize;
    o.resting = false;
    this.enter(o);
    this.triggerStops();
    return BookResult.ACCEPTED;
  }

  /** Moves a resting limit order to a new price, keeping its size. */
  move(id: number, newPrice: number): number {
    const o = this.find(id);
    return o ? this.replace(id, newPrice, o.remaining) : BookResult.UNKNOWN_ORDER;
  }

  /** Drops GTD/DAY orders due at or before `nowTs`; returns how many. */
  expire(nowTs: number): number {
    const due = this.live.filter((o) => o.expireTs <= nowTs).sort((a, b) => a.expireTs - b.expireTs || a.id - b.id);
    for (const o of due) {
      this.drop(o);
      this.sink.onDone(o.id, o.remaining, BookResult.EXPIRED);
    }
    return due.length;
  }

  /** Best bid price, or NO_BID. */
  bestBid(): number {
    const lv = this.levelsOf(Side.BUY);
    return lv.length === 0 ? NO_BID : lv[0].price;
  }

  /** Best ask price, or NO_ASK. */
  bestAsk(): number {
    const lv = this.levelsOf(Side.SELL);
    return lv.length === 0 ? NO_ASK : lv[0].price;
  }

  /** Total size at the best bid. */
  bestBidSize(): number {
    return this.levelsOf(Side.BUY)[0]?.size ?? 0;
  }

  /** Total size at the best ask. */
  bestAskSize(): number {
    return this.levelsOf(Side.SELL)[0]?.size ?? 0;
  }

  /** Writes the top `n` levels of `side` into the arrays; returns the count. */
  depth(side: Side, n: number, prices: Float64Array, sizes: Float64Array, counts: Int32Array): number {
    const lv = this.levelsOf(side).slice(0, Math.min(n, prices.length, sizes.length, counts.length));
    lv.forEach((l, i) => {
      prices[i] = l.price;
      sizes[i] = l.size;
      counts[i] = l.count;
    });
    return lv.length;
  }

  /** Size ahead of a resting order at its price, or -1. */
  queuePosition(id: number): number {
    const o = this.find(id);
    if (!o || !o.resting) return -1;
    return this.live
      .filter((x) => x.resting && x.side === o.side && x.price === o.price && x.seq < o.seq)
      .reduce((sum, x) => sum + x.remaining, 0);
  }

  /** Remaining size of a live order, or -1. */
  remaining(id: number): number {
    return this.find(id)?.remaining ?? -1;
  }

  /** Writes the ids queued at `price` on `side`; returns the count. */
  ordersAt(side: Side, price: number, out: Float64Array): number {
    const q = this.live.filter((x) => x.resting && x.side === side && x.price === price).sort((a, b) => a.seq - b.seq);
    const n = Math.min(q.length, out.length);
    for (let i = 0; i < n; i++) out[i] = q[i].id;
    return n;
  }

  /** Price of the last trade, or NaN. */
  lastTradePrice(): number {
    return this.last;
  }

  /** Number of live orders (resting plus waiting stops). */
  liveOrders(): number {
    return this.live.length;
  }

  private find(id: number): NaiveOrder | undefined {
    return this.live.find((o) => o.id === id);
  }

  private drop(o: NaiveOrder): void {
    this.live = this.live.filter((x) => x !== o);
  }

  /** Resting orders a taker on `side` limited at `limit` could match, best first, oldest first. */
  private crossable(side: Side, limit: number): NaiveOrder[] {
    const buy = side === Side.BUY;
    return this.live
      .filter((m) => m.resting && m.side !== side && (buy ? m.price <= limit : m.price >= limit))
      .sort((a, b) => (buy ? a.price - b.price : b.price - a.price) || a.seq - b.seq);
  }

  /** Runs `o` as a taker, then rests or drops what is left; returns ACCEPTED or a refusal. */
  private enter(o: NaiveOrder): number {
    const market = o.type === OrderType.MARKET || o.type === OrderType.STOP;
    const limit = market ? (o.side === Side.BUY ? Infinity : -Infinity) : o.price;
    const makers = this.crossable(o.side, limit);
    if ((o.flags & OrderFlag.POST_ONLY) !== 0 && makers.length > 0) return BookResult.POST_ONLY_WOULD_TAKE;
    if (o.tif === TimeInForce.FOK && makers.reduce((s, m) => s + m.remaining, 0) < o.remaining) return BookResult.FOK_NOT_FILLABLE;
    for (;;) {
      const maker = this.crossable(o.side, limit)[0];
      if (o.remaining === 0 || !maker) break;
      const size = Math.min(maker.remaining, o.remaining);
      maker.remaining -= size;
      o.remaining -= size;
      if (maker.remaining === 0) this.drop(maker);
      this.last = maker.price;
      this.sink.onFill(maker.id, o.id, maker.price, size, maker.remaining === 0, o.remaining === 0);
    }
    if (o.remaining === 0) return BookResult.ACCEPTED;
    if (market || o.tif === TimeInForce.IOC || o.tif === TimeInForce.FOK) {
      this.sink.onDone(o.id, o.remaining, BookResult.UNFILLED_CANCELLED);
      return BookResult.ACCEPTED;
    }
    o.type = OrderType.LIMIT;
    o.resting = true;
    o.seq = ++this.clock;
    this.live.push(o);
    return BookResult.ACCEPTED;
  }

  private isTriggered(o: NaiveOrder): boolean {
    return o.side === Side.BUY ? this.last >= o.stopPrice : this.last <= o.stopPrice;
  }

  /** Triggers stops crossed by the last trade price, one at a time, until none is crossed. */
  private triggerStops(): void {
    for (;;) {
      const waiting = this.live.filter((o) => !o.resting && this.isTriggered(o));
      if (waiting.length === 0) return;
      const buys = waiting.filter((o) => o.side === Side.BUY).sort((a, b) => a.stopPrice - b.stopPrice || a.seq - b.seq);
      const sells = waiting.filter((o) => o.side === Side.SELL).sort((a, b) => b.stopPrice - a.stopPrice || a.seq - b.seq);
      const pick = !sells[0] || (buys[0] && buys[0].seq < sells[0].seq) ? buys[0] : sells[0];
      this.drop(pick);
      const size = pick.remaining;
      this.sink.onTrigger(pick.id);
      const code = this.enter(pick);
      if (code !== BookResult.ACCEPTED) this.sink.onDone(pick.id, size, code);
    }
  }

  /** Occupied levels of `side`, best first. */
  private levelsOf(side: Side): { price: number; size: number; count: number }[] {
    const out: { price: number; size: number; count: number }[] = [];
    const rest = this.live.filter((o) => o.resting && o.side === side).sort((a, b) => (side === Side.BUY ? b.price - a.price : a.price - b.price));
    for (const o of rest) {
      const top = out[out.length - 1];
      if (top && top.price === o.price) {
        top.size += o.remaining;
        top.count++;
      } else out.push({ price: o.price, size: o.remaining, count: 1 });
    }
    return out;
  }
}
