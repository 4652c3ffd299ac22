/**
 * Cross-instrument correlation as an exponentially weighted Hayashi-Yoshida covariance of log
 * mid returns. Quotes arrive asynchronously, so returns of different instruments never share an
 * interval; Hayashi-Yoshida sums r_i(I) * r_j(J) over every pair of return intervals that
 * overlap. Incrementally: when instrument i closes an interval with return r_i, every j
 * contributes the returns it closed since i's previous quote (x_j now minus x_j as snapshotted
 * then), so each overlapping pair is counted once, by whichever interval ends later; O(N) per
 * quote. Each instrument's path is sampled: a quote closes an interval only once `sampleUs`
 * has passed since the instrument's last sampled point (tick-level returns are mostly quote
 * noise, which inflates the variances). Weights grow as 2^(t / halfLife) instead of decaying every entry (the common factor
 * cancels in a correlation); they are renormalised when they grow past e^256.
 */

/** Incremental EWMA Hayashi-Yoshida covariance state of all instruments. */
export class CorrelationState {
  /** Log mid of each instrument at its last sampled point, and that point's time. */
  private readonly x: Float64Array;
  private readonly sampledAt: Float64Array;
  private readonly seen: Uint8Array;
  /** snap[i*n+j] = x_j when instrument i last quoted. */
  private readonly snap: Float64Array;
  /** Weighted covariance sums, symmetric. */
  private readonly cov: Float64Array;
  private readonly out: Float64Array;
  private readonly rate: number;
  private ref = 0;
  private last = 0;
  private started = false;

  constructor(readonly n: number, halfLifeUs: number, private readonly sampleUs: number) {
    this.x = new Float64Array(n);
    this.sampledAt = new Float64Array(n);
    this.seen = new Uint8Array(n);
    this.snap = new Float64Array(n * n);
    this.cov = new Float64Array(n * n);
    this.out = new Float64Array(n * n);
    this.rate = Math.LN2 / halfLifeUs;
  }

  /** Clears all state. */
  reset(): void {
    this.x.fill(0); this.sampledAt.fill(0); this.seen.fill(0); this.snap.fill(0); this.cov.fill(0); this.out.fill(0);
    this.ref = 0; this.last = 0; this.started = false;
  }

  /** Records instrument i's log mid `xi` at `ts` (a sampled point when `sampleUs` has passed since the last). */
  update(i: number, ts: number, xi: number): void {
    const n = this.n, x = this.x, snap = this.snap, cov = this.cov;
    if (!this.started) { this.started = true; this.ref = ts; this.last = ts; }
    if (ts > this.last) this.last = ts;
    let e = (this.last - this.ref) * this.rate;
    if (e > 256) {
      const scale = Math.exp(-e);
      for (let k = 0; k < n * n; k++) cov[k] *= scale;
      this.ref = this.last;
      e = 0;
    }
    const row = i * n;
    if (!this.seen[i]) {
      this.seen[i] = 1;
      this.sampledAt[i] = ts;
      x[i] = xi;
      for (let k = 0; k < n; k++) snap[k * n + i] = xi;
      for (let j = 0; j < n; j++) snap[row + j] = x[j];
      return;
    }
    if (ts - this.sampledAt[i] < this.sampleUs) return;
    this.sampledAt[i] = ts;
    const r = xi - x[i];
    x[i] = xi;
    const wr = Math.exp(e) * r;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const c = wr * (x[j] - snap[row + j]);
      cov[row + j] += c;
      cov[j * n + i] += c;
      snap[row + j] = x[j];
    }
    cov[row + i] += wr * r;
    snap[row + i] = xi;
  }

  /** Computes the correlation matrix into a reused array (NaN where a variance is still zero). */
  correlation(): Float64Array {
    const n = this.n, cov = this.cov, out = this.out;
    for (let i = 0; i < n; i++) {
      const vi = cov[i * n + i];
      for (let j = 0; j < n; j++) {
        const vj = cov[j * n + j];
        if (!(vi > 0 && vj > 0)) { out[i * n + j] = NaN; continue; }
        if (i === j) { out[i * n + j] = 1; continue; }
        const c = cov[i * n + j] / Math.sqrt(vi * vj);
        out[i * n + j] = c > 1 ? 1 : c < -1 ? -1 : c;
      }
    }
    return out;
  }
}
