/**
 * Count-based indicator kernels over whole input series, the per-indicator form of the feature
 * kernels' math (same recurrences; windows counted in values instead of microseconds) so that
 * they can be compared one for one with the npm indicator libraries. Each reads `n` f64 values
 * at `src` and writes `n` f64 results at `out` (NaN until the indicator is defined). They use a
 * scratch region after the series buffers reserved with seriesReserve(), which grows memory, so
 * they are meant for a module instance that never called init().
 */

let top: usize = 0;

/** Reserves `bytes` (64-byte aligned) after the static data and returns their address, or 0. */
export function seriesReserve(bytes: usize): usize {
  if (top == 0) top = (__heap_base + 63) & ~<usize>63;
  const p = top;
  top = (top + bytes + 63) & ~<usize>63;
  const need = <i32>((top + 0xffff) >> 16) - memory.size();
  if (need > 0 && memory.grow(need) < 0) return 0;
  return p;
}

/** EMA with alpha 2 / (period + 1), seeded with the first value (as trading-signals and @ixjb94/indicators). */
export function emaSeries(src: usize, out: usize, n: i32, period: i32): void {
  if (n <= 0) return;
  const a = 2.0 / (<f64>period + 1);
  let e = load<f64>(src);
  store<f64>(out, e);
  for (let k = 1; k < n; k++) {
    const x = load<f64>(src + (<usize>k << 3));
    e = e + a * (x - e);
    store<f64>(out + (<usize>k << 3), e);
  }
}

/** Wilder RSI: simple average of the first `period` changes, then Wilder smoothing. */
export function rsiSeries(src: usize, out: usize, n: i32, period: i32): void {
  const p = <f64>period;
  let g: f64 = 0, l: f64 = 0;
  for (let k = 0; k < n && k <= period; k++) {
    if (k > 0) {
      const c = load<f64>(src + (<usize>k << 3)) - load<f64>(src + (<usize>(k - 1) << 3));
      if (c > 0) g += c; else l -= c;
    }
    store<f64>(out + (<usize>k << 3), NaN);
  }
  if (n <= period) return;
  g = g / p; l = l / p;
  store<f64>(out + (<usize>period << 3), l == 0 ? (g == 0 ? 50 : 100) : 100 - 100 / (1 + g / l));
  for (let k = period + 1; k < n; k++) {
    const c = load<f64>(src + (<usize>k << 3)) - load<f64>(src + (<usize>(k - 1) << 3));
    g = (g * (p - 1) + (c > 0 ? c : 0)) / p;
    l = (l * (p - 1) + (c < 0 ? -c : 0)) / p;
    store<f64>(out + (<usize>k << 3), l == 0 ? (g == 0 ? 50 : 100) : 100 - 100 / (1 + g / l));
  }
}

/**
 * Donchian channel: rolling max into `hi` and min into `lo` over the last `period` values, with
 * two monotonic deques of indices in `scratch` (2 x the power of two at or above `period`, i32
 * slots); NaN before `period` values.
 */
export function donchianSeries(src: usize, hi: usize, lo: usize, n: i32, period: i32, scratch: usize): void {
  let cap = 1;
  while (cap < period) cap <<= 1;
  const m = cap - 1;
  const qa = scratch, qb = scratch + (<usize>cap << 2);
  let af = 0, ab = 0, bf = 0, bb = 0; // fronts and backs: running counts, masked into the slots
  for (let k = 0; k < n; k++) {
    const x = load<f64>(src + (<usize>k << 3));
    // Expire first, so a deque never holds more than `period` entries.
    const oldest = k - period;
    if (ab > af && load<i32>(qa + (<usize>(af & m) << 2)) <= oldest) af++;
    if (bb > bf && load<i32>(qb + (<usize>(bf & m) << 2)) <= oldest) bf++;
    while (ab > af && load<f64>(src + (<usize>load<i32>(qa + (<usize>((ab - 1) & m) << 2)) << 3)) <= x) ab--;
    store<i32>(qa + (<usize>(ab & m) << 2), k); ab++;
    while (bb > bf && load<f64>(src + (<usize>load<i32>(qb + (<usize>((bb - 1) & m) << 2)) << 3)) >= x) bb--;
    store<i32>(qb + (<usize>(bb & m) << 2), k); bb++;
    const o = <usize>k << 3;
    if (k + 1 < period) { store<f64>(hi + o, NaN); store<f64>(lo + o, NaN); continue; }
    store<f64>(hi + o, load<f64>(src + (<usize>load<i32>(qa + (<usize>(af & m) << 2)) << 3)));
    store<f64>(lo + o, load<f64>(src + (<usize>load<i32>(qb + (<usize>(bf & m) << 2)) << 3)));
  }
}

/**
 * Rolling z-score (x - mean) / population standard deviation over the last `period` values,
 * from running sums of values taken relative to the first one (exact for integer-tick inputs);
 * 0 when the window is flat, NaN before `period` values.
 */
export function zscoreSeries(src: usize, out: usize, n: i32, period: i32): void {
  if (n <= 0) return;
  const ref = load<f64>(src), p = <f64>period;
  let s1: f64 = 0, s2: f64 = 0;
  for (let k = 0; k < n; k++) {
    const d = load<f64>(src + (<usize>k << 3)) - ref;
    s1 += d; s2 += d * d;
    if (k >= period) {
      const e = load<f64>(src + (<usize>(k - period) << 3)) - ref;
      s1 -= e; s2 -= e * e;
    }
    const o = out + (<usize>k << 3);
    if (k + 1 < period) { store<f64>(o, NaN); continue; }
    const mean = s1 / p;
    const variance = s2 / p - mean * mean;
    store<f64>(o, variance > 0 ? (d - mean) / Math.sqrt(variance) : 0);
  }
}
