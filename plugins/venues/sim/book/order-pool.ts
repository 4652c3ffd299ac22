/**
 * Preallocated order storage: one 64-byte record per order (one cache line: the buffer is page
 * aligned), indexed by handle, with a free list. A record is 8 f64 words (`f[h * OF + …]`) of which
 * the last four are read as 8 i32 words (`i[h * OI + …]`), so a move, cancel or fill touches one
 * line per order instead of one per field. Fields only stops use sit apart. Orders are linked
 * intrusively (`O_PREV`/`O_NEXT`) into the FIFO of their price level; nothing is allocated per
 * order after construction.
 */

/** Handle value meaning "no order" / "no level". */
export const NIL = -1;

/** Where a live order is. */
export const OrderState = { FREE: 0, RESTING: 1, WAITING_STOP: 2 } as const;

/** f64 words per order record. */
export const OF = 8;
/** i32 words per order record (the same 64 bytes). */
export const OI = 16;
/** f64 word: order id. */
export const O_ID = 0;
/** f64 word: limit price (integer ticks). */
export const O_PRICE = 1;
/** f64 word: remaining size (integer units). */
export const O_REMAINING = 2;
/** f64 word: expiry timestamp (microseconds; +Infinity when none). */
export const O_EXPIRE = 3;
/** i32 word: level handle while resting or waiting, else NIL. */
export const O_LEVEL = 8;
/** i32 word: previous order in the level's FIFO, or NIL. */
export const O_PREV = 9;
/** i32 word: next order in the level's FIFO, or NIL. */
export const O_NEXT = 10;
/** i32 word: index in the expiry heap, or NIL. */
export const O_HEAP = 11;
/** i32 word: `OrderState`. */
export const O_STATE = 12;
/** i32 word: 1 buy, -1 sell. */
export const O_SIDE = 13;
/** i32 word: `OrderFlag` bits. */
export const O_FLAGS = 14;
/** i32 word: `OrderType`. */
export const O_TYPE = 15;

/** Array-of-records order pool. */
export class OrderPool {
  /** The records as f64 words (`OF` per order). */
  readonly f: Float64Array;
  /** The same records as i32 words (`OI` per order). */
  readonly i: Int32Array;
  /** Trigger price of a stop (stops only). */
  readonly stopPrice: Float64Array;
  /** Arrival sequence of waiting stops (tie-break between the two stop sides). */
  readonly seq: Float64Array;
  /** `TimeInForce` (read back only when a stop triggers). */
  readonly tif: Uint8Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Number of handles in use. */
  used = 0;

  /** Allocates `capacity` order slots. */
  constructor(readonly capacity: number) {
    const buffer = new ArrayBuffer(capacity * OF * 8);
    this.f = new Float64Array(buffer).fill(0);
    this.i = new Int32Array(buffer);
    for (let h = 0; h < capacity; h++) {
      const b = h * OI;
      this.i[b + O_LEVEL] = NIL;
      this.i[b + O_PREV] = NIL;
      this.i[b + O_NEXT] = NIL;
      this.i[b + O_HEAP] = NIL;
    }
    this.stopPrice = new Float64Array(capacity).fill(0);
    this.seq = new Float64Array(capacity).fill(0);
    this.tif = new Uint8Array(capacity).fill(0);
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
    const i = this.i;
    const b = h * OI;
    i[b + O_STATE] = OrderState.FREE;
    i[b + O_LEVEL] = NIL;
    i[b + O_PREV] = NIL;
    i[b + O_NEXT] = NIL;
    i[b + O_HEAP] = NIL;
    this.free[this.freeTop++] = h;
    this.used--;
  }
}
