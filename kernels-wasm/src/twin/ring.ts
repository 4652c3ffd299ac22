/**
 * Fixed-capacity event rings and monotonic deques for time-windowed kernels. A ring holds the
 * most recent events of one instrument (power-of-two capacity, indexed by a monotonically
 * increasing sequence number masked into the arrays); several windows share one ring, each with
 * its own tail. A monotonic deque over the same ring gives a window's max (or min) in O(1)
 * amortised time. Nothing here allocates after construction.
 */

/** Column-oriented ring of events: `columns` Float64Arrays plus the timestamps. */
export class EventRing {
  readonly mask: number;
  readonly ts: Float64Array;
  readonly cols: Float64Array[];
  /** Sequence number of the next event to write. */
  head = 0;

  constructor(readonly capacity: number, columns: number) {
    this.mask = capacity - 1;
    this.ts = new Float64Array(capacity);
    this.cols = Array.from({ length: columns }, () => new Float64Array(capacity));
  }

  /** Forgets every event. */
  clear(): void {
    this.head = 0;
  }
}

/** Monotonic deque of ring sequence numbers whose values decrease (max) or increase (min) from the front. */
export class MonotonicDeque {
  readonly seq: Float64Array;
  private readonly mask: number;
  front = 0;
  back = 0;

  constructor(capacity: number, private readonly max: boolean) {
    this.seq = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** Appends event `s` with value `v`, dropping older events it dominates (`values` is the ring column). */
  push(s: number, v: number, values: Float64Array, ringMask: number): void {
    while (this.back > this.front) {
      const last = values[this.seq[(this.back - 1) & this.mask] & ringMask];
      if (this.max ? last <= v : last >= v) this.back--;
      else break;
    }
    this.seq[this.back & this.mask] = s;
    this.back++;
  }

  /** Drops front events at or before `cutoff` (by their ring timestamps). */
  expire(cutoff: number, ts: Float64Array, ringMask: number): void {
    while (this.back > this.front && ts[this.seq[this.front & this.mask] & ringMask] <= cutoff) this.front++;
  }

  /** Drops the front event if it is sequence `s` (used when the ring evicts its oldest event). */
  evict(s: number): void {
    if (this.back > this.front && this.seq[this.front & this.mask] === s) this.front++;
  }

  /** Sequence number of the window's extreme, or -1 when empty. */
  peek(): number {
    return this.back > this.front ? this.seq[this.front & this.mask] : -1;
  }

  /** Forgets every event. */
  clear(): void {
    this.front = 0;
    this.back = 0;
  }
}
