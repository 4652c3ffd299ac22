/**
 * The arithmetic of the VaR rule, allocation-free on preallocated arrays: the standard normal
 * quantile (Acklam's rational approximation, relative error below 1.2e-9), the delta-normal VaR
 * of an exposure vector under a covariance of per-sample log returns, and the historical
 * (bootstrap-free, full-window) simulation VaR over a ring of past return vectors.
 */

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile: z with P(Z <= z) = p, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p=${p} must be in (0, 1)`);
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) / (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
}

/** Standard deviation of the portfolio's one-sample P&L: sqrt(eᵀ Σ e), Σ row-major n*n. */
export function portfolioSigma(e: Float64Array, cov: Float64Array, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const ei = e[i]!;
    if (ei === 0) continue;
    let row = 0;
    for (let j = 0; j < n; j++) row += cov[i * n + j]! * e[j]!;
    v += ei * row;
  }
  return Math.sqrt(Math.max(0, v));
}

/**
 * Historical-simulation VaR of exposures `e` over the last `count` return vectors of a ring (rows of
 * n, most recent anywhere): the loss exceeded in a share 1 - confidence of the past samples, per
 * sample. `losses` is scratch of at least `count` values.
 */
export function historicalVar(e: Float64Array, ring: Float64Array, count: number, n: number, confidence: number, losses: Float64Array): number {
  if (count === 0) return NaN;
  for (let h = 0; h < count; h++) {
    let pnl = 0;
    for (let i = 0; i < n; i++) pnl += e[i]! * ring[h * n + i]!;
    losses[h] = -pnl;
  }
  const view = losses.subarray(0, count);
  view.sort();
  // The smallest loss that at most (1 - confidence) of the samples exceed.
  const idx = Math.min(count - 1, Math.ceil(confidence * count) - 1);
  return Math.max(0, view[Math.max(0, idx)]!);
}
