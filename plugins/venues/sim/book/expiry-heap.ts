/**
 * An indexed binary min-heap of order handles keyed by (expiry, order id), so that `expire(now)`
 * costs O(1) when nothing is due and O(log n) per expired order, and a cancelled order leaves the
 * heap at once (each order records its heap index in the pool's `heapPos`).
 */
import { NIL, type OrderPool } from "./order-pool.ts";

/** Min-heap of handles ordered by the pool's `expireTs`, then `id`. */
export class ExpiryHeap {
  private readonly heap: Int32Array;
  /** Number of handles in the heap. */
  size = 0;

  /** Allocates room for every handle of `orders`. */
  constructor(private readonly orders: OrderPool) {
    this.heap = new Int32Array(orders.capacity).fill(0);
  }

  /** Handle with the earliest expiry (size must be > 0). */
  top(): number {
    return this.heap[0];
  }

  /** Adds handle `h`. */
  push(h: number): void {
    const i = this.size++;
    this.heap[i] = h;
    this.orders.heapPos[h] = i;
    this.up(i);
  }

  /** Removes handle `h` wherever it is. */
  remove(h: number): void {
    const i = this.orders.heapPos[h];
    if (i === NIL) return;
    this.orders.heapPos[h] = NIL;
    const last = --this.size;
    if (i === last) return;
    const moved = this.heap[last];
    this.heap[i] = moved;
    this.orders.heapPos[moved] = i;
    this.up(i);
    this.down(this.orders.heapPos[moved]);
  }

  private less(a: number, b: number): boolean {
    const ea = this.orders.expireTs[a];
    const eb = this.orders.expireTs[b];
    return ea < eb || (ea === eb && this.orders.id[a] < this.orders.id[b]);
  }

  private up(i: number): void {
    const heap = this.heap;
    const pos = this.orders.heapPos;
    const h = heap[i];
    while (i > 0) {
      const p = (i - 1) >>> 1;
      if (!this.less(h, heap[p])) break;
      heap[i] = heap[p];
      pos[heap[i]] = i;
      i = p;
    }
    heap[i] = h;
    pos[h] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const pos = this.orders.heapPos;
    const n = this.size;
    const h = heap[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(heap[c + 1], heap[c])) c++;
      if (!this.less(heap[c], h)) break;
      heap[i] = heap[c];
      pos[heap[i]] = i;
      i = c;
    }
    heap[i] = h;
    pos[h] = i;
  }
}
