/**
 * EWMA Hayashi-Yoshida covariance across instruments in linear memory (see
 * src/twin/correlation.ts for the estimator). Here instrument i's update touches only row i:
 * A[i][j] += w * r_i * (x_j - snap[i][j]) for every j (the diagonal term is w * r_i^2, since
 * snap[i][i] is i's previous log mid), a contiguous f64x2 SIMD loop; the covariance is
 * A[i][j] + A[j][i], assembled only when the matrix is read. Instruments' paths are sampled
 * at least CORR_SAMPLE apart, as in the twin.
 */
import { CORR_AT, CORR_COV, CORR_OUT, CORR_RATE, CORR_SAMPLE, CORR_SEEN, CORR_SNAP, CORR_X, N, rd, wr } from "./memory";
import * as mem from "./memory";

/** Records instrument i's log mid `xi` at `ts` (a sampled point once CORR_SAMPLE has passed since the last). */
export function corrUpdate(i: i32, ts: f64, xi: f64): void {
  const n = N;
  if (!mem.CORR_STARTED) { mem.CORR_STARTED = true; mem.CORR_REF = ts; mem.CORR_LAST = ts; }
  if (ts > mem.CORR_LAST) mem.CORR_LAST = ts;
  let e = (mem.CORR_LAST - mem.CORR_REF) * CORR_RATE;
  if (e > 256) {
    const scale = Math.exp(-e);
    for (let k = 0; k < n * n; k++) wr(CORR_COV, k, rd(CORR_COV, k) * scale);
    mem.CORR_REF = mem.CORR_LAST;
    e = 0;
  }
  const row = <usize>(i * n) * 8;
  if (rd(CORR_SEEN, i) == 0) {
    wr(CORR_SEEN, i, 1);
    wr(CORR_AT, i, ts);
    wr(CORR_X, i, xi);
    for (let k = 0; k < n; k++) wr(CORR_SNAP, k * n + i, xi);
    memory.copy(CORR_SNAP + row, CORR_X, <usize>n * 8);
    return;
  }
  if (ts - rd(CORR_AT, i) < CORR_SAMPLE) return;
  wr(CORR_AT, i, ts);
  const r = xi - rd(CORR_X, i);
  wr(CORR_X, i, xi);
  const wr_ = Math.exp(e) * r;
  const w2 = f64x2.splat(wr_);
  const a = CORR_COV + row, s = CORR_SNAP + row;
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const off = <usize>j << 3;
    const x = v128.load(CORR_X + off);
    const d = f64x2.sub(x, v128.load(s + off));
    v128.store(a + off, f64x2.add(v128.load(a + off), f64x2.mul(w2, d)));
    v128.store(s + off, x);
  }
  if (j < n) {
    const off = <usize>j << 3;
    const x = load<f64>(CORR_X + off);
    store<f64>(a + off, load<f64>(a + off) + wr_ * (x - load<f64>(s + off)));
    store<f64>(s + off, x);
  }
}

/** Computes the correlation matrix into CORR_OUT (NaN where a variance is still zero). */
export function corrRead(): void {
  const n = N;
  for (let i = 0; i < n; i++) {
    const vi = rd(CORR_COV, i * n + i);
    for (let j = 0; j < n; j++) {
      const vj = rd(CORR_COV, j * n + j);
      let c: f64;
      if (!(vi > 0 && vj > 0)) c = NaN;
      else if (i == j) c = 1;
      else {
        c = (rd(CORR_COV, i * n + j) + rd(CORR_COV, j * n + i)) / Math.sqrt(vi * vj);
        c = c > 1 ? 1 : c < -1 ? -1 : c;
      }
      wr(CORR_OUT, i * n + j, c);
    }
  }
}
