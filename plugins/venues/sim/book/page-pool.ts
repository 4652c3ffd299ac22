/**
 * Price pages shared by the four sides of a book (bids, asks, buy stops, sell stops): a page is 32
 * consecutive ticks of one side, with a level handle per tick (or NIL) and a 32-bit occupancy mask,
 * so that the level at a price is one hash probe plus one array read, and the best or next level
 * within a page is one `Math.clz32`. Pages are found by (side, page number) in an open-addressing
 * index; a side's non-empty pages are kept sorted in its `PriceLadder` (a few dozen for a live book,
 * so inserting a page shifts little). Everything is preallocated: a page only exists while one of
 * its levels holds an order, so `capacity` pages (one per order at most) always suffice.
 */
import { IdIndex } from "./id-index.ts";
import { NIL } from "./order-pool.ts";

/** Ticks per page, as a power of two. */
export const PAGE_SHIFT = 5;
/** Ticks per page (one bit each in a 32-bit mask). */
export const PAGE_TICKS = 1 << PAGE_SHIFT;

/** Page number of a price (floor division, so negative prices work). */
export function pageOf(price: number): number {
  return Math.floor(price / PAGE_TICKS);
}

/** Struct-of-arrays pool of price pages with a (side, page number) -> page handle index. */
export class PagePool {
  /** Level handle at page `p`, tick offset `k` is `slots[p * PAGE_TICKS + k]`, NIL when none. */
  readonly slots: Int32Array;
  /** Bit k set when tick offset k holds a level. */
  readonly mask: Int32Array;
  /** Page number (price = number * PAGE_TICKS + offset). */
  readonly number: Float64Array;
  /** Page handle of each level handle (indexed by level, maintained by the sides). */
  readonly levelPage: Int32Array;
  private readonly index: IdIndex;
  private readonly free: Int32Array;
  private freeTop: number;

  /** Allocates `capacity` pages for levels with handles below `levelCapacity`. */
  constructor(readonly capacity: number, levelCapacity: number) {
    this.slots = new Int32Array(capacity * PAGE_TICKS).fill(NIL);
    this.mask = new Int32Array(capacity).fill(0);
    this.number = new Float64Array(capacity).fill(0);
    this.levelPage = new Int32Array(levelCapacity).fill(NIL);
    this.index = new IdIndex(capacity);
    this.free = new Int32Array(capacity).fill(0);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Handle of page `number` of side `tag` (0..3), or NIL. */
  find(tag: number, number: number): number {
    return this.index.get(number * 4 + tag);
  }

  /** Takes an empty page for `number` of side `tag` (the pool is sized so that this cannot fail). */
  alloc(tag: number, number: number): number {
    const p = this.free[--this.freeTop];
    this.number[p] = number;
    this.mask[p] = 0;
    this.index.set(number * 4 + tag, p);
    return p;
  }

  /** Returns an empty page (mask 0, every slot NIL) of side `tag` to the free list. */
  release(tag: number, p: number): void {
    this.index.delete(this.number[p] * 4 + tag);
    this.free[this.freeTop++] = p;
  }
}
