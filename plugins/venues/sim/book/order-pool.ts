/**
 * Preallocated order storage as a struct of typed arrays indexed by handle, with a free list.
 * Orders are linked intrusively (`prev`/`next`) into the FIFO of their price level; nothing is
 * allocated per order after construction.
 */

/** Handle value meaning "no order" / "no level". */
export const NIL = -1;

/** Where a live order is. */
export const OrderState = { FREE: 0, RESTING: 1, WAITING_STOP: 2 } as const;

/** Struct-of-arrays order pool. */
export class OrderPool {
  readonly id: Float64Array;
  readonly price: Float64Array;
  readonly stopPrice: Float64Array;
  readonly remaining: Float64Array;
  readonly expireTs: Float64Array;
  /** Arrival sequence of waiting stops (tie-break between the two stop sides). */
  readonly seq: Float64Array;
  /** 1 buy, -1 sell. */
  readonly side: Int8Array;
  readonly type: Uint8Array;
  readonly tif: Uint8Array;
  readonly flags: Uint8Array;
  readonly state: Uint8Array;
  readonly level: Int32Array;
  readonly prev: Int32Array;
  readonly next: Int32Array;
  /** Index in the expiry heap, or NIL. */
  readonly heapPos: Int32Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Number of handles in use. */
  used = 0;

  /** Allocates `capacity` order slots. */
  constructor(readonly capacity: number) {
    this.id = new Float64Array(capacity).fill(0);
    this.price = new Float64Array(capacity).fill(0);
    this.stopPrice = new Float64Array(capacity).fill(0);
    this.remaining = new Float64Array(capacity).fill(0);
    this.expireTs = new Float64Array(capacity).fill(0);
    this.seq = new Float64Array(capacity).fill(0);
    this.side = new Int8Array(capacity).fill(0);
    this.type = new Uint8Array(capacity).fill(0);
    this.tif = new Uint8Array(capacity).fill(0);
    this.flags = new Uint8Array(capacity).fill(0);
    this.state = new Uint8Array(capacity).fill(0);
    this.level = new Int32Array(capacity).fill(NIL);
    this.prev = new Int32Array(capacity).fill(NIL);
    this.next = new Int32Array(capacity).fill(NIL);
    this.heapPos = new Int32Array(capacity).fill(NIL);
    this.free = new Int32Array(capacity).fill(0);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Takes a free handle, or returns NIL when the pool is full. */
  alloc(): number {
    if (this.freeTop === 0) return NIL;
    this.used++;
    return this.free[--this.freeTop];
  }

  /** Returns a handle to the free list. */
  release(h: number): void {
    this.state[h] = OrderState.FREE;
    this.level[h] = NIL;
    this.prev[h] = NIL;
    this.next[h] = NIL;
    this.heapPos[h] = NIL;
    this.free[this.freeTop++] = h;
    this.used--;
  }
}
