/**
 * The Engle–Granger two-step cointegration test on a formation window, with no allocation: step 1
 * regresses y on x by OLS (y = a + b x + e); step 2 runs the Dickey–Fuller regression on the
 * residuals (Δe_t = γ e_{t-1} + u_t, no constant, no lags) and returns γ's t-statistic. The pair is
 * judged cointegrated when that statistic is below a critical value; for two variables with a
 * constant, MacKinnon (2010) gives -3.90 (1%), -3.34 (5%) and -3.04 (10%) for large samples.
 */

/** Result of the test, written into a reused object. */
export interface EngleGranger {
  /** OLS intercept and slope of y on x. */
  alpha: number;
  beta: number;
  /** Variance of the OLS residuals. */
  residualVar: number;
  /** Dickey–Fuller t-statistic of the residuals (more negative: more mean-reverting). */
  tStat: number;
  /** Half-life of the residual's mean reversion, in samples (-ln 2 / ln(1 + γ)); Infinity when γ ≥ 0. */
  halfLife: number;
}

/** MacKinnon (2010) asymptotic 5% critical value for the Engle–Granger test with two variables. */
export const EG_CRITICAL_5PCT = -3.34;

/** Returns a zeroed result object to reuse across tests. */
export function newEngleGranger(): EngleGranger {
  return { alpha: NaN, beta: NaN, residualVar: NaN, tStat: NaN, halfLife: NaN };
}

/**
 * Runs the test on the `n` oldest-to-newest samples of rings `y` and `x` starting at `start`
 * (indices wrap modulo the ring length); writes into `out` and returns it. n must be at least 10.
 */
export function engleGranger(y: Float64Array, x: Float64Array, start: number, n: number, out: EngleGranger): EngleGranger {
  const len = y.length;
  let sx = 0, sy = 0;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % len;
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n, my = sy / n;
  let sxx = 0, sxy = 0;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % len;
    const dx = x[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (y[i]! - my);
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  const alpha = my - beta * mx;
  // Dickey–Fuller on the residuals e_t = y_t - a - b x_t.
  let see = 0, sed = 0, sRes = 0;
  let prev = y[start % len]! - alpha - beta * x[start % len]!;
  sRes += prev * prev;
  for (let k = 1; k < n; k++) {
    const i = (start + k) % len;
    const e = y[i]! - alpha - beta * x[i]!;
    sRes += e * e;
    see += prev * prev;
    sed += prev * (e - prev);
    prev = e;
  }
  const gamma = see > 0 ? sed / see : 0;
  let ssr = 0;
  prev = y[start % len]! - alpha - beta * x[start % len]!;
  for (let k = 1; k < n; k++) {
    const i = (start + k) % len;
    const e = y[i]! - alpha - beta * x[i]!;
    const u = e - prev - gamma * prev;
    ssr += u * u;
    prev = e;
  }
  const s2 = ssr / Math.max(1, n - 2);
  const se = see > 0 ? Math.sqrt(s2 / see) : Infinity;
  out.alpha = alpha;
  out.beta = beta;
  out.residualVar = sRes / n;
  out.tStat = se > 0 && Number.isFinite(se) ? gamma / se : 0;
  out.halfLife = gamma < 0 && gamma > -1 ? -Math.LN2 / Math.log(1 + gamma) : Infinity;
  return out;
}
