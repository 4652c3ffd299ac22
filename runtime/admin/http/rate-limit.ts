/**
 * Per-token rate limit: a token bucket per bearer token (refilled continuously at `perSecond`, up
 * to `burst`). The map is bounded: past `maxTokens` distinct tokens it starts afresh.
 */

/** Token buckets keyed by bearer token. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { level: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly maxTokens = 10_000,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes one request's worth for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    if (!(this.perSecond > 0)) return true;
    const now = this.nowMs();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxTokens) this.buckets.clear();
      b = { level: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.level = Math.min(this.burst, b.level + ((now - b.at) * this.perSecond) / 1000);
    b.at = now;
    if (b.level < 1) return false;
    b.level -= 1;
    return true;
  }
}
