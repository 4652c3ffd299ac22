/**
 * Per-instrument feature kernels in linear memory: quotes (mid, spread, microprice, L1
 * imbalance, EWMA and realised volatility, volatility buckets, EMAs, RSI), trades (VWAPs,
 * pressure, volume z-score), book levels (top-k imbalance) and the rolling windows they share.
 * A line-by-line port of src/twin/instrument.ts with the same operation order, so every
 * feature made of +, -, *, / and sqrt matches the twin bit for bit; features through exp/log
 * differ only by the libm's last-bit rounding.
 */
import {
  BUCKET_SAMPLES, DECAYS, DECAY_N, DECAY_RATES, DONCHIAN_W, DQ_HIGH, DQ_LOW, DQ_SPREAD, EMA_FAST_DECAY, EMA_SLOW_DECAY, EWMA_DECAY, F_BUCKET, F_DHIGH, F_DLOW,
  F_EMA_CROSS, F_EMA_FAST, F_EMA_SLOW, F_EWMA, F_IMB, F_MICRO, F_MID, F_PRESS, F_RSI, F_RVOL, F_SMAX, F_SMEAN,
  F_SPREAD, F_VOLZ, F_VWAP, F_ZSCORE, LEVELS, MASK, CAP, NH, NR, NV, OFF_EWMA, OFF_QSUMA, OFF_QSUMB, OFF_QTAIL,
  OFF_SAMPLES, OFF_SORTED, OFF_TRING, OFF_TSUMA, OFF_TSUMB, OFF_TTAIL, QW, QWIN, TW_LONGEST, RATES, RSI_ADD, RSI_KEEP, RSI_PERIOD,
  S_EMA_FAST, S_EMA_SLOW, S_EVICTED, S_HAS_LOG, S_LAST_MID, S_LAST_TS, S_LOG_MID, S_QHEAD, S_QUOTED, S_REF,
  S_NEXT_SEC, S_RSI_GAIN, S_RSI_LOSS, S_RSI_N, S_SAMPLES_N, S_SAMPLE_SEC, S_STARTED, S_THEAD, S_THRESH, TW, TWIN, rd, ri, wi, wr,
} from "./memory";
import { dqAny, dqEvict, dqExpire, dqExpireTo, dqFront, dqPush, qrec } from "./deque";
import { DQ_WINDOW_DONCHIAN, DQ_WINDOW_SPREAD, QW_LONGEST } from "./memory";

const Q_SPREAD: usize = 8, Q_MID: usize = 16, Q_R2: usize = 24;

/** Address of trade record `seq` in the block at st. */
@inline function trec(st: usize, seq: u32): usize {
  return st + OFF_TRING + (<usize>(seq & <u32>MASK) << 5);
}

/** Clamps ts to be non-decreasing per instrument and returns it. */
export function clock(st: usize, ts: f64): f64 {
  if (rd(st, S_STARTED) == 0 || ts > rd(st, S_LAST_TS)) { wr(st, S_LAST_TS, ts); wr(st, S_STARTED, 1); }
  return rd(st, S_LAST_TS);
}

/** Applies one quote; returns the log-mid return (0 for the first positive mid). */
export function quote(st: usize, out: usize, tsIn: f64, bid: f64, ask: f64, bidSize: f64, askSize: f64): f64 {
  const prevTs = rd(st, S_LAST_TS);
  const ts = clock(st, tsIn);
  const mid = (bid + ask) * 0.5;
  const spread = ask - bid;
  const depth = bidSize + askSize;
  wr(out, F_MID, mid);
  wr(out, F_SPREAD, spread);
  wr(out, F_MICRO, depth > 0 ? (bid * askSize + ask * bidSize) / depth : mid);
  wr(out, F_IMB, depth > 0 ? (bidSize - askSize) / depth : 0);

  let r: f64 = 0;
  const first = rd(st, S_QUOTED) == 0;
  const dt = first ? 0 : ts - prevTs;
  if (mid > 0) {
    const x = Math.log(mid);
    if (rd(st, S_HAS_LOG) != 0) r = x - rd(st, S_LOG_MID);
    wr(st, S_LOG_MID, x);
    wr(st, S_HAS_LOG, 1);
  }
  let emaFast: f64, emaSlow: f64;
  if (first) {
    wr(st, S_REF, mid);
    emaFast = mid; emaSlow = mid;
  } else {
    // Each distinct rate's decay once (exp(-0) is exactly 1, as the twin gets it).
    for (let d = 0; d < DECAY_N; d++) wr(DECAYS, d, dt == 0 ? 1 : Math.exp(-dt * rd(DECAY_RATES, d)));
    const af = rd(DECAYS, EMA_FAST_DECAY), as = rd(DECAYS, EMA_SLOW_DECAY);
    emaFast = mid + (rd(st, S_EMA_FAST) - mid) * af;
    emaSlow = mid + (rd(st, S_EMA_SLOW) - mid) * as;
    rsi(st, out, mid - rd(st, S_LAST_MID));
  }
  wr(st, S_EMA_FAST, emaFast); wr(st, S_EMA_SLOW, emaSlow);
  wr(st, S_QUOTED, 1);
  wr(st, S_LAST_MID, mid);
  wr(out, F_EMA_FAST, emaFast);
  wr(out, F_EMA_SLOW, emaSlow);
  wr(out, F_EMA_CROSS, emaFast - emaSlow);

  const r2 = r * r;
  const ew = st + OFF_EWMA;
  for (let h = 0; h < NH; h++) {
    const rate = rd(RATES, h);
    const v = first ? 0 : rd(ew, h) * rd(DECAYS, load<i32>(EWMA_DECAY + (<usize>h << 2))) + r2;
    wr(ew, h, v);
    wr(out, F_EWMA + h, Math.sqrt(v * rate * 1e6));
  }
  bucket(st, out, ts, rd(out, F_EWMA));
  pushQuote(st, ts, spread, mid, r2);
  refresh(st, out, ts);
  return r;
}

function rsi(st: usize, out: usize, change: f64): void {
  const n = RSI_PERIOD;
  const gain = change > 0 ? change : 0, loss = change < 0 ? -change : 0;
  const count = rd(st, S_RSI_N) + 1;
  wr(st, S_RSI_N, count);
  let g: f64, l: f64;
  if (count <= n) {
    g = rd(st, S_RSI_GAIN) + gain; l = rd(st, S_RSI_LOSS) + loss;
    if (count < n) { wr(st, S_RSI_GAIN, g); wr(st, S_RSI_LOSS, l); return; }
    g = g / n; l = l / n;
  } else {
    g = rd(st, S_RSI_GAIN) * RSI_KEEP + gain * RSI_ADD;
    l = rd(st, S_RSI_LOSS) * RSI_KEEP + loss * RSI_ADD;
  }
  wr(st, S_RSI_GAIN, g); wr(st, S_RSI_LOSS, l);
  wr(out, F_RSI, g + l == 0 ? 50 : 100 * g / (g + l));
}

function bucket(st: usize, out: usize, ts: f64, vol: f64): void {
  let count = <i32>rd(st, S_SAMPLES_N);
  // One division per second instead of per quote: ts only grows, so a new second starts at the boundary.
  if (ts >= rd(st, S_NEXT_SEC)) {
    const second = Math.floor(ts / 1e6);
    wr(st, S_NEXT_SEC, (second + 1) * 1e6);
    if (second != rd(st, S_SAMPLE_SEC)) {
      wr(st, S_SAMPLE_SEC, second);
      const samples = st + OFF_SAMPLES, a = st + OFF_SORTED;
      const slot = count % BUCKET_SAMPLES;
      // Keep the sorted copy up to date in O(samples): drop the sample this one replaces, insert
      // this one (the twin sorts from scratch; both give the same sorted multiset).
      let n = count < BUCKET_SAMPLES ? count : BUCKET_SAMPLES;
      if (count >= BUCKET_SAMPLES) {
        const old = rd(samples, slot);
        let j = 0;
        while (j + 1 < n && rd(a, j) != old) j++; // a NaN sample is never found: drop the last slot instead
        for (; j + 1 < n; j++) wr(a, j, rd(a, j + 1));
        n--;
      }
      let j = n - 1;
      while (j >= 0 && rd(a, j) > vol) { wr(a, j + 1, rd(a, j)); j--; }
      wr(a, j + 1, vol);
      n++;
      wr(samples, slot, vol);
      count++;
      wr(st, S_SAMPLES_N, count);
      if (n >= 4) {
        wr(st, S_THRESH, rd(a, n >> 2));
        wr(st, S_THRESH + 1, rd(a, n >> 1));
        wr(st, S_THRESH + 2, rd(a, (3 * n) >> 2));
      }
    }
  }
  if (count >= 4) {
    wr(out, F_BUCKET, <f64>((vol > rd(st, S_THRESH) ? 1 : 0) + (vol > rd(st, S_THRESH + 1) ? 1 : 0) + (vol > rd(st, S_THRESH + 2) ? 1 : 0)));
  }
}

function pushQuote(st: usize, ts: f64, spread: f64, mid: f64, r2: f64): void {
  const seq = ri(st, S_QHEAD);
  const d = mid - rd(st, S_REF);
  const tails = st + OFF_QTAIL;
  const old = seq - <u32>CAP;
  // A window still holding the event CAP back must let it go before the ring slot is reused.
  // Only the longest window's tail (the oldest) can tell whether any does; deques that expire
  // to a window's tail never start before it, so only timestamp-expired ones need the check.
  if (seq - ri(tails, QW_LONGEST) >= <u32>CAP || DQ_WINDOW_DONCHIAN < 0) {
    for (let w = 0; w < QW; w++) {
      if (seq - ri(tails, w) >= <u32>CAP) { dropQuote(st, w, old); wi(tails, w, old + 1); wr(st, S_EVICTED, rd(st, S_EVICTED) + 1); }
    }
    dqEvict(st, DQ_SPREAD, old); dqEvict(st, DQ_HIGH, old); dqEvict(st, DQ_LOW, old);
  }
  const rec = qrec(st, seq);
  store<f64>(rec, ts);
  store<f64>(rec, spread, Q_SPREAD);
  store<f64>(rec, mid, Q_MID);
  store<f64>(rec, r2, Q_R2);
  wi(st, S_QHEAD, seq + 1);
  const sa = st + OFF_QSUMA, sb = st + OFF_QSUMB;
  wr(sa, 0, rd(sa, 0) + spread);
  for (let k = 1; k <= NR; k++) wr(sa, k, rd(sa, k) + r2);
  wr(sa, NR + 1, rd(sa, NR + 1) + d);
  wr(sb, NR + 1, rd(sb, NR + 1) + d * d);
  dqPush(st, DQ_SPREAD, seq, spread, true);
  dqPush(st, DQ_HIGH, seq, mid, true);
  dqPush(st, DQ_LOW, seq, mid, false);
}

@inline function dropQuote(st: usize, w: i32, seq: u32): void {
  const rec = qrec(st, seq);
  const sa = st + OFF_QSUMA;
  if (w == 0) wr(sa, 0, rd(sa, 0) - load<f64>(rec, Q_SPREAD));
  else if (w <= NR) wr(sa, w, rd(sa, w) - load<f64>(rec, Q_R2));
  else {
    const sb = st + OFF_QSUMB;
    const d = load<f64>(rec, Q_MID) - rd(st, S_REF);
    wr(sa, w, rd(sa, w) - d);
    wr(sb, w, rd(sb, w) - d * d);
  }
}

/** Applies one trade. */
export function trade(st: usize, out: usize, tsIn: f64, price: f64, size: f64, side: f64): void {
  const ts = clock(st, tsIn);
  const seq = ri(st, S_THEAD);
  const tails = st + OFF_TTAIL;
  const old = seq - <u32>CAP;
  for (let w = 0; w < TW; w++) {
    if (seq - ri(tails, w) >= <u32>CAP) { dropTrade(st, w, old); wi(tails, w, old + 1); wr(st, S_EVICTED, rd(st, S_EVICTED) + 1); }
  }
  const rec = trec(st, seq);
  store<f64>(rec, ts);
  store<f64>(rec, price, 8);
  store<f64>(rec, size, 16);
  store<f64>(rec, side, 24);
  wi(st, S_THEAD, seq + 1);
  const sa = st + OFF_TSUMA, sb = st + OFF_TSUMB;
  const pv = price * size;
  for (let k = 0; k < NV; k++) { wr(sa, k, rd(sa, k) + pv); wr(sb, k, rd(sb, k) + size); }
  wr(sa, NV, rd(sa, NV) + side * size); wr(sb, NV, rd(sb, NV) + size);
  wr(sa, NV + 1, rd(sa, NV + 1) + size); wr(sb, NV + 1, rd(sb, NV + 1) + size * size);
  refresh(st, out, ts);
  const n = <f64>(ri(st, S_THEAD) - ri(tails, NV + 1));
  const mean = rd(sa, NV + 1) / n;
  const variance = rd(sb, NV + 1) / n - mean * mean;
  wr(out, F_VOLZ, n >= 2 && variance > 0 ? (size - mean) / Math.sqrt(variance) : 0);
}

@inline function dropTrade(st: usize, w: i32, seq: u32): void {
  const rec = trec(st, seq);
  const size = load<f64>(rec, 16);
  const sa = st + OFF_TSUMA, sb = st + OFF_TSUMB;
  if (w < NV) { wr(sa, w, rd(sa, w) - load<f64>(rec, 8) * size); wr(sb, w, rd(sb, w) - size); }
  else if (w == NV) { wr(sa, w, rd(sa, w) - load<f64>(rec, 24) * size); wr(sb, w, rd(sb, w) - size); }
  else { wr(sa, w, rd(sa, w) - size); wr(sb, w, rd(sb, w) - size * size); }
}

/** Applies top-k book sizes at `bids` and `asks` (f64 arrays of `levels`). */
export function book(st: usize, out: usize, tsIn: f64, bids: usize, asks: usize, levels: i32): void {
  const ts = clock(st, tsIn);
  const k = levels < LEVELS ? levels : LEVELS;
  let b: f64 = 0, a: f64 = 0;
  for (let i = 0; i < k; i++) { b += rd(bids, i); a += rd(asks, i); }
  const depth = b + a;
  wr(out, F_IMB, depth > 0 ? (b - a) / depth : 0);
  refresh(st, out, ts);
}

/** Expires every window to `ts` and rewrites the window features. */
export function refresh(st: usize, out: usize, ts: f64): void {
  const qhead = ri(st, S_QHEAD), thead = ri(st, S_THEAD);
  const qt = st + OFF_QTAIL, qa = st + OFF_QSUMA, qb = st + OFF_QSUMB;
  for (let w = 0; w < QW; w++) {
    const cutoff = ts - rd(QWIN, w);
    let tail = ri(qt, w);
    const start = tail;
    while (tail != qhead && load<f64>(qrec(st, tail)) <= cutoff) { dropQuote(st, w, tail); tail++; }
    if (tail != start) {
      wi(qt, w, tail);
      if (tail == qhead) { wr(qa, w, 0); wr(qb, w, 0); }
    }
  }
  // Deques of a quote window's length expire to that window's tail (no ring reads).
  dqExpireTo(st, DQ_SPREAD, ri(qt, DQ_WINDOW_SPREAD));
  if (DQ_WINDOW_DONCHIAN >= 0) {
    const tail = ri(qt, DQ_WINDOW_DONCHIAN);
    dqExpireTo(st, DQ_HIGH, tail);
    dqExpireTo(st, DQ_LOW, tail);
  } else {
    dqExpire(st, DQ_HIGH, ts - DONCHIAN_W);
    dqExpire(st, DQ_LOW, ts - DONCHIAN_W);
  }

  const ns = <f64>(qhead - ri(qt, 0));
  wr(out, F_SMEAN, ns > 0 ? rd(qa, 0) / ns : NaN);
  wr(out, F_SMAX, dqAny(st, DQ_SPREAD) ? dqFront(st, DQ_SPREAD) : NaN);
  for (let k = 1; k <= NR; k++) {
    const v = rd(qa, k);
    wr(out, F_RVOL + k - 1, v > 0 ? Math.sqrt(v) : 0);
  }
  const nz = <f64>(qhead - ri(qt, NR + 1));
  if (nz > 0) {
    const mean = rd(qa, NR + 1) / nz;
    const variance = rd(qb, NR + 1) / nz - mean * mean;
    wr(out, F_ZSCORE, variance > 0 ? (rd(st, S_LAST_MID) - rd(st, S_REF) - mean) / Math.sqrt(variance) : 0);
  } else wr(out, F_ZSCORE, 0);
  wr(out, F_DHIGH, dqAny(st, DQ_HIGH) ? dqFront(st, DQ_HIGH) : NaN);
  wr(out, F_DLOW, dqAny(st, DQ_LOW) ? dqFront(st, DQ_LOW) : NaN);
  const tt = st + OFF_TTAIL, ta = st + OFF_TSUMA, tb = st + OFF_TSUMB;
  // The longest trade window has the oldest tail: when it is empty they all are, and their
  // features were written when they emptied, so quote-only instruments skip the trade windows.
  if (ri(tt, TW_LONGEST) != thead) {
    for (let w = 0; w < TW; w++) {
      const cutoff = ts - rd(TWIN, w);
      let tail = ri(tt, w);
      const start = tail;
      while (tail != thead && load<f64>(trec(st, tail)) <= cutoff) { dropTrade(st, w, tail); tail++; }
      if (tail != start) {
        wi(tt, w, tail);
        if (tail == thead) { wr(ta, w, 0); wr(tb, w, 0); }
      }
    }
    for (let k = 0; k < NV; k++) {
      const v = rd(tb, k);
      wr(out, F_VWAP + k, v > 0 ? rd(ta, k) / v : NaN);
    }
    const pv = rd(tb, NV);
    wr(out, F_PRESS, pv > 0 ? rd(ta, NV) / pv : 0);
  }
}
