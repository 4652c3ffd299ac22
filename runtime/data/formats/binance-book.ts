/**
 * Rebuilds a Binance order book from a REST snapshot and the depth diffs of the stream, with
 * Binance's documented synchronisation: diffs that arrive before the snapshot are buffered,
 * those older than it are dropped, the first one applied must straddle it, and each later one
 * must follow on (spot: `U == previous u + 1`; USD-M futures: `pu == previous u`). A break in
 * the sequence is a gap: the book is cleared and waits for a new snapshot.
 */
import type { DepthDiff, DepthSnapshot, Level } from "./binance.ts";

/** What happened to one diff or snapshot. */
export type BookSyncResult = "applied" | "buffered" | "stale" | "gap";

/** One side of a book as a price → size map with its best price kept up to date. */
class BookSide {
  readonly levels = new Map<number, number>();
  best = Number.NaN;

  constructor(private readonly isBid: boolean) {}

  set(price: number, size: number): void {
    if (size === 0) {
      if (!this.levels.delete(price)) return;
      if (price === this.best) this.rescan();
      return;
    }
    this.levels.set(price, size);
    if (this.best !== this.best || (this.isBid ? price > this.best : price < this.best)) this.best = price;
  }

  clear(): void {
    this.levels.clear();
    this.best = Number.NaN;
  }

  private rescan(): void {
    let best = Number.NaN;
    for (const p of this.levels.keys()) if (best !== best || (this.isBid ? p > best : p < best)) best = p;
    this.best = best;
  }
}

/** A book rebuilt from a snapshot and diffs; prices in ticks, sizes in units. */
export class BinanceBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** Update id the book is as of; -1 before the first snapshot. */
  lastId = -1;
  /** True once a snapshot and a straddling diff have been applied, until a gap. */
  synced = false;
  /** Sequence breaks seen. */
  gaps = 0;
  private snapshotId = -1;
  private buffered: DepthDiff[] = [];

  /** Applies a REST snapshot, then any buffered diffs that follow it. */
  applySnapshot(snap: DepthSnapshot): BookSyncResult {
    this.bids.clear();
    this.asks.clear();
    for (const [p, s] of snap.bids) this.bids.set(p, s);
    for (const [p, s] of snap.asks) this.asks.set(p, s);
    this.snapshotId = snap.lastId;
    this.lastId = snap.lastId;
    this.synced = false;
    const pending = this.buffered;
    this.buffered = [];
    let result: BookSyncResult = "applied";
    for (const diff of pending) if (this.applyDiff(diff) === "gap") result = "gap";
    return result;
  }

  /** Applies a diff if it follows the book, buffers it before any snapshot, and reports stale diffs and gaps. */
  applyDiff(diff: DepthDiff): BookSyncResult {
    if (this.snapshotId < 0) {
      this.buffered.push(diff);
      return "buffered";
    }
    const futures = diff.prevLastId >= 0;
    if (!this.synced) {
      // Futures straddle the snapshot id itself, spot straddles the next id.
      const need = futures ? this.snapshotId : this.snapshotId + 1;
      if (diff.lastId < need) return "stale";
      if (diff.firstId > need) return this.gap();
    } else if (futures ? diff.prevLastId !== this.lastId : diff.firstId !== this.lastId + 1) {
      if (diff.lastId <= this.lastId) return "stale";
      return this.gap();
    }
    this.setLevels(this.bids, diff.bids);
    this.setLevels(this.asks, diff.asks);
    this.lastId = diff.lastId;
    this.synced = true;
    return "applied";
  }

  /** Best bid price in ticks, NaN if the side is empty. */
  bestBid(): number {
    return this.bids.best;
  }

  /** Best ask price in ticks, NaN if the side is empty. */
  bestAsk(): number {
    return this.asks.best;
  }

  /** Size in units at a bid price (0 if none). */
  bidSizeAt(price: number): number {
    return this.bids.levels.get(price) ?? 0;
  }

  /** Size in units at an ask price (0 if none). */
  askSizeAt(price: number): number {
    return this.asks.levels.get(price) ?? 0;
  }

  private setLevels(side: BookSide, levels: Level[]): void {
    for (let i = 0; i < levels.length; i++) side.set(levels[i][0], levels[i][1]);
  }

  private gap(): BookSyncResult {
    this.gaps++;
    this.synced = false;
    this.snapshotId = -1;
    this.bids.clear();
    this.asks.clear();
    return "gap";
  }
}
