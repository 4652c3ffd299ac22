/**
 * A binary min-heap of scheduled callbacks ordered by (ts, sequence): two callbacks due at the same
 * microsecond run in the order they were scheduled, which keeps backtests deterministic.
 */

/** Callback run by the event loop when its time comes. */
export type TimerCallback = () => void;

/** Min-heap of timers keyed by (ts, seq). */
export class TimerQueue {
  private ts: Float64Array;
  private seq: Float64Array;
  private fns: (TimerCallback | undefined)[] = [];
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
  }

  /** Number of pending timers. */
  get size(): number {
    return this.n;
  }

  /** ts of the earliest timer, or Infinity when empty. */
  peekTs(): number {
    return this.n === 0 ? Infinity : this.ts[0]!;
  }

  /** Schedules `fn` at `ts`. */
  push(ts: number, fn: TimerCallback): void {
    if (this.n === this.ts.length) this.grow();
    let i = this.n++;
    const s = this.nextSeq++;
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.ts[p]! < ts || (this.ts[p] === ts && this.seq[p]! < s)) break;
      this.ts[i] = this.ts[p]!;
      this.seq[i] = this.seq[p]!;
      this.fns[i] = this.fns[p];
      i = p;
    }
    this.ts[i] = ts;
    this.seq[i] = s;
    this.fns[i] = fn;
  }

  /** Removes and returns the earliest timer's callback (undefined when empty). */
  pop(): TimerCallback | undefined {
    if (this.n === 0) return undefined;
    const top = this.fns[0];
    const last = --this.n;
    const ts = this.ts[last]!;
    const s = this.seq[last]!;
    const fn = this.fns[last];
    this.fns[last] = undefined;
    let i = 0;
    // Sift down.
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      let c = l;
      if (r < last && (this.ts[r]! < this.ts[l]! || (this.ts[r] === this.ts[l] && this.seq[r]! < this.seq[l]!))) c = r;
      if (ts < this.ts[c]! || (ts === this.ts[c] && s < this.seq[c]!)) break;
      this.ts[i] = this.ts[c]!;
      this.seq[i] = this.seq[c]!;
      this.fns[i] = this.fns[c];
      i = c;
    }
    if (last > 0) {
      this.ts[i] = ts;
      this.seq[i] = s;
      this.fns[i] = fn;
    }
    return top;
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    const seq = new Float64Array(this.seq.length * 2);
    ts.set(this.ts);
    seq.set(this.seq);
    this.ts = ts;
    this.seq = seq;
  }
}
