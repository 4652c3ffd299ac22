/**
 * Linear-memory layout of the feature kernels. The binding writes the configuration into the
 * parameter block, init() lays out every region once (memory never grows afterwards, so the
 * binding's views stay valid), and each instrument owns one contiguous block: fixed scalar
 * fields, its windows' sums, then its quote and trade rings (32-byte records, one cache line
 * holds two) and its three monotonic deques.
 */

/** Parameter block written by the binding before init(), as f64s. */
export const PARAMS: usize = memory.data(512, 16);
export const P_INSTRUMENTS = 0, P_CAPACITY = 1, P_CONTEXT = 2, P_SPREAD_W = 3, P_ZSCORE_W = 4,
  P_DONCHIAN_W = 5, P_PRESSURE_W = 6, P_VOLZ_W = 7, P_EMA_FAST = 8, P_EMA_SLOW = 9, P_RSI = 10,
  P_LEVELS = 11, P_CORR_HL = 12, P_NVWAP = 13, P_NEWMA = 14, P_NRVOL = 15,
  P_VWAP = 16, P_EWMA = 24, P_RVOL = 32, P_CORR_SAMPLE = 40;

// Fixed per-instrument fields (f64 indices).
export const S_LAST_TS = 0, S_STARTED = 1, S_QUOTED = 2, S_LAST_MID = 3, S_LOG_MID = 4, S_HAS_LOG = 5,
  S_REF = 6, S_EMA_FAST = 7, S_EMA_SLOW = 8, S_RSI_N = 9, S_RSI_GAIN = 10, S_RSI_LOSS = 11,
  S_EVICTED = 12, S_QHEAD = 13, S_THEAD = 14, S_SAMPLES_N = 15, S_SAMPLE_SEC = 16, S_THRESH = 17,
  S_DQ = 20, S_CTX_POS = 26, S_NEXT_SEC = 27, S_FIXED = 28;
/**
 * Deques: 0 spread max, 1 Donchian max, 2 Donchian min; u32 front at S_DQ+2d, back at S_DQ+2d+1.
 * Event counters (ring heads, window tails, deque fronts/backs) are u32 sequence numbers that
 * may wrap: only their differences are used.
 */
export const DQ_SPREAD = 0, DQ_HIGH = 1, DQ_LOW = 2;
export const BUCKET_SAMPLES = 64;

export let N: i32 = 0;
export let CAP: i32 = 0;
export let MASK: i32 = 0;
export let CTX: i32 = 0;
export let WIDTH: i32 = 0;
export let NV: i32 = 0;
export let NH: i32 = 0;
export let NR: i32 = 0;
export let QW: i32 = 0;
export let TW: i32 = 0;
/**
 * Quote window whose tail each deque expires to (0 spread max; 1, 2 Donchian max, min), or -1
 * when no quote window has the deque's length and it expires by timestamps.
 */
export let DQ_WINDOW_SPREAD: i32 = 0, DQ_WINDOW_DONCHIAN: i32 = -1;
/** Index of the longest quote window (its tail is the oldest of the quote windows'). */
export let QW_LONGEST: i32 = 0;
/** Index of the longest trade window. */
export let TW_LONGEST: i32 = 0;
export let RSI_PERIOD: f64 = 0;
export let RSI_KEEP: f64 = 0;
export let RSI_ADD: f64 = 0;
export let LEVELS: i32 = 0;
export let SPREAD_W: f64 = 0;
export let DONCHIAN_W: f64 = 0;
export let EMA_FAST_RATE: f64 = 0;
export let EMA_SLOW_RATE: f64 = 0;
export let CORR_RATE: f64 = 0;
export let CORR_SAMPLE: f64 = 0;

// Feature slots (same order as src/layout.ts).
export let F_VWAP: i32 = 0;
export let F_EWMA: i32 = 0;
export let F_RVOL: i32 = 0;
export let F_BUCKET: i32 = 0;
export let F_EMA_FAST: i32 = 0;
export let F_EMA_SLOW: i32 = 0;
export let F_EMA_CROSS: i32 = 0;
export let F_DHIGH: i32 = 0;
export let F_DLOW: i32 = 0;
export let F_RSI: i32 = 0;
export let F_ZSCORE: i32 = 0;
export const F_MID = 0, F_SPREAD = 1, F_MICRO = 2, F_SMEAN = 3, F_SMAX = 4, F_IMB = 5, F_PRESS = 6, F_VOLZ = 7;

// Regions (byte addresses).
export let QWIN: usize = 0;   // f64[QW] window lengths: spread, rvol..., zscore
export let TWIN: usize = 0;   // f64[TW] window lengths: vwap..., pressure, volume z
export let RATES: usize = 0;  // f64[NH] EWMA vol decay rates (ln2 / half-life)
// Distinct decay rates among the EMAs and EWMA vols, each decay exp(-dt * rate) computed once per quote.
export let DECAY_RATES: usize = 0; // f64[NH + 2]
export let DECAYS: usize = 0;      // f64[NH + 2], this quote's decay factors
export let EWMA_DECAY: usize = 0;  // i32[NH], index into DECAYS per EWMA half-life
export let DECAY_N: i32 = 0;
export let EMA_FAST_DECAY: i32 = 0;
export let EMA_SLOW_DECAY: i32 = 0;
export let STATE: usize = 0;  // instrument blocks
export let STRIDE: usize = 0; // bytes per instrument block
export let OFF_QTAIL: usize = 0, OFF_QSUMA: usize = 0, OFF_QSUMB: usize = 0;
export let OFF_TTAIL: usize = 0, OFF_TSUMA: usize = 0, OFF_TSUMB: usize = 0;
export let OFF_EWMA: usize = 0, OFF_SAMPLES: usize = 0, OFF_SORTED: usize = 0;
export let OFF_QRING: usize = 0, OFF_TRING: usize = 0, OFF_DQ: usize = 0;
export let FEATURES: usize = 0; // f64[N * WIDTH]
export let CONTEXT: usize = 0;  // f32[N * 2 * CTX * WIDTH]
export let CORR_X: usize = 0, CORR_AT: usize = 0, CORR_SEEN: usize = 0, CORR_SNAP: usize = 0, CORR_COV: usize = 0, CORR_OUT: usize = 0;
export let CORR_REF: f64 = 0, CORR_LAST: f64 = 0, CORR_STARTED: bool = false;
export let BATCH: usize = 0;    // quote batch: f64 ts[B], f64 inst[B], bid[B], ask[B], bidSize[B], askSize[B]
export let LEVELS_BUF: usize = 0; // f64 bidSizes[64], askSizes[64]
export const BATCH_ROWS = 4096;
export let END: usize = 0;

/** Reads f64 parameter k. */
@inline export function param(k: i32): f64 { return load<f64>(PARAMS + (<usize>k << 3)); }
/** Reads f64 k of the block at p. */
@inline export function rd(p: usize, k: i32): f64 { return load<f64>(p + (<usize>k << 3)); }
/** Writes f64 k of the block at p. */
@inline export function wr(p: usize, k: i32, v: f64): void { store<f64>(p + (<usize>k << 3), v); }
/** Reads u32 counter k (8-byte slots) of the block at p. */
@inline export function ri(p: usize, k: i32): u32 { return load<u32>(p + (<usize>k << 3)); }
/** Writes u32 counter k of the block at p. */
@inline export function wi(p: usize, k: i32, v: u32): void { store<u32>(p + (<usize>k << 3), v); }
/** Returns the block of instrument i. */
@inline export function block(i: i32): usize { return STATE + <usize>i * STRIDE; }
/** Returns the feature vector of instrument i. */
@inline export function feats(i: i32): usize { return FEATURES + <usize>(i * WIDTH) * 8; }

function align(p: usize): usize { return (p + 63) & ~<usize>63; }

/** Returns the slot of `rate` among the distinct decay rates, adding it when new. */
function decayIndex(rate: f64): i32 {
  for (let d = 0; d < DECAY_N; d++) if (rd(DECAY_RATES, d) == rate) return d;
  wr(DECAY_RATES, DECAY_N, rate);
  return DECAY_N++;
}

/** Lays out memory from the parameter block and grows memory to fit; returns false when it cannot. */
export function layout(): bool {
  N = <i32>param(P_INSTRUMENTS); CAP = <i32>param(P_CAPACITY); MASK = CAP - 1; CTX = <i32>param(P_CONTEXT);
  NV = <i32>param(P_NVWAP); NH = <i32>param(P_NEWMA); NR = <i32>param(P_NRVOL);
  QW = NR + 2; TW = NV + 2;
  RSI_PERIOD = param(P_RSI); RSI_KEEP = (RSI_PERIOD - 1) / RSI_PERIOD; RSI_ADD = 1 / RSI_PERIOD;
  LEVELS = <i32>param(P_LEVELS);
  SPREAD_W = param(P_SPREAD_W); DONCHIAN_W = param(P_DONCHIAN_W);
  EMA_FAST_RATE = Math.LN2 / param(P_EMA_FAST); EMA_SLOW_RATE = Math.LN2 / param(P_EMA_SLOW);
  CORR_RATE = Math.LN2 / param(P_CORR_HL);
  CORR_SAMPLE = param(P_CORR_SAMPLE);
  F_VWAP = 8; F_EWMA = F_VWAP + NV; F_RVOL = F_EWMA + NH; F_BUCKET = F_RVOL + NR;
  F_EMA_FAST = F_BUCKET + 1; F_EMA_SLOW = F_BUCKET + 2; F_EMA_CROSS = F_BUCKET + 3;
  F_DHIGH = F_BUCKET + 4; F_DLOW = F_BUCKET + 5; F_RSI = F_BUCKET + 6; F_ZSCORE = F_BUCKET + 7;
  WIDTH = F_BUCKET + 8;

  let p = align(__heap_base);
  QWIN = p; p += <usize>QW * 8;
  TWIN = p; p += <usize>TW * 8;
  RATES = p; p += <usize>NH * 8;
  DECAY_RATES = p; p += <usize>(NH + 2) * 8;
  DECAYS = p; p += <usize>(NH + 2) * 8;
  EWMA_DECAY = p; p = align(p + <usize>NH * 4);
  wr(QWIN, 0, SPREAD_W);
  for (let k = 0; k < NR; k++) wr(QWIN, 1 + k, param(P_RVOL + k));
  wr(QWIN, NR + 1, param(P_ZSCORE_W));
  for (let k = 0; k < NV; k++) wr(TWIN, k, param(P_VWAP + k));
  wr(TWIN, NV, param(P_PRESSURE_W));
  wr(TWIN, NV + 1, param(P_VOLZ_W));
  // The spread max shares the spread window; the Donchian deques share the first quote window of their length, if any.
  DQ_WINDOW_SPREAD = 0;
  DQ_WINDOW_DONCHIAN = -1;
  for (let w = QW - 1; w >= 0; w--) if (rd(QWIN, w) == DONCHIAN_W) DQ_WINDOW_DONCHIAN = w;
  QW_LONGEST = 0;
  for (let k = 1; k < QW; k++) if (rd(QWIN, k) > rd(QWIN, QW_LONGEST)) QW_LONGEST = k;
  TW_LONGEST = 0;
  for (let k = 1; k < TW; k++) if (rd(TWIN, k) > rd(TWIN, TW_LONGEST)) TW_LONGEST = k;
  for (let k = 0; k < NH; k++) wr(RATES, k, Math.LN2 / param(P_EWMA + k));
  DECAY_N = 0;
  EMA_FAST_DECAY = decayIndex(EMA_FAST_RATE);
  EMA_SLOW_DECAY = decayIndex(EMA_SLOW_RATE);
  for (let k = 0; k < NH; k++) store<i32>(EWMA_DECAY + (<usize>k << 2), decayIndex(rd(RATES, k)));

  let o: usize = S_FIXED * 8;
  OFF_QTAIL = o; o += <usize>QW * 8;
  OFF_QSUMA = o; o += <usize>QW * 8;
  OFF_QSUMB = o; o += <usize>QW * 8;
  OFF_TTAIL = o; o += <usize>TW * 8;
  OFF_TSUMA = o; o += <usize>TW * 8;
  OFF_TSUMB = o; o += <usize>TW * 8;
  OFF_EWMA = o; o += <usize>NH * 8;
  OFF_SAMPLES = o; o += BUCKET_SAMPLES * 8;
  OFF_SORTED = o; o += BUCKET_SAMPLES * 8;
  o = align(o);
  OFF_QRING = o; o += <usize>CAP * 32;
  OFF_TRING = o; o += <usize>CAP * 32;
  OFF_DQ = o; o += <usize>CAP * 16 * 3;
  STRIDE = align(o);
  STATE = p; p += STRIDE * <usize>N;
  FEATURES = p; p = align(p + <usize>(N * WIDTH) * 8);
  CONTEXT = p; p = align(p + <usize>N * 2 * <usize>CTX * <usize>WIDTH * 4);
  CORR_X = p; p += <usize>N * 8;
  CORR_AT = p; p += <usize>N * 8;
  CORR_SEEN = p; p = align(p + <usize>N * 8);
  CORR_SNAP = p; p = align(p + <usize>(N * N) * 8);
  CORR_COV = p; p = align(p + <usize>(N * N) * 8);
  CORR_OUT = p; p = align(p + <usize>(N * N) * 8);
  BATCH = p; p += BATCH_ROWS * 8 * 6;
  LEVELS_BUF = p; p = align(p + 128 * 8);
  END = p;
  const need = <i32>((END + 0xffff) >> 16) - memory.size();
  if (need > 0 && memory.grow(need) < 0) return false;
  return true;
}
