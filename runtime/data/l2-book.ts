/**
 * An L2 (price-level) book of one instrument: each side a sorted array of levels in typed arrays,
 * updated by deltas (a level's new total size; 0 removes it). Levels are found by binary search
 * and inserted by shifting, which beats a tree for the few hundred levels a book has near the touch.
 * No allocation per update once the arrays have grown to the book's depth.
 */

/** One side of an L2 book. */
export class BookSide {
  prices: Float64Array;
  sizes: Float64Array;
  count = 0;

  /** `descending` for bids (best first = highest), ascending for asks. */
  constructor(
    readonly descending: boolean,
    capacity = 64,
  ) {
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  /** Sets the total size at a price (0 removes the level). */
  set(price: number, size: number): void {
    const i = this.find(price);
    const exists = i < this.count && this.prices[i] === price;
    if (size <= 0) {
      if (!exists) return;
      this.prices.copyWithin(i, i + 1, this.count);
      this.sizes.copyWithin(i, i + 1, this.count);
      this.count--;
      return;
    }
    if (exists) {
      this.sizes[i] = size;
      return;
    }
    if (this.count === this.prices.length) this.grow();
    this.prices.copyWithin(i + 1, i, this.count);
    this.sizes.copyWithin(i + 1, i, this.count);
    this.prices[i] = price;
    this.sizes[i] = size;
    this.count++;
  }

  /** Best price, or 0 when the side is empty. */
  bestPrice(): number {
    return this.count > 0 ? this.prices[0]! : 0;
  }

  /** Size at the best price, or 0. */
  bestSize(): number {
    return this.count > 0 ? this.sizes[0]! : 0;
  }

  /** Size at a price (0 when there is no level). */
  sizeAt(price: number): number {
    const i = this.find(price);
    return i < this.count && this.prices[i] === price ? this.sizes[i]! : 0;
  }

  /** Removes every level. */
  clear(): void {
    this.count = 0;
  }

  /** Index where `price` is or would be inserted, keeping best-first order. */
  private find(price: number): number {
    let lo = 0;
    let hi = this.count;
    const p = this.prices;
    if (this.descending) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (p[mid]! > price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (p[mid]! < price) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  private grow(): void {
    const prices = new Float64Array(this.prices.length * 2);
    const sizes = new Float64Array(this.sizes.length * 2);
    prices.set(this.prices);
    sizes.set(this.sizes);
    this.prices = prices;
    this.sizes = sizes;
  }
}

/** An L2 book: bids and asks. */
export class L2Book {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  ts = 0;

  /** Applies a delta: side +1 bid / -1 ask, the level's new total size (0 removes it). */
  apply(side: number, price: number, size: number): void {
    (side > 0 ? this.bids : this.asks).set(price, size);
  }

  /** True when both sides have levels and the best bid is below the best ask. */
  get uncrossed(): boolean {
    return this.bids.count > 0 && this.asks.count > 0 && this.bids.prices[0]! < this.asks.prices[0]!;
  }

  /** Copies the top `levels` of both sides into caller arrays; returns how many levels each side filled. */
  top(levels: number, bidPrices: Float64Array, bidSizes: Float64Array, askPrices: Float64Array, askSizes: Float64Array): number {
    const n = Math.min(levels, Math.max(this.bids.count, this.asks.count));
    for (let i = 0; i < levels; i++) {
      bidPrices[i] = i < this.bids.count ? this.bids.prices[i]! : 0;
      bidSizes[i] = i < this.bids.count ? this.bids.sizes[i]! : 0;
      askPrices[i] = i < this.asks.count ? this.asks.prices[i]! : 0;
      askSizes[i] = i < this.asks.count ? this.asks.sizes[i]! : 0;
    }
    return n;
  }
}
