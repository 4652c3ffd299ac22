/**
 * The fast L3 book: price-time priority over integer prices and sizes, allocation-free after
 * construction. Orders live in a pool of 64-byte records indexed by handle (levels in 32-byte
 * records), ids map to handles through an open-addressing index, each price level keeps an intrusive FIFO of its orders, and
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
import { L_COUNT, L_HEAD, L_PRICE, L_TAIL, L_TOTAL, LevelPool, LF, LI } from "./level-pool.ts";
import { NIL, O_EXPIRE, O_FLAGS, O_HEAP, O_ID, O_LEVEL, O_NEXT, O_PREV, O_PRICE, O_REMAINING, O_SIDE, O_STATE, O_TYPE, OF, OI, OrderPool, OrderState } from "./order-pool.ts";
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
    const pages = new PagePool(capacity);
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
    const rem = o.f[h * OF + O_REMAINING];
    if (!Number.isSafeInteger(by) || by <= 0 || by > rem) return INVALID_SIZE;
    if (by === rem) {
      this.removeOrder(h);
      return ACCEPTED;
    }
    o.f[h * OF + O_REMAINING] = rem - by;
    if (o.i[h * OI + O_STATE] === OrderState.RESTING) this.levels.f[o.i[h * OI + O_LEVEL] * LF + L_TOTAL] -= by;
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
    return h === NIL ? UNKNOWN_ORDER : this.replaceHandle(h, id, newPrice, this.orders.f[h * OF + O_REMAINING]);
  }

  /** `replace` of the live order at handle `h` (id `id`). */
  private replaceHandle(h: number, id: number, newPrice: number, newSize: number): number {
    const o = this.orders;
    if (o.i[h * OI + O_STATE] !== OrderState.RESTING) return NOT_REPLACEABLE;
    if (!Number.isSafeInteger(newSize) || newSize <= 0) return INVALID_SIZE;
    if (!Number.isSafeInteger(newPrice) || newPrice <= NO_BID || newPrice >= NO_ASK) return INVALID_PRICE;
    const side = o.i[h * OI + O_SIDE] as Side;
    const levels = this.levels;
    if (newPrice === o.f[h * OF + O_PRICE]) {
      const l = o.i[h * OI + O_LEVEL];
      const rem = o.f[h * OF + O_REMAINING];
      if (newSize <= rem) {
        o.f[h * OF + O_REMAINING] = newSize;
        levels.f[l * LF + L_TOTAL] -= rem - newSize;
      } else {
        levels.unlink(h);
        o.f[h * OF + O_REMAINING] = newSize;
        levels.append(l, h);
      }
      return ACCEPTED;
    }
    if (!this.wouldTake(side, newPrice)) {
      // Takes nothing (nearly every move): straight to the back of the new price, no matching pass.
      const ladder = this.ladders[own(side)];
      ladder.remove(h, o.i[h * OI + O_LEVEL]);
      o.f[h * OF + O_PRICE] = newPrice;
      o.f[h * OF + O_REMAINING] = newSize;
      ladder.append(h, newPrice);
      return ACCEPTED;
    }
    if ((o.i[h * OI + O_FLAGS] & OrderFlag.POST_ONLY) !== 0) return POST_ONLY_WOULD_TAKE;
    this.unlinkResting(h);
    o.f[h * OF + O_PRICE] = newPrice;
    this.traded = false;
    const left = this.match(id, side, newPrice, newSize);
    if (left > 0) {
      o.f[h * OF + O_REMAINING] = left;
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
    while (heap.size > 0 && o.f[heap.top() * OF + O_EXPIRE] <= nowTs) {
      const h = heap.top();
      const id = o.f[h * OF + O_ID];
      const rem = o.f[h * OF + O_REMAINING];
      this.removeOrder(h);
      this.sink.onDone(id, rem, EXPIRED);
      n++;
    }
    return n;
  }

  /** Best bid price, or NO_BID. */
  bestBid(): number {
    const l = this.ladders[0].best();
    return l === NIL ? NO_BID : this.levels.f[l * LF + L_PRICE];
  }

  /** Best ask price, or NO_ASK. */
  bestAsk(): number {
    const l = this.ladders[1].best();
    return l === NIL ? NO_ASK : this.levels.f[l * LF + L_PRICE];
  }

  /** Total size at the best bid. */
  bestBidSize(): number {
    const l = this.ladders[0].best();
    return l === NIL ? 0 : this.levels.f[l * LF + L_TOTAL];
  }

  /** Total size at the best ask. */
  bestAskSize(): number {
    const l = this.ladders[1].best();
    return l === NIL ? 0 : this.levels.f[l * LF + L_TOTAL];
  }

  /** Writes the top `n` levels of `side` into the arrays; returns the count. */
  depth(side: Side, n: number, prices: Float64Array, sizes: Float64Array, counts: Int32Array): number {
    const sideLevels = this.ladders[own(side)];
    const max = Math.min(n, prices.length, sizes.length, counts.length);
    const levels = this.levels;
    let k = 0;
    for (let l = sideLevels.best(); l !== NIL && k < max; l = sideLevels.worse(l)) {
      prices[k] = levels.f[l * LF + L_PRICE];
      sizes[k] = levels.f[l * LF + L_TOTAL];
      counts[k] = levels.i[l * LI + L_COUNT];
      k++;
    }
    return k;
  }

  /** Size ahead of a resting order at its price, or -1. */
  queuePosition(id: number): number {
    const h = this.ids.get(id);
    const o = this.orders;
    if (h === NIL || o.i[h * OI + O_STATE] !== OrderState.RESTING) return -1;
    let ahead = 0;
    for (let p = o.i[h * OI + O_PREV]; p !== NIL; p = o.i[p * OI + O_PREV]) ahead += o.f[p * OF + O_REMAINING];
    return ahead;
  }

  /** Remaining size of a live order, or -1. */
  remaining(id: number): number {
    const h = this.ids.get(id);
    return h === NIL ? -1 : this.orders.f[h * OF + O_REMAINING];
  }

  /** Writes the ids queued at `price` on `side`; returns the count. */
  ordersAt(side: Side, price: number, out: Float64Array): number {
    const l = this.ladders[own(side)].levelAt(price);
    if (l === NIL) return 0;
    const o = this.orders;
    let n = 0;
    for (let h = this.levels.i[l * LI + L_HEAD]; h !== NIL && n < out.length; h = o.i[h * OI + O_NEXT]) out[n++] = o.f[h * OF + O_ID];
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
        o.f[h * OF + O_ID] = id;
        o.i[h * OI + O_SIDE] = side;
        o.tif[h] = tif;
        o.i[h * OI + O_FLAGS] = flags;
      }
      o.i[h * OI + O_TYPE] = OrderType.LIMIT;
      o.f[h * OF + O_PRICE] = price;
      o.f[h * OF + O_REMAINING] = left;
      o.f[h * OF + O_EXPIRE] = expiry;
      this.rest(h, side, price);
      if (expiry !== Number.POSITIVE_INFINITY && o.i[h * OI + O_HEAP] === NIL) this.expiry.push(h);
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
      const p = levels.f[l * LF + L_PRICE];
      if (side === BUY ? p > limit : p < limit) break;
      let h = levels.i[l * LI + L_HEAD];
      while (h !== NIL && size > 0) {
        const rem = o.f[h * OF + O_REMAINING];
        const next = o.i[h * OI + O_NEXT];
        const makerId = o.f[h * OF + O_ID];
        if (rem <= size) {
          size -= rem;
          levels.i[l * LI + L_HEAD] = next;
          if (next === NIL) levels.i[l * LI + L_TAIL] = NIL;
          else o.i[next * OI + O_PREV] = NIL;
          levels.f[l * LF + L_TOTAL] -= rem;
          levels.i[l * LI + L_COUNT]--;
          this.expiry.remove(h);
          this.ids.delete(makerId);
          o.release(h);
          this.last = p;
          sink.onFill(makerId, takerId, p, rem, true, size === 0);
        } else {
          o.f[h * OF + O_REMAINING] = rem - size;
          levels.f[l * LF + L_TOTAL] -= size;
          this.last = p;
          sink.onFill(makerId, takerId, p, size, false, true);
          size = 0;
        }
        this.traded = true;
        h = next;
      }
      if (levels.i[l * LI + L_COUNT] === 0) sideLevels.drop(l);
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
      const p = levels.f[l * LF + L_PRICE];
      if (side === BUY ? p > limit : p < limit) break;
      size -= levels.f[l * LF + L_TOTAL];
    }
    return size <= 0;
  }

  /** Appends handle `h` to the level at `price` on `side`, creating the level if needed. */
  private rest(h: number, side: Side, price: number): void {
    this.orders.i[h * OI + O_STATE] = OrderState.RESTING;
    this.ladders[own(side)].append(h, price);
  }

  private placeStop(id: number, side: Side, type: number, tif: number, flags: number, price: number, stopPrice: number, size: number, expiry: number): void {
    const o = this.orders;
    const h = o.alloc();
    this.ids.set(id, h);
    o.f[h * OF + O_ID] = id;
    o.i[h * OI + O_SIDE] = side;
    o.i[h * OI + O_TYPE] = type;
    o.tif[h] = tif;
    o.i[h * OI + O_FLAGS] = flags;
    o.f[h * OF + O_PRICE] = price;
    o.stopPrice[h] = stopPrice;
    o.f[h * OF + O_REMAINING] = size;
    o.f[h * OF + O_EXPIRE] = expiry;
    o.seq[h] = ++this.stopSeq;
    o.i[h * OI + O_STATE] = OrderState.WAITING_STOP;
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
      this.unlinkFromLadder(this.stops[own(o.i[h * OI + O_SIDE])], h);
      this.waitingStops--;
      this.expiry.remove(h);
      const id = o.f[h * OF + O_ID];
      const size = o.f[h * OF + O_REMAINING];
      this.sink.onTrigger(id);
      const code = this.enter(h, id, o.i[h * OI + O_SIDE] as Side, o.i[h * OI + O_TYPE] === OrderType.STOP, o.tif[h], o.i[h * OI + O_FLAGS], o.f[h * OF + O_PRICE], size, o.f[h * OF + O_EXPIRE]);
      if (code !== ACCEPTED) this.sink.onDone(id, size, code);
    }
  }

  /** First waiting stop of `side` that the last trade price has crossed, or NIL. */
  private triggeredHead(side: Side): number {
    const l = this.stops[own(side)].best();
    if (l === NIL) return NIL;
    const p = this.levels.f[l * LF + L_PRICE];
    return (side === BUY ? this.last >= p : this.last <= p) ? this.levels.i[l * LI + L_HEAD] : NIL;
  }

  /** Takes a live order out of the book entirely and frees its handle. */
  private removeOrder(h: number): void {
    const o = this.orders;
    if (o.i[h * OI + O_STATE] === OrderState.RESTING) this.unlinkResting(h);
    else {
      this.unlinkFromLadder(this.stops[own(o.i[h * OI + O_SIDE])], h);
      this.waitingStops--;
    }
    this.forget(h);
  }

  private unlinkResting(h: number): void {
    this.unlinkFromLadder(this.ladders[own(this.orders.i[h * OI + O_SIDE])], h);
  }

  private unlinkFromLadder(side: SideLevels, h: number): void {
    side.remove(h, this.orders.i[h * OI + O_LEVEL]);
  }

  /** Drops a handle that is in no level: out of the expiry heap, the id index and the pool. */
  private forget(h: number): void {
    this.expiry.remove(h);
    this.ids.delete(this.orders.f[h * OF + O_ID]);
    this.orders.release(h);
  }
}
