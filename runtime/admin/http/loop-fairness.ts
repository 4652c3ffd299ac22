/**
 * Keeps admin requests from starving the trading loop, which shares their thread. The real-time
 * runner advances the kernel clock on every turn of the loop; while it keeps advancing, requests
 * run at once. When it has not moved for `budgetMs` (requests have held the thread that long), a
 * request waits on a macrotask until the clock moves again (at most `maxWaitMs`), so the loop gets
 * its turn before more admin work.
 */

/** Gate that requests pass through before running. */
export class LoopFairness {
  private lastClock = Number.NaN;
  private lastMoveAt = 0;
  /** Requests that had to wait for the loop (for metrics). */
  deferred = 0;

  constructor(
    private readonly clock: () => number,
    readonly budgetMs = 2,
    readonly maxWaitMs = 25,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Resolves when the request may run. */
  async turn(): Promise<void> {
    if (this.budgetMs <= 0) return;
    this.observe();
    if (this.nowMs() - this.lastMoveAt < this.budgetMs) return;
    this.deferred++;
    const until = this.nowMs() + this.maxWaitMs;
    while (this.nowMs() < until) {
      await new Promise((r) => setTimeout(r, 0));
      if (this.observe()) return;
    }
  }

  /** Notes the clock; true when it moved since the last look. */
  private observe(): boolean {
    const c = this.clock();
    if (c === this.lastClock) return false;
    this.lastClock = c;
    this.lastMoveAt = this.nowMs();
    return true;
  }
}
