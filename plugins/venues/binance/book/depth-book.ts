/**
 * One instrument's L2 book as the Binance plugin keeps it: runtime/data's L2Book (each side a
 * sorted run of price levels in typed arrays, updated in place by binary search, best level at
 * index 0, nothing allocated per diff once grown) plus the update id it is as of.
 * Prices in ticks, sizes in units; a size of 0 removes the level (removing an absent one is allowed, as Binance says).
 */
import { L2Book } from "../../../../runtime/data/l2-book.ts";

/** Both sides of an instrument's book and the update id it is as of. */
export class DepthBook extends L2Book {
  /** Last update id applied (the snapshot's `lastUpdateId`, then each diff's `u`); -1 when empty. */
  lastId = -1;

  /** Best bid in ticks (0 when the side is empty). */
  bestBid(): number {
    return this.bids.bestPrice();
  }

  /** Best ask in ticks (0 when the side is empty). */
  bestAsk(): number {
    return this.asks.bestPrice();
  }

  /** Size at the best bid (0 when empty). */
  bestBidSize(): number {
    return this.bids.bestSize();
  }

  /** Size at the best ask (0 when empty). */
  bestAskSize(): number {
    return this.asks.bestSize();
  }

  /** Empties the book. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.lastId = -1;
  }
}
