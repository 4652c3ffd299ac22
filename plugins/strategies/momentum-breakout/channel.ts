/**
 * A Donchian channel over the last `bars` bar closes, excluding the close being judged: a ring
 * buffer allocated once; highest/lowest are O(bars) scans made once per bar.
 */

/** The highest and lowest of the last `bars` closes. */
export class DonchianChannel {
  private readonly ring: Float64Array;
  private n = 0;
  private head = 0;

  constructor(readonly bars: number) {
    this.ring = new Float64Array(bars);
  }

  /** True once `bars` closes are held. */
  get ready(): boolean {
    return this.n === this.ring.length;
  }

  /** Highest close held (NaN when empty). */
  high(): number {
    let m = NaN;
    for (let i = 0; i < this.n; i++) if (!(this.ring[i]! <= m)) m = this.ring[i]!;
    return m;
  }

  /** Lowest close held (NaN when empty). */
  low(): number {
    let m = NaN;
    for (let i = 0; i < this.n; i++) if (!(this.ring[i]! >= m)) m = this.ring[i]!;
    return m;
  }

  /** Adds a close, evicting the oldest when full. */
  push(x: number): void {
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.ring.length;
    if (this.n < this.ring.length) this.n++;
  }
}
