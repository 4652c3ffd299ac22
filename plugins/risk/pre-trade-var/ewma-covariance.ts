/**
 * Exponentially weighted covariance of per-sample log returns (RiskMetrics style, zero mean):
 * Σ ← λ Σ + (1 − λ) r rᵀ with λ from a half-life in samples. Until `count` samples have been seen,
 * the weights are renormalised (Σ is the weighted mean of the samples so far), so the first
 * estimates are not biased towards zero. Preallocated; no allocation per update.
 */

/** A zero-mean EWMA covariance over n return series. */
export class EwmaCovariance {
  readonly cov: Float64Array;
  /** Samples folded in. */
  count = 0;
  private readonly lambda: number;
  private weight = 0;

  constructor(readonly n: number, halfLifeSamples: number) {
    if (!(halfLifeSamples > 0)) throw new RangeError(`EwmaCovariance: halfLifeSamples=${halfLifeSamples} must be > 0`);
    this.lambda = Math.pow(0.5, 1 / halfLifeSamples);
    this.cov = new Float64Array(n * n);
  }

  /** Folds in one vector of n returns. */
  update(r: Float64Array): void {
    const n = this.n, l = this.lambda;
    // Renormalised: new weight of the old estimate is λW / (λW + 1 − λ).
    const w = this.weight * l;
    const a = w / (w + (1 - l)), b = 1 - a;
    this.weight = w + (1 - l);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) this.cov[i * n + j] = a * this.cov[i * n + j]! + b * r[i]! * r[j]!;
    this.count++;
  }
}
