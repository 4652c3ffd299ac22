/**
 * The price levels of one side of a book (or of a stop book): a `PriceLadder` of levels from the
 * `LevelPool`, with orders appended to and removed from their level's FIFO.
 *
 * A level that empties below the top stays in the ladder, empty, so that an order arriving at that
 * price again (a move a few ticks away, the common case) finds it without shifting the ladder.
 * The top level is never empty, and the ladder is compacted in one pass when empty levels outnumber
 * occupied ones (plus a slack), so the ladder holds at most `2 * occupied + SLACK + 1` levels.
 * A side can also keep a price -> level hash (the resting sides do), so that finding a level that
 * exists costs one probe instead of a binary search; the ladder is searched only to insert.
 */
import { IdIndex } from "./id-index.ts";
import type { LevelPool } from "./level-pool.ts";
import { NIL } from "./order-pool.ts";
import { PriceLadder } from "./price-ladder.ts";

/** Empty levels tolerated beyond the number of occupied ones before a compaction. */
export const SLACK = 32;

/** Levels one side can hold for a book of `capacity` orders. */
export function ladderCapacity(capacity: number): number {
  return 2 * capacity + SLACK + 2;
}

/** Occupied and lazily-kept empty levels of one side, best last. */
export class SideLevels {
  readonly ladder: PriceLadder;
  /** Empty levels kept in the ladder (never the top one). */
  private empty = 0;
  /** Price -> level handle of every level in the ladder, when `hashed`. */
  private readonly byPrice: IdIndex | null;

  /** Creates an empty side for a book of `capacity` orders. */
  constructor(capacity: number, higherIsBetter: boolean, private readonly levels: LevelPool, hashed: boolean) {
    this.ladder = new PriceLadder(ladderCapacity(capacity), higherIsBetter);
    this.byPrice = hashed ? new IdIndex(ladderCapacity(capacity)) : null;
  }

  /** Best level's handle, or NIL when the side is empty. */
  best(): number {
    const ladder = this.ladder;
    return ladder.size === 0 ? NIL : ladder.levels[ladder.size - 1];
  }

  /** The level at `price` (possibly empty), or NIL. */
  levelAt(price: number): number {
    if (this.byPrice !== null) return this.byPrice.get(price);
    const at = this.ladder.find(price);
    return at < 0 ? NIL : this.ladder.levels[at];
  }

  /** Appends order `h` to the back of the queue at `price`. */
  append(h: number, price: number): void {
    let l = this.levelAt(price);
    if (l !== NIL) {
      if (this.levels.count[l] === 0) this.empty--;
    } else {
      l = this.levels.alloc(price);
      this.ladder.insertAt(-this.ladder.find(price) - 1, price, l);
      if (this.byPrice !== null) this.byPrice.set(price, l);
    }
    this.levels.append(l, h);
  }

  /** Unlinks order `h` from its level on this side. */
  remove(h: number, level: number): void {
    this.levels.unlink(h);
    if (this.levels.count[level] !== 0) return;
    if (level === this.best()) this.dropEmptyTop();
    else if (++this.empty > this.ladder.size - this.empty + SLACK) this.compact();
  }

  /** Pops empty levels off the top until the top is occupied or the side is empty. */
  dropEmptyTop(): void {
    const ladder = this.ladder;
    const levels = this.levels;
    // The first popped level is the one that just emptied; the ones under it were counted empty.
    let l = ladder.levels[ladder.size - 1];
    ladder.size--;
    this.release(l);
    while (ladder.size > 0 && levels.count[(l = ladder.levels[ladder.size - 1])] === 0) {
      ladder.size--;
      this.release(l);
      this.empty--;
    }
  }

  /** Removes every empty level in one pass. */
  private compact(): void {
    const ladder = this.ladder;
    const levels = this.levels;
    let j = 0;
    for (let i = 0; i < ladder.size; i++) {
      const l = ladder.levels[i];
      if (levels.count[l] === 0) this.release(l);
      else {
        ladder.keys[j] = ladder.keys[i];
        ladder.levels[j] = l;
        j++;
      }
    }
    ladder.size = j;
    this.empty = 0;
  }

  /** Returns an emptied level to the pool and forgets its price. */
  private release(l: number): void {
    if (this.byPrice !== null) this.byPrice.delete(this.levels.price[l]);
    this.levels.release(l);
  }
}
