/** Test fixtures: a correlated book of FX-like instruments and a normal return history, for the VaR tests and benchmark. */
import { cholesky } from "./cholesky.ts";
import { Variates } from "./random.ts";

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

/** A history of T correlated normal per-second returns for the test book. */
export function normalHistory(n: number, T: number, seed: number): { exposures: Float64Array; history: Float64Array } {
  const { exposures, cov } = book(n);
  const L = cholesky(cov, n) as Float64Array;
  const rng = new Variates(seed);
  const history = new Float64Array(T * n);
  const z = new Float64Array(n);
  const perSecond = 1 / Math.sqrt(86_400);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < n; j++) z[j] = rng.normal();
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += L[i * n + j]! * z[j]!;
      history[t * n + i] = s * perSecond;
    }
  }
  return { exposures, history };
}
