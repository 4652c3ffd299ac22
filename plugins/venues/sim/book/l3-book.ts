/**
 * The fast L3 book: price-time priority over integer prices and sizes, allocation-free after
 * construction. Orders live in a struct-of-arrays pool indexed by handle, ids map to handles
 * through an open-addressing index, each price level keeps an intrusive FIFO of its orders, and
 * each side finds its levels by price through 32-tick pages with occupancy bits, its non-empty pages
 * sorted best last (see side-levels.ts). Stops wait on two more sides (buy stops lowest first, sell
 * stops highest first) and trigger on the last trade price;
 * GTD/DAY orders sit in an indexed expiry heap.
 *
 * The sink must not call back into the book. `NaiveBook` is the obviously-right twin this book is
 * tested against.
 */
import { BookResult, NO_ASK, NO_BID, OrderFlag, OrderType, Side, TimeInForce } from "./codes.ts";
import { ExpiryHeap } from "./expiry-heap.ts";
import { IdIndex } from "./id-index.ts";
import { LevelPool } from "./level-pool.ts";
import { NIL, OrderPool, OrderState } from "./order-pool.ts";
import { PagePool } from "./page-pool.ts";
import { SideLevels } from "./side-levels.ts";
import type { BookOptions, BookSink, OrderBook } from "./types.ts";
import { IGNORE_SINK, validateSubmit } from "./validate.ts";

const { ACCEPTED, UNKNOWN_ORDER, DUPLICATE_ORDER_ID, POST_ONLY_WOULD_TAKE, FOK_NOT_FILLABLE, BOOK_FULL } = BookResult;
const { INVALID_SIZE, INVALID_PRICE, NOT_REPLACEABLE, UNFILLED_CANCELLED, EXPIRED } = BookResult;
const BUY = Side.BUY;
/** Index of a side's own ladder: buy (1) -> 0, sell (-1) -> 1. */
const own = (side: number): number => (1 - side) >> 1;
/** Index of the opposite side's ladder: buy (1) -> 1, sell (-1) -> 0. */
const opposite = (side: number): number => (1 + side) >> 1;

/** Fast price-time-priority L3 order book. */
export class L3Book implements OrderBook {
  private readonly orders: OrderPool;
  private readonly levels: LevelPool;
  private readonly ids: IdIndex;
  private readonly expiry: ExpiryHeap;
  /** Resting orders: [bids, asks] (indexed by `own(side)`). */
  private readonly ladders: [SideLevels, SideLevels];
  /** Waiting stops by side: [buy stops (lowest first), sell stops (highest first)]. */
  private readonly stops: [SideLevels, SideLevels];
  private sink: BookSink;
  private sessionEnd: number;
  private last = Number.NaN;
  private traded = false;
  private stopSeq = 0;
  private waitingStops = 0;

  /** Allocates a book holding at most `options.capacity` live orders. */
  constructor(options: BookOptions) {
    const capacity = options.capacity;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`BOOK_INVALID_CAPACITY: capacity=${capacity}`);
    this.orders = new OrderPool(capacity);
    // A level or a page exists only while it holds an order, so `capacity` of each suffice.
    this.levels = new LevelPool(capacity, this.orders);
    const pages = new PagePool(capacity, capacity);
    this.ids = new IdIndex(capacity);
    this.expiry = new ExpiryHeap(this.orders);
    this.ladders = [new SideLevels(capacity, true, this.levels, pages, 0), new SideLevels(capacity, false, this.levels, pages, 1)];
    this.stops = [new SideLevels(capacity, false, this.levels, pages, 2), new SideLevels(capacity, true, this.levels, pages, 3)];
    this.sink = options.sink ?? IGNORE_SINK;
    this.sessionEnd = options.sessionEnd ?? Number.POSITIVE_INFINITY;
  }

  /** Replaces the sink that receives fills, triggers and dropped orders. */
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
    if (invalid !== ACCEPTED) return invalid;
    if (this.ids.get(id) !== NIL) return DUPLICATE_ORDER_ID;
    const isStop = type === OrderType.STOP || type === OrderType.STOP_LIMIT;
    const mayRest = isStop || (type === OrderType.LIMIT && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK);
    if (mayRest && this.orders.used === this.orders.capacity) return BOOK_FULL;
    const expiry = tif === TimeInForce.GTD ? expireTs : tif === TimeInForce.DAY ? this.sessionEnd : Number.POSITIVE_INFINITY;
    this.traded = false;
    if (isStop) {
      const last = this.last;
      const triggered = side === BUY ? last >= stopPrice : last <= stopPrice;
      if (!triggered) {
        this.placeStop(id, side, type, tif, flags, price, stopPrice, size, expiry);
        return ACCEPTED;
      }
      this.sink.onTrigger(id);
      const code = this.enter(NIL, id, side, type === OrderType.STOP, tif, flags, price, size, expiry);
      if (code !== ACCEPTED) this.sink.onDone(id, size, code);
    } else {
      const code = this.enter(NIL, id, side, type === OrderType.MARKET, tif, flags, price, size, expiry);
      if (code !== ACCEPTED) return code;
    }
    if (this.traded && this.waitingStops > 0) this.processStops();
    return ACCEPTED;
  }

  /** Submits a limit order (GTC unless told otherwise). */
  limit(id: number, side: Side, price: number, size: number, tif: number = TimeInForce.GTC, flags = 0, expireTs = 0): number {
    return this.submit(id, side, OrderType.LIMIT, tif, flags, price, 0, size, expireTs);
  }

  /** Submits a market order; any unfilled remainder is dropped. */
  market(id: number, side: Side, size: number, tif: number = TimeInForce.IOC): number {
    return this.submit(id, side, OrderType.MARKET, tif, 0, 0, 0, size, 0);
  }

  /** Removes a resting order or waiting stop. */
  cancel(id: number): number {
    const h = this.ids.get(id);
    if (h === NIL) return UNKNOWN_ORDER;
    this.removeOrder(h);
    return ACCEPTED;
  }

  /** Takes `by` units off an order, keeping its priority. */
  reduce(id: number, by: number): number {
    const h = this.ids.get(id);
    if (h === NIL) return UNKNOWN_ORDER;
    const o = this.orders;
    const rem = o.remaining[h];
    if (!Number.isSafeInteger(by) || by <= 0 || by > rem) return INVALID_SIZE;
    if (by === rem) {
      this.removeOrder(h);
      return ACCEPTED;
    }
    o.remaining[h] = rem - by;
    if (o.state[h] === OrderState.RESTING) this.levels.total[o.level[h]] -= by;
    return ACCEPTED;
  }

  /** Changes a resting limit order's price and size (see OrderBook.replace for priority). */
  replace(id: number, newPrice: number, newSize: number): number {
    const h = this.ids.get(id);
    return h === NIL ? UNKNOWN_ORDER : this.replaceHandle(h, id, newPrice, newSize);
  }

  /** Moves a resting limit order to a new price, keeping its size. */
  move(id: number, newPrice: number): number {
    const h = this.ids.get(id);
    return h === NIL ? UNKNOWN_ORDER : this.replaceHandle(h, id, newPrice, this.orders.remaining[h]);
  }

  /** `replace` of the live order at handle `h` (id `id`). */
  private replaceHandle(h: number, id: number, newPrice: number, newSize: number): number {
    const o = this.orders;
    if (o.state[h] !== OrderState.RESTING) return NOT_REPLACEABLE;
    if (!Number.isSafeInteger(newSize) || newSize <= 0) return INVALID_SIZE;
    if (!Number.isSafeInteger(newPrice) || newPrice <= NO_BID || newPrice >= NO_ASK) return INVALID_PRICE;
    const side = o.side[h] as Side;
    const levels = this.levels;
    if (newPrice === o.price[h]) {
      const l = o.level[h];
      const rem = o.remaining[h];
      if (newSize <= rem) {
        o.remaining[h] = newSize;
        levels.total[l] -= rem - newSize;
      } else {
        levels.unlink(h);
        o.remaining[h] = newSize;
        levels.append(l, h);
      }
      return ACCEPTED;
    }
    if (!this.wouldTake(side, newPrice)) {
      // Takes nothing (nearly every move): straight to the back of the new price, no matching pass.
      const ladder = this.ladders[own(side)];
      ladder.remove(h, o.level[h]);
      o.price[h] = newPrice;
      o.remaining[h] = newSize;
      ladder.append(h, newPrice);
      return ACCEPTED;
    }
    if ((o.flags[h] & OrderFlag.POST_ONLY) !== 0) return POST_ONLY_WOULD_TAKE;
    this.unlinkResting(h);
    o.price[h] = newPrice;
    this.traded = false;
    const left = this.match(id, side, newPrice, newSize);
    if (left > 0) {
      o.remaining[h] = left;
      this.rest(h, side, newPrice);
    } else {
      this.expiry.remove(h);
      this.ids.delete(id);
      o.release(h);
    }
    if (this.traded && this.waitingStops > 0) this.processStops();
    return ACCEPTED;
  }

  /** Drops GTD/DAY orders due at or before `nowTs`; returns how many. */
  expire(nowTs: number): number {
    const heap = this.expiry;
    const o = this.orders;
    let n = 0;
    while (heap.size > 0 && o.expireTs[heap.top()] <= nowTs) {
      const h = heap.top();
      const id = o.id[h];
      const rem = o.remaining[h];
      this.removeOrder(h);
      this.sink.onDone(id, rem, EXPIRED);
      n++;
    }
    return n;
  }

  /** Best bid price, or NO_BID. */
  bestBid(): number {
    const l = this.ladders[0].best();
    return l === NIL ? NO_BID : this.levels.price[l];
  }

  /** Best ask price, or NO_ASK. */
  bestAsk(): number {
    const l = this.ladders[1].best();
    return l === NIL ? NO_ASK : this.levels.price[l];
  }

  /** Total size at the best bid. */
  bestBidSize(): number {
    const l = this.ladders[0].best();
    return l === NIL ? 0 : this.levels.total[l];
  }

  /** Total size at the best ask. */
  bestAskSize(): number {
    const l = this.ladders[1].best();
    return l === NIL ? 0 : this.levels.total[l];
  }

  /** Writes the top `n` levels of `side` into the arrays; returns the count. */
  depth(side: Side, n: number, prices: Float64Array, sizes: Float64Array, counts: Int32Array): number {
    const sideLevels = this.ladders[own(side)];
    const max = Math.min(n, prices.length, sizes.length, counts.length);
    const levels = this.levels;
    let k = 0;
    for (let l = sideLevels.best(); l !== NIL && k < max; l = sideLevels.worse(l)) {
      prices[k] = levels.price[l];
      sizes[k] = levels.total[l];
      counts[k] = levels.count[l];
      k++;
    }
    return k;
  }

  /** Size ahead of a resting order at its price, or -1. */
  queuePosition(id: number): number {
    const h = this.ids.get(id);
    const o = this.orders;
    if (h === NIL || o.state[h] !== OrderState.RESTING) return -1;
    let ahead = 0;
    for (let p = o.prev[h]; p !== NIL; p = o.prev[p]) ahead += o.remaining[p];
    return ahead;
  }

  /** Remaining size of a live order, or -1. */
  remaining(id: number): number {
    const h = this.ids.get(id);
    return h === NIL ? -1 : this.orders.remaining[h];
  }

  /** Writes the ids queued at `price` on `side`; returns the count. */
  ordersAt(side: Side, price: number, out: Float64Array): number {
    const l = this.ladders[own(side)].levelAt(price);
    if (l === NIL) return 0;
    const o = this.orders;
    let n = 0;
    for (let h = this.levels.head[l]; h !== NIL && n < out.length; h = o.next[h]) out[n++] = o.id[h];
    return n;
  }

  /** Price of the last trade, or NaN. */
  lastTradePrice(): number {
    return this.last;
  }

  /** Number of live orders (resting plus waiting stops). */
  liveOrders(): number {
    return this.orders.used;
  }

  /**
   * Runs an order as a taker, then rests, drops or refuses what is left. `h` is the order's handle
   * when it already has one (a triggered stop), else NIL. Returns ACCEPTED or the refusal code.
   */
  private enter(h: number, id: number, side: Side, isMarket: boolean, tif: number, flags: number, price: number, size: number, expiry: number): number {
    const limit = isMarket ? (side === BUY ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY) : price;
    let code: number = ACCEPTED;
    if ((flags & OrderFlag.POST_ONLY) !== 0 && this.wouldTake(side, limit)) code = POST_ONLY_WOULD_TAKE;
    else if (tif === TimeInForce.FOK && !this.fillable(side, limit, size)) code = FOK_NOT_FILLABLE;
    if (code !== ACCEPTED) {
      if (h !== NIL) this.forget(h);
      return code;
    }
    const left = this.match(id, side, limit, size);
    if (left === 0) {
      if (h !== NIL) this.forget(h);
    } else if (isMarket || tif === TimeInForce.IOC || tif === TimeInForce.FOK) {
      if (h !== NIL) this.forget(h);
      this.sink.onDone(id, left, UNFILLED_CANCELLED);
    } else {
      const o = this.orders;
      if (h === NIL) {
        h = o.alloc();
        this.ids.set(id, h);
        o.id[h] = id;
        o.side[h] = side;
        o.tif[h] = tif;
        o.flags[h] = flags;
      }
      o.type[h] = OrderType.LIMIT;
      o.price[h] = price;
      o.remaining[h] = left;
      o.expireTs[h] = expiry;
      this.rest(h, side, price);
      if (expiry !== Number.POSITIVE_INFINITY && o.heapPos[h] === NIL) this.expiry.push(h);
    }
    return ACCEPTED;
  }

  /** Matches a taker against the opposite side up to `limit`; returns the size left. */
  private match(takerId: number, side: Side, limit: number, size: number): number {
    const sideLevels = this.ladders[opposite(side)];
    const levels = this.levels;
    const o = this.orders;
    const sink = this.sink;
    while (size > 0) {
      const l = sideLevels.best();
      if (l === NIL) break;
      const p = levels.price[l];
      if (side === BUY ? p > limit : p < limit) break;
      let h = levels.head[l];
      while (h !== NIL && size > 0) {
        const rem = o.remaining[h];
        const next = o.next[h];
        const makerId = o.id[h];
        if (rem <= size) {
          size -= rem;
          levels.head[l] = next;
          if (next === NIL) levels.tail[l] = NIL;
          else o.prev[next] = NIL;
          levels.total[l] -= rem;
          levels.count[l]--;
          this.expiry.remove(h);
          this.ids.delete(makerId);
          o.release(h);
          this.last = p;
          sink.onFill(makerId, takerId, p, rem, true, size === 0);
        } else {
          o.remaining[h] = rem - size;
          levels.total[l] -= size;
          this.last = p;
          sink.onFill(makerId, takerId, p, size, false, true);
          size = 0;
        }
        this.traded = true;
        h = next;
      }
      if (levels.count[l] === 0) sideLevels.drop(l);
    }
    return size;
  }

  /** Whether an order on `side` limited at `limit` would take liquidity now. */
  private wouldTake(side: Side, limit: number): boolean {
    return side === BUY ? this.bestAsk() <= limit : this.bestBid() >= limit;
  }

  /** Whether the opposite side holds at least `size` at prices within `limit`. */
  private fillable(side: Side, limit: number, size: number): boolean {
    const sideLevels = this.ladders[opposite(side)];
    const levels = this.levels;
    for (let l = sideLevels.best(); l !== NIL && size > 0; l = sideLevels.worse(l)) {
      const p = levels.price[l];
      if (side === BUY ? p > limit : p < limit) break;
      size -= levels.total[l];
    }
    return size <= 0;
  }

  /** Appends handle `h` to the level at `price` on `side`, creating the level if needed. */
  private rest(h: number, side: Side, price: number): void {
    this.orders.state[h] = OrderState.RESTING;
    this.ladders[own(side)].append(h, price);
  }

  private placeStop(id: number, side: Side, type: number, tif: number, flags: number, price: number, stopPrice: number, size: number, expiry: number): void {
    const o = this.orders;
    const h = o.alloc();
    this.ids.set(id, h);
    o.id[h] = id;
    o.side[h] = side;
    o.type[h] = type;
    o.tif[h] = tif;
    o.flags[h] = flags;
    o.price[h] = price;
    o.stopPrice[h] = stopPrice;
    o.remaining[h] = size;
    o.expireTs[h] = expiry;
    o.seq[h] = ++this.stopSeq;
    o.state[h] = OrderState.WAITING_STOP;
    this.stops[own(side)].append(h, stopPrice);
    this.waitingStops++;
    if (expiry !== Number.POSITIVE_INFINITY) this.expiry.push(h);
  }

  /** Triggers waiting stops one at a time while the last trade price crosses them. */
  private processStops(): void {
    const o = this.orders;
    for (;;) {
      const buy = this.triggeredHead(BUY);
      const sell = this.triggeredHead(Side.SELL);
      if (buy === NIL && sell === NIL) return;
      const h = sell === NIL || (buy !== NIL && o.seq[buy] < o.seq[sell]) ? buy : sell;
      this.unlinkFromLadder(this.stops[own(o.side[h])], h);
      this.waitingStops--;
      this.expiry.remove(h);
      const id = o.id[h];
      const size = o.remaining[h];
      this.sink.onTrigger(id);
      const code = this.enter(h, id, o.side[h] as Side, o.type[h] === OrderType.STOP, o.tif[h], o.flags[h], o.price[h], size, o.expireTs[h]);
      if (code !== ACCEPTED) this.sink.onDone(id, size, code);
    }
  }

  /** First waiting stop of `side` that the last trade price has crossed, or NIL. */
  private triggeredHead(side: Side): number {
    const l = this.stops[own(side)].best();
    if (l === NIL) return NIL;
    const p = this.levels.price[l];
    return (side === BUY ? this.last >= p : this.last <= p) ? this.levels.head[l] : NIL;
  }

  /** Takes a live order out of the book entirely and frees its handle. */
  private removeOrder(h: number): void {
    const o = this.orders;
    if (o.state[h] === OrderState.RESTING) this.unlinkResting(h);
    else {
      this.unlinkFromLadder(this.stops[own(o.side[h])], h);
      this.waitingStops--;
    }
    this.forget(h);
  }

  private unlinkResting(h: number): void {
    this.unlinkFromLadder(this.ladders[own(this.orders.side[h])], h);
  }

  private unlinkFromLadder(side: SideLevels, h: number): void {
    side.remove(h, this.orders.level[h]);
  }

  /** Drops a handle that is in no level: out of the expiry heap, the id index and the pool. */
  private forget(h: number): void {
    this.expiry.remove(h);
    this.ids.delete(this.orders.id[h]);
    this.orders.release(h);
  }
}
