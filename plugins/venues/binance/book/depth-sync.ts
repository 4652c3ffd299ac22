/**
 * Binance's documented procedure for keeping a local book in step with the depth diff stream:
 * buffer the stream's diffs, take a REST snapshot, refetch it while it is older than the first
 * buffered diff, drop buffered diffs it already contains, then apply diffs in order while each
 * follows on — spot: `U <= lastId + 1 <= u` (diffs with `u <= lastId` are stale and ignored);
 * USD-M futures: the first diff straddles the snapshot (`U <= lastId <= u`) and each later one
 * has `pu == previous u`. Anything else is a gap: the book is discarded and the procedure restarts.
 * Synchronous and allocation-free per applied diff; the caller fetches snapshots.
 */
import type { DepthBook } from "./depth-book.ts";

/** A depth diff with levels as flat [price, size, price, size, ...] integer arrays. */
export interface Diff {
  /** First update id in the event (`U`). */
  readonly first: number;
  /** Final update id in the event (`u`). */
  readonly last: number;
  /** Previous event's final update id (`pu`, futures); -1 on spot. */
  readonly prev: number;
  readonly bids: ArrayLike<number>;
  readonly asks: ArrayLike<number>;
}

/** A REST depth snapshot. */
export interface Snapshot {
  readonly lastUpdateId: number;
  readonly bids: ArrayLike<number>;
  readonly asks: ArrayLike<number>;
}

/** What became of a diff. */
export type DiffOutcome = "applied" | "buffered" | "stale" | "gap";

/** What became of a snapshot: applied (book in sync), or too old for the buffered diffs (fetch another). */
export type SnapshotOutcome = "synced" | "too-old" | "gap";

/** Sync state of one book. */
export type SyncState = "buffering" | "synced";

const MAX_BUFFER = 100_000;

/** Keeps one DepthBook in sync with the diff stream of one symbol. */
export class DepthSync {
  state: SyncState = "buffering";
  /** Diffs applied, ignored as stale, and gaps seen. */
  applied = 0;
  stale = 0;
  gaps = 0;
  /**
   * Worst bid and ask of the last snapshot: a snapshot is cut at its limit, so beyond these prices
   * the book holds only levels that diffs have set since (0 and Infinity before any snapshot).
   */
  coverBid = 0;
  coverAsk = Number.POSITIVE_INFINITY;
  private buffer: Diff[] = [];
  /** True until the first diff after a snapshot has been applied (futures check it straddles). */
  private first = true;

  constructor(
    readonly book: DepthBook,
    readonly futures: boolean,
  ) {}

  /** Discards the book and starts buffering again (a gap, a reconnect). */
  reset(): void {
    this.state = "buffering";
    this.buffer = [];
    this.book.clear();
    this.first = true;
  }

  /** Takes a diff from the stream. */
  onDiff(d: Diff): DiffOutcome {
    if (this.state === "buffering") {
      if (this.buffer.length >= MAX_BUFFER) this.buffer.shift();
      this.buffer.push(d);
      return "buffered";
    }
    return this.apply(d);
  }

  /** Takes a REST snapshot; applies the buffered diffs that follow it. */
  onSnapshot(s: Snapshot): SnapshotOutcome {
    const firstBuffered = this.buffer[0];
    // Binance: if the snapshot's lastUpdateId is older than the first buffered event's U, fetch again.
    if (firstBuffered !== undefined && s.lastUpdateId < firstBuffered.first) return "too-old";
    const book = this.book;
    book.clear();
    setLevels(book.bids, s.bids);
    setLevels(book.asks, s.asks);
    book.lastId = s.lastUpdateId;
    this.coverBid = s.bids.length >= 2 ? s.bids[s.bids.length - 2]! : 0;
    this.coverAsk = s.asks.length >= 2 ? s.asks[s.asks.length - 2]! : Number.POSITIVE_INFINITY;
    this.state = "synced";
    this.first = true;
    const pending = this.buffer;
    this.buffer = [];
    for (let i = 0; i < pending.length; i++) {
      if (this.apply(pending[i]!) === "gap") return "gap";
    }
    return "synced";
  }

  /** Number of diffs waiting for a snapshot. */
  get buffered(): number {
    return this.buffer.length;
  }

  private apply(d: Diff): DiffOutcome {
    const book = this.book;
    const id = book.lastId;
    if (d.last <= id) {
      this.stale++;
      return "stale";
    }
    const follows = this.futures ? d.prev === id || (this.first && d.first <= id) : d.first <= id + 1;
    if (!follows) {
      this.gaps++;
      this.reset();
      return "gap";
    }
    setLevels(book.bids, d.bids);
    setLevels(book.asks, d.asks);
    book.lastId = d.last;
    this.first = false;
    this.applied++;
    return "applied";
  }
}

function setLevels(side: { set(price: number, size: number): void }, levels: ArrayLike<number>): void {
  for (let i = 0; i + 1 < levels.length; i += 2) side.set(levels[i]!, levels[i + 1]!);
}
