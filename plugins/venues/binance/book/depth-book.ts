/**
 * One instrument's L2 book as the Binance plugin keeps it: each side a sorted run of price levels
 * in typed arrays (bids descending, asks ascending), updated in place by binary search, so the
 * best level is index 0 and a diff allocates nothing once the arrays have grown to the book's depth.
 * Prices in ticks, sizes in units; a size of 0 removes the level.
 */

/** One side of the book: sorted prices with their sizes. */
export class BookSideArrays {
  prices: Float64Array;
  sizes: Float64Array;
  count = 0;

  constructor(
    private readonly descending: boolean,
    capacity = 1024,
  ) {
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  /** Sets the size at a price (0 removes it; removing an absent level is allowed, as Binance says). */
  set(price: number, size: number): void {
    const i = this.find(price);
    const found = i < this.count && this.prices[i] === price;
    if (size === 0) {
      if (!found) return;
      this.prices.copyWithin(i, i + 1, this.count);
      this.sizes.copyWithin(i, i + 1, this.count);
      this.count--;
      return;
    }
    if (found) {
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

  /** Size at a price (0 when absent). */
  sizeAt(price: number): number {
    const i = this.find(price);
    return i < this.count && this.prices[i] === price ? this.sizes[i]! : 0;
  }

  /** Empties the side. */
  clear(): void {
    this.count = 0;
  }

  /** Index where `price` is or would be inserted. */
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

/** Both sides of an instrument's book and the update id it is as of. */
export class DepthBook {
  readonly bids = new BookSideArrays(true);
  readonly asks = new BookSideArrays(false);
  /** Last update id applied (the snapshot's `lastUpdateId`, then each diff's `u`); -1 when empty. */
  lastId = -1;

  /** Best bid in ticks (0 when the side is empty). */
  bestBid(): number {
    return this.bids.count > 0 ? this.bids.prices[0]! : 0;
  }

  /** Best ask in ticks (0 when the side is empty). */
  bestAsk(): number {
    return this.asks.count > 0 ? this.asks.prices[0]! : 0;
  }

  /** Size at the best bid (0 when empty). */
  bestBidSize(): number {
    return this.bids.count > 0 ? this.bids.sizes[0]! : 0;
  }

  /** Size at the best ask (0 when empty). */
  bestAskSize(): number {
    return this.asks.count > 0 ? this.asks.sizes[0]! : 0;
  }

  /** Empties the book. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.lastId = -1;
  }
}
