/**
 * Preallocated price levels: each holds its price, total size, order count and the head and tail
 * of an intrusive doubly-linked FIFO of orders in the order pool. Appending, unlinking and
 * reading the queue are O(1) and allocation-free.
 */
import { NIL, type OrderPool } from "./order-pool.ts";

/** Struct-of-arrays level pool with FIFO operations on the order pool's links. */
export class LevelPool {
  readonly price: Float64Array;
  readonly total: Float64Array;
  readonly count: Int32Array;
  readonly head: Int32Array;
  readonly tail: Int32Array;
  private readonly free: Int32Array;
  private freeTop: number;

  /** Allocates `capacity` levels over `orders`. */
  constructor(capacity: number, private readonly orders: OrderPool) {
    this.price = new Float64Array(capacity).fill(0);
    this.total = new Float64Array(capacity).fill(0);
    this.count = new Int32Array(capacity).fill(0);
    this.head = new Int32Array(capacity).fill(NIL);
    this.tail = new Int32Array(capacity).fill(NIL);
    this.free = new Int32Array(capacity).fill(0);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Takes an empty level for `price` (the pool is sized so that this cannot fail). */
  alloc(price: number): number {
    const l = this.free[--this.freeTop];
    this.price[l] = price;
    this.total[l] = 0;
    this.count[l] = 0;
    this.head[l] = NIL;
    this.tail[l] = NIL;
    return l;
  }

  /** Returns an empty level to the free list. */
  release(l: number): void {
    this.free[this.freeTop++] = l;
  }

  /** Appends order `h` at the back of level `l`'s queue. */
  append(l: number, h: number): void {
    const o = this.orders;
    const t = this.tail[l];
    o.level[h] = l;
    o.prev[h] = t;
    o.next[h] = NIL;
    if (t === NIL) this.head[l] = h;
    else o.next[t] = h;
    this.tail[l] = h;
    this.total[l] += o.remaining[h];
    this.count[l]++;
  }

  /** Unlinks order `h` from its level; the caller drops the level when its count reaches 0. */
  unlink(h: number): void {
    const o = this.orders;
    const l = o.level[h];
    const p = o.prev[h];
    const n = o.next[h];
    if (p === NIL) this.head[l] = n;
    else o.next[p] = n;
    if (n === NIL) this.tail[l] = p;
    else o.prev[n] = p;
    this.total[l] -= o.remaining[h];
    this.count[l]--;
    o.level[h] = NIL;
    o.prev[h] = NIL;
    o.next[h] = NIL;
  }
}
