/**
 * A binary min-heap of scheduled work ordered by (ts, sequence): two timers due at the same
 * microsecond run in the order they were scheduled, which keeps backtests deterministic.
 *
 * The heap holds only numbers, in typed arrays: due time, sequence, handler id and a numeric
 * argument. Hot scheduled work (venue latency hops, report delivery) registers a handler once and
 * schedules `(ts, handler, arg)` with no allocation; a one-off closure (`push`) takes a slot of a
 * reusable table and is scheduled the same way, so both kinds share one order.
 */

/** Callback run by the event loop when its time comes. */
export type TimerCallback = () => void;

/** A registered handler: called with the argument it was scheduled with. */
export type TimerHandler = (arg: number) => void;

/** Min-heap of timers keyed by (ts, seq); entries are (handler id, argument). */
export class TimerQueue {
  private ts: Float64Array;
  private seq: Float64Array;
  /** >= 0: a registered handler's id; < 0: -1 - slot of a one-off closure. */
  private hid: Int32Array;
  private arg: Float64Array;
  private n = 0;
  private nextSeq = 0;
  private readonly handlers: TimerHandler[] = [];
  /** One-off closures by slot, and the free slots. */
  private readonly closures: (TimerCallback | undefined)[] = [];
  private readonly freeSlots: number[] = [];

  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.hid = new Int32Array(capacity);
    this.arg = new Float64Array(capacity);
  }

  /** Number of pending timers. */
  get size(): number {
    return this.n;
  }

  /** ts of the earliest timer, or Infinity when empty. */
  peekTs(): number {
    return this.n === 0 ? Infinity : this.ts[0]!;
  }

  /** Registers a handler for `pushCall`; returns its id (registered handlers are never dropped). */
  register(handler: TimerHandler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Schedules `fn` at `ts`. */
  push(ts: number, fn: TimerCallback): void {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.closures.length;
    this.closures[slot] = fn;
    this.insert(ts, -1 - slot, 0);
  }

  /** Schedules registered handler `handler` to be called with `arg` at `ts` (no allocation). */
  pushCall(ts: number, handler: number, arg: number): void {
    if (handler < 0 || handler >= this.handlers.length) throw new Error(`TIMER_UNKNOWN_HANDLER: handler=${handler} registered=${this.handlers.length}`);
    this.insert(ts, handler, arg);
  }

  /** Removes the earliest timer and runs it; false when empty. The heap is consistent before the call. */
  runNext(): boolean {
    if (this.n === 0) return false;
    const h = this.hid[0]!;
    const a = this.arg[0]!;
    this.removeTop();
    if (h >= 0) this.handlers[h]!(a);
    else this.takeClosure(-1 - h)();
    return true;
  }

  /** Removes and returns the earliest timer as a callback (undefined when empty); `runNext` does not allocate. */
  pop(): TimerCallback | undefined {
    if (this.n === 0) return undefined;
    const h = this.hid[0]!;
    const a = this.arg[0]!;
    this.removeTop();
    if (h < 0) return this.takeClosure(-1 - h);
    const handler = this.handlers[h]!;
    return () => handler(a);
  }

  private takeClosure(slot: number): TimerCallback {
    const fn = this.closures[slot]!;
    this.closures[slot] = undefined;
    this.freeSlots.push(slot);
    return fn;
  }

  private insert(ts: number, h: number, a: number): void {
    if (this.n === this.ts.length) this.grow();
    const T = this.ts;
    const S = this.seq;
    const H = this.hid;
    const A = this.arg;
    let i = this.n++;
    const s = this.nextSeq++;
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p]!;
      if (pt < ts || (pt === ts && S[p]! < s)) break;
      T[i] = pt;
      S[i] = S[p]!;
      H[i] = H[p]!;
      A[i] = A[p]!;
      i = p;
    }
    T[i] = ts;
    S[i] = s;
    H[i] = h;
    A[i] = a;
  }

  private removeTop(): void {
    const T = this.ts;
    const S = this.seq;
    const H = this.hid;
    const A = this.arg;
    const last = --this.n;
    if (last === 0) return;
    const ts = T[last]!;
    const s = S[last]!;
    const h = H[last]!;
    const a = A[last]!;
    let i = 0;
    // Sift down.
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      let c = l;
      if (r < last && (T[r]! < T[l]! || (T[r] === T[l] && S[r]! < S[l]!))) c = r;
      const ct = T[c]!;
      if (ts < ct || (ts === ct && s < S[c]!)) break;
      T[i] = ct;
      S[i] = S[c]!;
      H[i] = H[c]!;
      A[i] = A[c]!;
      i = c;
    }
    T[i] = ts;
    S[i] = s;
    H[i] = h;
    A[i] = a;
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const ts = new Float64Array(cap);
    const seq = new Float64Array(cap);
    const hid = new Int32Array(cap);
    const arg = new Float64Array(cap);
    ts.set(this.ts);
    seq.set(this.seq);
    hid.set(this.hid);
    arg.set(this.arg);
    this.ts = ts;
    this.seq = seq;
    this.hid = hid;
    this.arg = arg;
  }
}
