/**
 * Preallocated price levels: each holds its price, total size, order count, the head and tail of
 * an intrusive doubly-linked FIFO of orders in the order pool, and its page, in one 32-byte record
 * (half a cache line; the buffer is page aligned). Appending, unlinking and reading the queue are
 * O(1) and allocation-free.
 */
import { NIL, O_LEVEL, O_NEXT, O_PREV, O_REMAINING, OF, OI, type OrderPool } from "./order-pool.ts";

/** f64 words per level record. */
export const LF = 4;
/** i32 words per level record (the same 32 bytes). */
export const LI = 8;
/** f64 word: price (integer ticks). */
export const L_PRICE = 0;
/** f64 word: total remaining size of the level's orders. */
export const L_TOTAL = 1;
/** i32 word: number of orders queued. */
export const L_COUNT = 4;
/** i32 word: first order of the FIFO, or NIL. */
export const L_HEAD = 5;
/** i32 word: last order of the FIFO, or NIL. */
export const L_TAIL = 6;
/** i32 word: page handle holding the level (maintained by the sides). */
export const L_PAGE = 7;

/** Array-of-records level pool with FIFO operations on the order pool's links. */
export class LevelPool {
  /** The records as f64 words (`LF` per level). */
  readonly f: Float64Array;
  /** The same records as i32 words (`LI` per level). */
  readonly i: Int32Array;
  private readonly free: Int32Array;
  private freeTop: number;

  /** Allocates `capacity` levels over `orders`. */
  constructor(capacity: number, private readonly orders: OrderPool) {
    const buffer = new ArrayBuffer(capacity * LF * 8);
    this.f = new Float64Array(buffer).fill(0);
    this.i = new Int32Array(buffer);
    for (let l = 0; l < capacity; l++) {
      const b = l * LI;
      this.i[b + L_HEAD] = NIL;
      this.i[b + L_TAIL] = NIL;
      this.i[b + L_PAGE] = NIL;
    }
    this.free = new Int32Array(capacity).fill(0);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Price of level `l`. */
  price(l: number): number {
    return this.f[l * LF + L_PRICE];
  }

  /** Total size queued at level `l`. */
  total(l: number): number {
    return this.f[l * LF + L_TOTAL];
  }

  /** Number of orders queued at level `l`. */
  count(l: number): number {
    return this.i[l * LI + L_COUNT];
  }

  /** Takes an empty level for `price` (the pool is sized so that this cannot fail). */
  alloc(price: number): number {
    const l = this.free[--this.freeTop];
    const fb = l * LF;
    const ib = l * LI;
    this.f[fb + L_PRICE] = price;
    this.f[fb + L_TOTAL] = 0;
    this.i[ib + L_COUNT] = 0;
    this.i[ib + L_HEAD] = NIL;
    this.i[ib + L_TAIL] = NIL;
    return l;
  }

  /** Returns an empty level to the free list. */
  release(l: number): void {
    this.i[l * LI + L_PAGE] = NIL;
    this.free[this.freeTop++] = l;
  }

  /** Appends order `h` at the back of level `l`'s queue. */
  append(l: number, h: number): void {
    const oi = this.orders.i;
    const li = this.i;
    const lb = l * LI;
    const ob = h * OI;
    const t = li[lb + L_TAIL];
    oi[ob + O_LEVEL] = l;
    oi[ob + O_PREV] = t;
    oi[ob + O_NEXT] = NIL;
    if (t === NIL) li[lb + L_HEAD] = h;
    else oi[t * OI + O_NEXT] = h;
    li[lb + L_TAIL] = h;
    this.f[l * LF + L_TOTAL] += this.orders.f[h * OF + O_REMAINING];
    li[lb + L_COUNT]++;
  }

  /** Unlinks order `h` from its level; the caller drops the level when its count reaches 0. */
  unlink(h: number): void {
    const oi = this.orders.i;
    const li = this.i;
    const ob = h * OI;
    const l = oi[ob + O_LEVEL];
    const lb = l * LI;
    const p = oi[ob + O_PREV];
    const n = oi[ob + O_NEXT];
    if (p === NIL) li[lb + L_HEAD] = n;
    else oi[p * OI + O_NEXT] = n;
    if (n === NIL) li[lb + L_TAIL] = p;
    else oi[n * OI + O_PREV] = p;
    this.f[l * LF + L_TOTAL] -= this.orders.f[h * OF + O_REMAINING];
    li[lb + L_COUNT]--;
    oi[ob + O_LEVEL] = NIL;
    oi[ob + O_PREV] = NIL;
    oi[ob + O_NEXT] = NIL;
  }
}
