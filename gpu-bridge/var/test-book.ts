/** Test fixture: a correlated book of FX-like instruments for the VaR tests and benchmark. */

/** A 28-instrument book: correlated covariance (daily), mixed long/short exposures. */
export function book(n = 28): { exposures: Float64Array; cov: Float64Array; sigmaP: number } {
  const vol = Float64Array.from({ length: n }, (_, i) => 0.004 + 0.0005 * (i % 7));
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) cov[i * n + j] = vol[i]! * vol[j]! * (i === j ? 1 : 0.25 + 0.2 * Math.cos(i - j) * 0.5);
  const exposures = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * 1_000_000 * (1 + (i % 5)));
  let v = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v += exposures[i]! * cov[i * n + j]! * exposures[j]!;
  return { exposures, cov, sigmaP: Math.sqrt(v) };
}
