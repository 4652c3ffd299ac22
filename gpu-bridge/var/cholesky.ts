/**
 * Cholesky factor of a covariance matrix, validated once at construction of a VaR request (a
 * matrix that is not symmetric positive definite is refused with a value, never a throw).
 */

/** Why a covariance matrix was refused. */
export interface CovarianceError {
  readonly code: "VAR_COVARIANCE_INVALID";
  readonly context: string;
}

/** Returns the lower-triangular L (row-major n×n) with L·Lᵀ = cov, or an error value. */
export function cholesky(cov: Float64Array, n: number): Float64Array | CovarianceError {
  if (cov.length !== n * n) return { code: "VAR_COVARIANCE_INVALID", context: `size=${cov.length} expected=${n * n}` };
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = cov[i * n + j]!;
      const b = cov[j * n + i]!;
      if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a), Math.abs(b))) {
        return { code: "VAR_COVARIANCE_INVALID", context: `asymmetric row=${i} col=${j}` };
      }
    }
    for (let j = 0; j <= i; j++) {
      let s = cov[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return { code: "VAR_COVARIANCE_INVALID", context: `not_positive_definite pivot=${i} value=${s}` };
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
  }
  return L;
}
