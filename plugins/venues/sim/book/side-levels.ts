/**
 * The price levels of one side of a book (or of a stop book): a `PriceLadder` of levels from the
 * `LevelPool`, with orders appended to and removed from their level's FIFO.
 *
 * A level that empties below the top stays in the ladder, empty, so that an order arriving at that
 * price again (a move a few ticks away, the common case) finds it without shifting the ladder.
 * The top level is never empty, and the ladder is compacted in one pass when empty levels outnumber
 * occupied ones (plus a slack), so the ladder holds at most `2 * occupied + SLACK + 1` levels.
 */
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

  /** Creates an empty side for a book of `capacity` orders. */
  constructor(capacity: number, higherIsBetter: boolean, private readonly levels: LevelPool) {
    this.ladder = new PriceLadder(ladderCapacity(capacity), higherIsBetter);
  }

  /** Best level's handle, or NIL when the side is empty. */
  best(): number {
    const ladder = this.ladder;
    return ladder.size === 0 ? NIL : ladder.levels[ladder.size - 1];
  }

  /** The level at `price` (possibly empty), or NIL. */
  levelAt(price: number): number {
    const at = this.ladder.find(price);
    return at < 0 ? NIL : this.ladder.levels[at];
  }

  /** Appends order `h` to the back of the queue at `price`. */
  append(h: number, price: number): void {
    const ladder = this.ladder;
    let at = ladder.find(price);
    let l: number;
    if (at >= 0) {
      l = ladder.levels[at];
      if (this.levels.count[l] === 0) this.empty--;
    } else {
      l = this.levels.alloc(price);
      at = -at - 1;
      ladder.insertAt(at, price, l);
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
    levels.release(l);
    while (ladder.size > 0 && levels.count[(l = ladder.levels[ladder.size - 1])] === 0) {
      ladder.size--;
      levels.release(l);
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
      if (levels.count[l] === 0) levels.release(l);
      else {
        ladder.keys[j] = ladder.keys[i];
        ladder.levels[j] = l;
        j++;
      }
    }
    ladder.size = j;
    this.empty = 0;
  }
}
