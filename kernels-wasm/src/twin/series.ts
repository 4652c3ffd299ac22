/**
 * TypeScript twins of the count-based indicator series kernels (assembly/series.ts): the same
 * recurrences in the same operation order, so results match the WebAssembly ones bit for bit.
 * Each reads `src` and writes `out` of the same length (NaN until defined).
 */

/** EMA with alpha a = 2 / (period + 1), seeded with the first value, in the kernel's four-chain form. */
export function emaSeries(src: Float64Array, out: Float64Array, period: number): void {
  const n = src.length;
  if (n === 0) return;
  const a = 2 / (period + 1), b = 1 - a, b4 = b * b * b * b;
  let e = src[0];
  out[0] = e;
  for (let k = 1; k < Math.min(n, 4); k++) { e = b * e + a * src[k]; out[k] = e; }
  for (let k = 4; k < n; k++) {
    out[k] = b4 * out[k - 4] + a * (src[k] + b * (src[k - 1] + b * (src[k - 2] + b * src[k - 3])));
  }
}

/** Wilder RSI: simple average of the first `period` changes, then Wilder smoothing; RSI = 100 g / (g + l). */
export function rsiSeries(src: Float64Array, out: Float64Array, period: number): void {
  const n = src.length, keep = (period - 1) / period, add = 1 / period;
  let g = 0, l = 0;
  for (let k = 0; k < n && k <= period; k++) {
    if (k > 0) { const c = src[k] - src[k - 1]; if (c > 0) g += c; else l -= c; }
    out[k] = NaN;
  }
  if (n <= period) return;
  g = g / period; l = l / period;
  out[period] = g + l === 0 ? 50 : 100 * g / (g + l);
  for (let k = period + 1; k < n; k++) {
    const c = src[k] - src[k - 1];
    g = g * keep + (c > 0 ? c : 0) * add;
    l = l * keep + (c < 0 ? -c : 0) * add;
    out[k] = g + l === 0 ? 50 : 100 * g / (g + l);
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
  const ref = src[0], inv = 1 / period;
  let s1 = 0, s2 = 0;
  for (let k = 0; k < src.length; k++) {
    const d = src[k] - ref;
    s1 += d; s2 += d * d;
    if (k >= period) { const e = src[k - period] - ref; s1 -= e; s2 -= e * e; }
    if (k + 1 < period) { out[k] = NaN; continue; }
    const mean = s1 * inv;
    const variance = s2 * inv - mean * mean;
    out[k] = variance > 0 ? (d - mean) / Math.sqrt(variance) : 0;
  }
}
