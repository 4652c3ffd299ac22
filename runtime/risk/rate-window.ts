/** Sliding one-window counter of events per key: a ring of the last `limit` timestamps. */

/** Counts events in a sliding window without allocating per event. */
export class RateWindow {
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    readonly limit: number,
    readonly windowUs: number,
  ) {
    this.ring = new Float64Array(Math.max(1, limit));
  }

  /** True when one more event at `now` stays within the limit (does not record it). */
  allows(now: number): boolean {
    if (this.limit <= 0) return false;
    if (this.count < this.limit) return true;
    // The oldest of the last `limit` events must have left the window.
    return this.ring[this.head]! <= now - this.windowUs;
  }

  /** Records an event at `now`. */
  record(now: number): void {
    this.ring[this.head] = now;
    this.head = (this.head + 1) % this.ring.length;
    if (this.count < this.limit) this.count++;
  }
}
