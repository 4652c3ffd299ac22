/**
 * Exports of the feature-kernel WebAssembly module. The binding writes the configuration at
 * params(), calls init() once, then reads every region through the pointer getters; memory
 * never grows after init(), so views made once stay valid.
 */
import {
  BATCH, BATCH_ROWS, CONTEXT, CORR_OUT, CTX, END, FEATURES, F_BUCKET, F_IMB, F_PRESS, F_RVOL, F_VOLZ, F_ZSCORE,
  LEVELS_BUF, N, NR, PARAMS, STATE, S_EVICTED, S_HAS_LOG, S_LAST_TS, S_LOG_MID, S_SAMPLE_SEC, WIDTH, block, feats,
  layout, rd, wr,
} from "./memory";
import * as mem from "./memory";
import { book, quote, trade } from "./instrument";
import { corrRead, corrUpdate } from "./correlation";

/** Address of the f64 parameter block. */
export function params(): usize { return PARAMS; }

/** Lays out memory for the parameters; returns the feature width, or 0 when memory cannot grow. */
export function init(): i32 {
  if (!layout()) return 0;
  reset();
  return WIDTH;
}

/** Clears all state. */
export function reset(): void {
  memory.fill(STATE, 0, END - STATE);
  mem.CORR_STARTED = false; mem.CORR_REF = 0; mem.CORR_LAST = 0;
  rejectedEvents = 0;
  for (let i = 0; i < N; i++) {
    const out = feats(i);
    for (let k = 0; k < WIDTH; k++) wr(out, k, NaN);
    wr(out, F_IMB, 0); wr(out, F_PRESS, 0); wr(out, F_VOLZ, 0); wr(out, F_ZSCORE, 0); wr(out, F_BUCKET, -1);
    for (let k = 0; k < NR; k++) wr(out, F_RVOL + k, 0);
    wr(block(i), S_SAMPLE_SEC, -1);
    wr(block(i), mem.S_NEXT_SEC, -Infinity);
  }
}

/** Writes instrument i's feature vector as its next context row (and the mirror row), NaN as 0, two lanes at a time. */
function pushContext(i: i32): void {
  const st = block(i);
  const pos = <i32>rd(st, mem.S_CTX_POS);
  const base = CONTEXT + <usize>i * 2 * <usize>CTX * <usize>WIDTH * 4;
  const a = base + <usize>(pos * WIDTH) * 4, b = base + <usize>((pos + CTX) * WIDTH) * 4;
  const f = feats(i);
  let k = 0;
  for (; k + 1 < WIDTH; k += 2) {
    const v = v128.load(f + (<usize>k << 3));
    const x = f32x4.demote_f64x2_zero(v128.and(v, f64x2.eq(v, v)));
    v128.store64_lane(a + (<usize>k << 2), x, 0);
    v128.store64_lane(b + (<usize>k << 2), x, 0);
  }
  if (k < WIDTH) {
    const v = rd(f, k);
    const x = <f32>(v == v ? v : 0);
    store<f32>(a + (<usize>k << 2), x);
    store<f32>(b + (<usize>k << 2), x);
  }
  wr(st, mem.S_CTX_POS, pos + 1 == CTX ? 0 : pos + 1);
}

let rejectedEvents: f64 = 0;

/** Events dropped because their instrument index was out of range (never written to memory). */
export function rejected(): f64 { return rejectedEvents; }

@inline function known(i: i32): bool {
  if (<u32>i < <u32>N) return true;
  rejectedEvents += 1;
  return false;
}

/** One quote. */
export function onQuote(i: i32, ts: f64, bid: f64, ask: f64, bidSize: f64, askSize: f64): void {
  if (!known(i)) return;
  const st = block(i);
  quote(st, feats(i), ts, bid, ask, bidSize, askSize);
  if (N > 1 && rd(st, S_HAS_LOG) != 0) corrUpdate(i, rd(st, S_LAST_TS), rd(st, S_LOG_MID));
  pushContext(i);
}

/** `count` quotes from the batch region (ts, bid, ask, bidSize, askSize as f64 columns, instrument as i32). */
export function onQuoteBatch(count: i32): void {
  if (count > BATCH_ROWS) count = BATCH_ROWS;
  const B = <usize>BATCH_ROWS * 8;
  for (let k = 0; k < count; k++) {
    const o = <usize>k << 3;
    onQuote(load<i32>(BATCH + 5 * B + (<usize>k << 2)), load<f64>(BATCH + o), load<f64>(BATCH + B + o),
      load<f64>(BATCH + 2 * B + o), load<f64>(BATCH + 3 * B + o), load<f64>(BATCH + 4 * B + o));
  }
}

/** One trade. */
export function onTrade(i: i32, ts: f64, price: f64, size: f64, side: f64): void {
  if (!known(i)) return;
  trade(block(i), feats(i), ts, price, size, side);
  pushContext(i);
}

/** Top-k book sizes from the levels region (bid sizes at 0..63, ask sizes at 64..127). */
export function onBook(i: i32, ts: f64, levels: i32): void {
  if (!known(i)) return;
  book(block(i), feats(i), ts, LEVELS_BUF, LEVELS_BUF + 64 * 8, levels);
  pushContext(i);
}

/** Computes the correlation matrix and returns its address. */
export function correlation(): usize { corrRead(); return CORR_OUT; }

/** Early ring evictions of instrument i. */
export function evictions(i: i32): f64 { return rd(block(i), S_EVICTED); }

export function featuresPtr(): usize { return FEATURES; }
export function contextPtr(): usize { return CONTEXT; }
export function contextPos(i: i32): i32 { return <i32>rd(block(i), mem.S_CTX_POS); }
export function batchPtr(): usize { return BATCH; }
export function batchRows(): i32 { return BATCH_ROWS; }
export function levelsPtr(): usize { return LEVELS_BUF; }
export function correlationPtr(): usize { return CORR_OUT; }
export function stateBytes(): usize { return END; }

export { donchianSeries, emaSeries, rsiSeries, seriesReserve, zscoreSeries } from "./series";
export { hmmForward } from "./hmm";
