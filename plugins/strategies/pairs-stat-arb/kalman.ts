/**
 * A Kalman filter for a time-varying hedge ratio: the state is (alpha, beta) of
 * y_t = alpha_t + beta_t x_t + v_t, observed with noise variance `obsVar`, and a random walk whose
 * per-step covariance is `ratio / (1 - ratio)` times `obsVar` times the identity: the ratio is
 * dimensionless, so the same value suits any price scale (the filter's memory is about
 * 1 / sqrt(ratio) steps). Each update returns the innovation
 * (the spread's surprise) and its variance, so innovation / sqrt(variance) is the z-score the
 * strategy trades. Scalars only: no allocation.
 */

/** Two-state Kalman filter of (alpha, beta). */
export class KalmanHedge {
  alpha = 0;
  beta = 0;
  /** Last innovation y - (alpha + beta x) before the update, and its predicted variance. */
  innovation = NaN;
  innovationVar = NaN;
  private p00 = 1;
  private p01 = 0;
  private p11 = 1;
  /** Observation noise variance and per-step state variance. */
  obsVar = 1;
  private w = 0;

  constructor(readonly ratio: number) {}

  /** Starts from an estimate (e.g. the formation window's OLS) and its residual variance; state covariance starts at one step's. */
  reset(alpha: number, beta: number, obsVar: number): void {
    this.alpha = alpha;
    this.beta = beta;
    this.obsVar = obsVar;
    this.w = (this.ratio / (1 - this.ratio)) * obsVar;
    this.p00 = this.w;
    this.p01 = 0;
    this.p11 = this.w;
  }

  /** Folds in one observation; returns the z-score innovation / sqrt(innovation variance). */
  update(y: number, x: number): number {
    // Predict: P += W.
    const p00 = this.p00 + this.w, p01 = this.p01, p11 = this.p11 + this.w;
    // Innovation with H = [1, x].
    const e = y - (this.alpha + this.beta * x);
    const ph0 = p00 + p01 * x; // (P H')_0
    const ph1 = p01 + p11 * x; // (P H')_1
    const s = ph0 + ph1 * x + this.obsVar;
    const k0 = ph0 / s, k1 = ph1 / s;
    this.alpha += k0 * e;
    this.beta += k1 * e;
    // P = P - K H P = P - K (P H')'.
    this.p00 = p00 - k0 * ph0;
    this.p01 = p01 - k0 * ph1;
    this.p11 = p11 - k1 * ph1;
    this.innovation = e;
    this.innovationVar = s;
    return e / Math.sqrt(s);
  }
}
