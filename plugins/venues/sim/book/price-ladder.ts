/**
 * The sorted set of occupied price levels on one side of a book (or of a stop book), as two
 * parallel typed arrays ordered from worst to best so that the best level is the last element:
 * taking or adding at the top moves few elements. A level is found by binary search; for the few
 * hundred levels of a live book that is a handful of comparisons and no allocation.
 *
 * Keys are prices for a side where higher is better (bids, sell stops) and negated prices where
 * lower is better (asks, buy stops), so one ascending order serves all four.
 */

/** Sorted price levels of one side, best last. */
export class PriceLadder {
  /** Sort keys (price or -price), ascending; valid in [0, size). */
  readonly keys: Float64Array;
  /** Level handle for each key. */
  readonly levels: Int32Array;
  /** Number of occupied levels. */
  size = 0;
  /** +1 when higher prices are better, -1 when lower prices are better. */
  readonly sign: number;

  /** Allocates room for `capacity` levels; `higherIsBetter` picks the ordering. */
  constructor(capacity: number, higherIsBetter: boolean) {
    this.keys = new Float64Array(capacity).fill(0);
    this.levels = new Int32Array(capacity).fill(0);
    this.sign = higherIsBetter ? 1 : -1;
  }

  /** Returns the index of `price`, or `-(insertion point) - 1` if absent. */
  find(price: number): number {
    const key = price * this.sign;
    const keys = this.keys;
    let lo = 0;
    let hi = this.size - 1;
    // Most activity is near the top of the book: check the best end first.
    if (hi >= 0 && keys[hi] <= key) return keys[hi] === key ? hi : -(hi + 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid];
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Inserts `price` with `level` at insertion point `at` (from `find`). */
  insertAt(at: number, price: number, level: number): void {
    const n = this.size;
    if (at < n) {
      this.keys.copyWithin(at + 1, at, n);
      this.levels.copyWithin(at + 1, at, n);
    }
    this.keys[at] = price * this.sign;
    this.levels[at] = level;
    this.size = n + 1;
  }

  /** Removes the level at index `at`. */
  removeAt(at: number): void {
    const n = this.size - 1;
    if (at < n) {
      this.keys.copyWithin(at, at + 1, n + 1);
      this.levels.copyWithin(at, at + 1, n + 1);
    }
    this.size = n;
  }

  /** Price stored at index `at`. */
  priceAt(at: number): number {
    return this.keys[at] * this.sign;
  }
}
