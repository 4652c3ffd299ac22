/**
 * Preallocated order storage, indexed by handle, with a free list. What a move, a cancel or a fill
 * reads and writes of an order sits in one 32-byte record (half a cache line; the buffer is page
 * aligned): 4 f64 words (`f[h * OF + …]`), the same bytes as 8 i32 words (`i[h * OI + …]`) and as
 * 32 i8 bytes (`b[h * OB + …]`). Fields read only when an order enters, expires, fills or triggers
 * sit in arrays apart, so that the records of a live book's ~1,000 orders fit in 32 KB. Orders are
 * linked intrusively (`O_PREV`/`O_NEXT`) into the FIFO of their price level; nothing is allocated
 * per order after construction.
 */

/** Handle value meaning "no order" / "no level". */
export const NIL = -1;

/** Where a live order is. */
export const OrderState = { FREE: 0, RESTING: 1, WAITING_STOP: 2 } as const;

/** f64 words per order record. */
export const OF = 4;
/** i32 words per order record (the same 32 bytes). */
export const OI = 8;
/** Bytes per order record. */
export const OB = 32;
/** f64 word: limit price (integer ticks). */
export const O_PRICE = 0;
/** f64 word: remaining size (integer units). */
export const O_REMAINING = 1;
/** i32 word: level handle while resting or waiting, else NIL. */
export const O_LEVEL = 4;
/** i32 word: previous order in the level's FIFO, or NIL. */
export const O_PREV = 5;
/** i32 word: next order in the level's FIFO, or NIL. */
export const O_NEXT = 6;
/** Byte: `OrderState`. */
export const O_STATE = 28;
/** Byte: 1 buy, -1 sell. */
export const O_SIDE = 29;
/** Byte: `OrderFlag` bits. */
export const O_FLAGS = 30;
/** Byte: `OrderType`. */
export const O_TYPE = 31;

/** Order pool: hot fields in records, the rest in arrays by field. */
export class OrderPool {
  /** The records as f64 words (`OF` per order). */
  readonly f: Float64Array;
  /** The same records as i32 words (`OI` per order). */
  readonly i: Int32Array;
  /** The same records as bytes (`OB` per order). */
  readonly b: Int8Array;
  readonly id: Float64Array;
  readonly expireTs: Float64Array;
  /** Index in the expiry heap, or NIL. */
  readonly heapPos: Int32Array;
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
    const buffer = new ArrayBuffer(capacity * OB);
    this.f = new Float64Array(buffer).fill(0);
    this.i = new Int32Array(buffer);
    this.b = new Int8Array(buffer);
    for (let h = 0; h < capacity; h++) {
      const b = h * OI;
      this.i[b + O_LEVEL] = NIL;
      this.i[b + O_PREV] = NIL;
      this.i[b + O_NEXT] = NIL;
    }
    this.id = new Float64Array(capacity).fill(0);
    this.expireTs = new Float64Array(capacity).fill(0);
    this.heapPos = new Int32Array(capacity).fill(NIL);
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
    this.b[h * OB + O_STATE] = OrderState.FREE;
    i[b + O_LEVEL] = NIL;
    i[b + O_PREV] = NIL;
    i[b + O_NEXT] = NIL;
    this.heapPos[h] = NIL;
    this.free[this.freeTop++] = h;
    this.used--;
  }
}
