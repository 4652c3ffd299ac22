/**
 * Cholesky factorisation of a small symmetric positive-definite matrix, used once at
 * construction to turn independent normals into correlated ones (`y = L z`).
 */

/** Returns the lower-triangular factor L (row-major, n*n) with L Lᵀ = m, or null if m is not positive definite. */
export function cholesky(m: readonly (readonly number[])[]): Float64Array | null {
  const n = m.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i][j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 1e-12)) return null;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  return l;
}
