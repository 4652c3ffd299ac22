/**
 * The TypeScript twin's per-instrument feature state: the obvious implementation of every
 * per-instrument kernel (rolling windows over shared event rings, EWMAs, RSI, volatility
 * buckets), written for clarity first. It is the reference the WebAssembly kernels are tested
 * against and the fallback when WebAssembly is unavailable, so it allocates nothing per event.
 *
 * Windows are half-open, (ts - W, ts]. Timestamps are clamped to be non-decreasing per
 * instrument. Integer inputs keep every rolling sum exact while it stays below 2^53.
 */
import type { FeatureSlots } from "../layout.ts";
import { EventRing, MonotonicDeque } from "./ring.ts";

/** Windows and decay constants shared by all instruments, resolved once from the config. */
export interface InstrumentParams {
  slots: FeatureSlots;
  capacity: number;
  spreadWindow: number;
  rvolWindows: number[];
  zscoreWindow: number;
  donchianWindow: number;
  vwapWindows: number[];
  pressureWindow: number;
  volumeZWindow: number;
  ewmaRates: number[];
  emaFastRate: number;
  emaSlowRate: number;
  rsiPeriod: number;
  imbalanceLevels: number;
}

// Quote ring columns and trade ring columns.
const Q_SPREAD = 0, Q_MID = 1, Q_R2 = 2;
const T_PRICE = 0, T_SIZE = 1, T_SIDE = 2;
/** Volatility samples kept for the regime buckets. */
export const BUCKET_SAMPLES = 64;
const BUCKET_PERIOD_US = 1_000_000;

/** Feature state of one instrument. */
export class InstrumentState {
  readonly q: EventRing;
  readonly t: EventRing;
  // Quote windows: 0 spread, 1..R realised vol, R+1 zscore.
  private readonly qWindow: Float64Array;
  private readonly qTail: Float64Array;
  private readonly qSumA: Float64Array;
  private readonly qSumB: Float64Array;
  // Trade windows: 0..V-1 vwap, V pressure, V+1 volume z.
  private readonly tWindow: Float64Array;
  private readonly tTail: Float64Array;
  private readonly tSumA: Float64Array;
  private readonly tSumB: Float64Array;
  private readonly spreadMax: MonotonicDeque;
  private readonly donchianMax: MonotonicDeque;
  private readonly donchianMin: MonotonicDeque;
  private readonly ewma: Float64Array;
  private readonly samples = new Float64Array(BUCKET_SAMPLES);
  private readonly sorted = new Float64Array(BUCKET_SAMPLES);
  private readonly thresholds = new Float64Array(3);
  private sampleCount = 0;
  private sampleSecond = -1;
  lastTs = 0;
  private started = false;
  private quoted = false;
  private lastMid = 0;
  /** Log mid (held at its last positive value) and whether there has been one. */
  logMid = 0;
  hasLog = false;
  private ref = 0;
  private emaFast = 0;
  private emaSlow = 0;
  private rsiChanges = 0;
  private rsiGain = 0;
  private rsiLoss = 0;
  evicted = 0;

  constructor(private readonly p: InstrumentParams, readonly out: Float64Array) {
    const R = p.rvolWindows.length, V = p.vwapWindows.length;
    this.q = new EventRing(p.capacity, 3);
    this.t = new EventRing(p.capacity, 3);
    this.qWindow = Float64Array.from([p.spreadWindow, ...p.rvolWindows, p.zscoreWindow]);
    this.qTail = new Float64Array(R + 2);
    this.qSumA = new Float64Array(R + 2);
    this.qSumB = new Float64Array(R + 2);
    this.tWindow = Float64Array.from([...p.vwapWindows, p.pressureWindow, p.volumeZWindow]);
    this.tTail = new Float64Array(V + 2);
    this.tSumA = new Float64Array(V + 2);
    this.tSumB = new Float64Array(V + 2);
    this.spreadMax = new MonotonicDeque(p.capacity, true);
    this.donchianMax = new MonotonicDeque(p.capacity, true);
    this.donchianMin = new MonotonicDeque(p.capacity, false);
    this.ewma = new Float64Array(p.ewmaRates.length);
    this.reset();
  }

  /** Clears all state and the feature vector. */
  reset(): void {
    this.q.clear(); this.t.clear();
    this.qTail.fill(0); this.qSumA.fill(0); this.qSumB.fill(0);
    this.tTail.fill(0); this.tSumA.fill(0); this.tSumB.fill(0);
    this.spreadMax.clear(); this.donchianMax.clear(); this.donchianMin.clear();
    this.ewma.fill(0); this.samples.fill(0); this.sorted.fill(0); this.thresholds.fill(0);
    this.sampleCount = 0; this.sampleSecond = -1;
    this.lastTs = 0; this.started = false; this.quoted = false;
    this.lastMid = 0; this.logMid = 0; this.hasLog = false; this.ref = 0; this.emaFast = 0; this.emaSlow = 0;
    this.rsiChanges = 0; this.rsiGain = 0; this.rsiLoss = 0; this.evicted = 0;
    const s = this.p.slots;
    this.out.fill(NaN);
    this.out[s.imbalance] = 0; this.out[s.pressure] = 0; this.out[s.volumeZ] = 0; this.out[s.zscore] = 0;
    this.out[s.volBucket] = -1;
    for (let k = 0; k < this.p.rvolWindows.length; k++) this.out[s.rvol + k] = 0;
  }

  /** Clamps `ts` to be non-decreasing and returns it. */
  private clock(ts: number): number {
    if (!this.started || ts > this.lastTs) { this.lastTs = ts; this.started = true; }
    return this.lastTs;
  }

  /** Applies one quote; returns the log-mid return (0 for the first positive mid). */
  quote(tsIn: number, bid: number, ask: number, bidSize: number, askSize: number): number {
    const p = this.p, s = p.slots, out = this.out;
    const prevTs = this.lastTs;
    const ts = this.clock(tsIn);
    const mid = (bid + ask) * 0.5;
    const spread = ask - bid;
    const depth = bidSize + askSize;
    out[s.mid] = mid;
    out[s.spread] = spread;
    out[s.microprice] = depth > 0 ? (bid * askSize + ask * bidSize) / depth : mid;
    out[s.imbalance] = depth > 0 ? (bidSize - askSize) / depth : 0;

    let r = 0;
    const first = !this.quoted;
    const dt = first ? 0 : ts - prevTs;
    if (mid > 0) {
      const x = Math.log(mid);
      if (this.hasLog) r = x - this.logMid;
      this.logMid = x;
      this.hasLog = true;
    }
    if (first) {
      this.ref = mid;
      this.emaFast = mid; this.emaSlow = mid;
    } else {
      const af = Math.exp(-dt * p.emaFastRate), as = Math.exp(-dt * p.emaSlowRate);
      this.emaFast = mid + (this.emaFast - mid) * af;
      this.emaSlow = mid + (this.emaSlow - mid) * as;
      this.rsi(mid - this.lastMid);
    }
    this.quoted = true;
    this.lastMid = mid;
    out[s.emaFast] = this.emaFast;
    out[s.emaSlow] = this.emaSlow;
    out[s.emaCross] = this.emaFast - this.emaSlow;

    const r2 = r * r;
    for (let h = 0; h < p.ewmaRates.length; h++) {
      const rate = p.ewmaRates[h];
      const v = first ? 0 : this.ewma[h] * Math.exp(-dt * rate) + r2;
      this.ewma[h] = v;
      out[s.ewmaVol + h] = Math.sqrt(v * rate * 1e6);
    }
    this.bucket(ts, out[s.ewmaVol]);
    this.pushQuote(ts, spread, mid, r2);
    this.refresh(ts);
    return r;
  }

  /** Wilder RSI over mid changes: g = g (n - 1) / n + gain / n, RSI = 100 g / (g + l). */
  private rsi(change: number): void {
    const n = this.p.rsiPeriod;
    const gain = change > 0 ? change : 0, loss = change < 0 ? -change : 0;
    this.rsiChanges++;
    if (this.rsiChanges <= n) {
      this.rsiGain += gain; this.rsiLoss += loss;
      if (this.rsiChanges < n) return;
      this.rsiGain = this.rsiGain / n; this.rsiLoss = this.rsiLoss / n;
    } else {
      const keep = (n - 1) / n, add = 1 / n;
      this.rsiGain = this.rsiGain * keep + gain * add;
      this.rsiLoss = this.rsiLoss * keep + loss * add;
    }
    const g = this.rsiGain, l = this.rsiLoss;
    this.out[this.p.slots.rsi] = g + l === 0 ? 50 : 100 * g / (g + l);
  }

  /** Samples the volatility once per second and labels the current value by quartile. */
  private bucket(ts: number, vol: number): void {
    const second = Math.floor(ts / BUCKET_PERIOD_US);
    if (second !== this.sampleSecond) {
      this.sampleSecond = second;
      this.samples[this.sampleCount % BUCKET_SAMPLES] = vol;
      this.sampleCount++;
      const n = this.sampleCount < BUCKET_SAMPLES ? this.sampleCount : BUCKET_SAMPLES;
      if (n >= 4) {
        const a = this.sorted;
        for (let i = 0; i < n; i++) {
          const v = this.samples[i];
          let j = i - 1;
          while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
          a[j + 1] = v;
        }
        this.thresholds[0] = a[(n >> 2)];
        this.thresholds[1] = a[(n >> 1)];
        this.thresholds[2] = a[((3 * n) >> 2)];
      }
    }
    if (this.sampleCount >= 4) {
      const t = this.thresholds;
      this.out[this.p.slots.volBucket] = (vol > t[0] ? 1 : 0) + (vol > t[1] ? 1 : 0) + (vol > t[2] ? 1 : 0);
    }
  }

  /** Appends a quote to the ring, evicting the oldest event early if the ring is full. */
  private pushQuote(ts: number, spread: number, mid: number, r2: number): void {
    const q = this.q, m = q.mask, seq = q.head;
    const d = mid - this.ref;
    if (seq >= q.capacity) {
      const old = seq - q.capacity;
      for (let w = 0; w < this.qTail.length; w++) {
        if (this.qTail[w] === old) { this.dropQuote(w, old); this.qTail[w] = old + 1; this.evicted++; }
      }
      this.spreadMax.evict(old); this.donchianMax.evict(old); this.donchianMin.evict(old);
    }
    q.ts[seq & m] = ts;
    q.cols[Q_SPREAD][seq & m] = spread;
    q.cols[Q_MID][seq & m] = mid;
    q.cols[Q_R2][seq & m] = r2;
    q.head = seq + 1;
    const R = this.p.rvolWindows.length;
    this.qSumA[0] += spread;
    for (let k = 1; k <= R; k++) this.qSumA[k] += r2;
    this.qSumA[R + 1] += d;
    this.qSumB[R + 1] += d * d;
    this.spreadMax.push(seq, spread, q.cols[Q_SPREAD], m);
    this.donchianMax.push(seq, mid, q.cols[Q_MID], m);
    this.donchianMin.push(seq, mid, q.cols[Q_MID], m);
  }

  /** Removes quote `seq` from window `w`'s sums. */
  private dropQuote(w: number, seq: number): void {
    const m = this.q.mask, R = this.p.rvolWindows.length;
    if (w === 0) this.qSumA[0] -= this.q.cols[Q_SPREAD][seq & m];
    else if (w <= R) this.qSumA[w] -= this.q.cols[Q_R2][seq & m];
    else {
      const d = this.q.cols[Q_MID][seq & m] - this.ref;
      this.qSumA[w] -= d;
      this.qSumB[w] -= d * d;
    }
  }

  /** Applies one trade. */
  trade(tsIn: number, price: number, size: number, side: number): void {
    const ts = this.clock(tsIn);
    const t = this.t, m = t.mask, seq = t.head;
    if (seq >= t.capacity) {
      const old = seq - t.capacity;
      for (let w = 0; w < this.tTail.length; w++) {
        if (this.tTail[w] === old) { this.dropTrade(w, old); this.tTail[w] = old + 1; this.evicted++; }
      }
    }
    t.ts[seq & m] = ts;
    t.cols[T_PRICE][seq & m] = price;
    t.cols[T_SIZE][seq & m] = size;
    t.cols[T_SIDE][seq & m] = side;
    t.head = seq + 1;
    const V = this.p.vwapWindows.length;
    const pv = price * size;
    for (let k = 0; k < V; k++) { this.tSumA[k] += pv; this.tSumB[k] += size; }
    this.tSumA[V] += side * size; this.tSumB[V] += size;
    this.tSumA[V + 1] += size; this.tSumB[V + 1] += size * size;
    this.refresh(ts);
    // Volume z-score of this trade against the window it just joined.
    const n = t.head - this.tTail[V + 1];
    const mean = this.tSumA[V + 1] / n;
    const variance = this.tSumB[V + 1] / n - mean * mean;
    this.out[this.p.slots.volumeZ] = n >= 2 && variance > 0 ? (size - mean) / Math.sqrt(variance) : 0;
  }

  /** Removes trade `seq` from window `w`'s sums. */
  private dropTrade(w: number, seq: number): void {
    const m = this.t.mask, V = this.p.vwapWindows.length;
    const size = this.t.cols[T_SIZE][seq & m];
    if (w < V) { this.tSumA[w] -= this.t.cols[T_PRICE][seq & m] * size; this.tSumB[w] -= size; }
    else if (w === V) { this.tSumA[w] -= this.t.cols[T_SIDE][seq & m] * size; this.tSumB[w] -= size; }
    else { this.tSumA[w] -= size; this.tSumB[w] -= size * size; }
  }

  /** Applies top-k book levels (imbalance only). */
  book(tsIn: number, bidSizes: ArrayLike<number>, askSizes: ArrayLike<number>, levels: number): void {
    const ts = this.clock(tsIn);
    const k = levels < this.p.imbalanceLevels ? levels : this.p.imbalanceLevels;
    let b = 0, a = 0;
    for (let i = 0; i < k; i++) { b += bidSizes[i]; a += askSizes[i]; }
    const depth = b + a;
    this.out[this.p.slots.imbalance] = depth > 0 ? (b - a) / depth : 0;
    this.refresh(ts);
  }

  /** Expires every window to `ts` and rewrites the window features. */
  refresh(ts: number): void {
    const p = this.p, s = p.slots, out = this.out, q = this.q, t = this.t;
    for (let w = 0; w < this.qTail.length; w++) {
      const cutoff = ts - this.qWindow[w];
      let tail = this.qTail[w];
      while (tail < q.head && q.ts[tail & q.mask] <= cutoff) { this.dropQuote(w, tail); tail++; }
      this.qTail[w] = tail;
      // An empty window restarts its sums from exact zero, so float drift cannot outlive it.
      if (tail === q.head) { this.qSumA[w] = 0; this.qSumB[w] = 0; }
    }
    for (let w = 0; w < this.tTail.length; w++) {
      const cutoff = ts - this.tWindow[w];
      let tail = this.tTail[w];
      while (tail < t.head && t.ts[tail & t.mask] <= cutoff) { this.dropTrade(w, tail); tail++; }
      this.tTail[w] = tail;
      if (tail === t.head) { this.tSumA[w] = 0; this.tSumB[w] = 0; }
    }
    this.spreadMax.expire(ts - p.spreadWindow, q.ts, q.mask);
    this.donchianMax.expire(ts - p.donchianWindow, q.ts, q.mask);
    this.donchianMin.expire(ts - p.donchianWindow, q.ts, q.mask);

    const R = p.rvolWindows.length, V = p.vwapWindows.length;
    const ns = q.head - this.qTail[0];
    out[s.spreadMean] = ns > 0 ? this.qSumA[0] / ns : NaN;
    const sm = this.spreadMax.peek();
    out[s.spreadMax] = sm >= 0 ? q.cols[Q_SPREAD][sm & q.mask] : NaN;
    for (let k = 1; k <= R; k++) {
      const v = this.qSumA[k];
      out[s.rvol + k - 1] = v > 0 ? Math.sqrt(v) : 0;
    }
    const nz = q.head - this.qTail[R + 1];
    if (nz > 0) {
      const mean = this.qSumA[R + 1] / nz;
      const variance = this.qSumB[R + 1] / nz - mean * mean;
      out[s.zscore] = variance > 0 ? (this.lastMid - this.ref - mean) / Math.sqrt(variance) : 0;
    } else out[s.zscore] = 0;
    const hi = this.donchianMax.peek(), lo = this.donchianMin.peek();
    out[s.donchianHigh] = hi >= 0 ? q.cols[Q_MID][hi & q.mask] : NaN;
    out[s.donchianLow] = lo >= 0 ? q.cols[Q_MID][lo & q.mask] : NaN;
    for (let k = 0; k < V; k++) {
      const v = this.tSumB[k];
      out[s.vwap + k] = v > 0 ? this.tSumA[k] / v : NaN;
    }
    const pv = this.tSumB[V];
    out[s.pressure] = pv > 0 ? this.tSumA[V] / pv : 0;
  }
}
