/**
 * TypeScript twins of the count-based indicator series kernels (assembly/series.ts): the same
 * recurrences in the same operation order, so results match the WebAssembly ones bit for bit.
 * Each reads `src` and writes `out` of the same length (NaN until defined).
 */

/** EMA with alpha 2 / (period + 1), seeded with the first value. */
export function emaSeries(src: Float64Array, out: Float64Array, period: number): void {
  if (src.length === 0) return;
  const a = 2 / (period + 1);
  let e = src[0];
  out[0] = e;
  for (let k = 1; k < src.length; k++) { e = e + a * (src[k] - e); out[k] = e; }
}

/** Wilder RSI: simple average of the first `period` changes, then Wilder smoothing. */
export function rsiSeries(src: Float64Array, out: Float64Array, period: number): void {
  const n = src.length;
  let g = 0, l = 0;
  for (let k = 0; k < n && k <= period; k++) {
    if (k > 0) { const c = src[k] - src[k - 1]; if (c > 0) g += c; else l -= c; }
    out[k] = NaN;
  }
  if (n <= period) return;
  g = g / period; l = l / period;
  out[period] = l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l);
  for (let k = period + 1; k < n; k++) {
    const c = src[k] - src[k - 1];
    g = (g * (period - 1) + (c > 0 ? c : 0)) / period;
    l = (l * (period - 1) + (c < 0 ? -c : 0)) / period;
    out[k] = l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l);
  }
}

/** Donchian channel: rolling max into `hi` and min into `lo` over the last `period` values (plain scan). */
export function donchianSeries(src: Float64Array, hi: Float64Array, lo: Float64Array, period: number): void {
  for (let k = 0; k < src.length; k++) {
    if (k + 1 < period) { hi[k] = NaN; lo[k] = NaN; continue; }
    let h = -Infinity, l = Infinity;
    for (let j = k + 1 - period; j <= k; j++) { if (src[j] > h) h = src[j]; if (src[j] < l) l = src[j]; }
    hi[k] = h; lo[k] = l;
  }
}

/** Rolling z-score against the population standard deviation of the last `period` values. */
export function zscoreSeries(src: Float64Array, out: Float64Array, period: number): void {
  if (src.length === 0) return;
  const ref = src[0];
  let s1 = 0, s2 = 0;
  for (let k = 0; k < src.length; k++) {
    const d = src[k] - ref;
    s1 += d; s2 += d * d;
    if (k >= period) { const e = src[k - period] - ref; s1 -= e; s2 -= e * e; }
    if (k + 1 < period) { out[k] = NaN; continue; }
    const mean = s1 / period;
    const variance = s2 / period - mean * mean;
    out[k] = variance > 0 ? (d - mean) / Math.sqrt(variance) : 0;
  }
}
