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

/**
 * EMA with alpha a = 2 / (period + 1), seeded with the first value (as trading-signals and
 * @ixjb94/indicators). The recurrence e_k = b e_(k-1) + a x_k (b = 1 - a) is unrolled four
 * ways, e_k = b^4 e_(k-4) + a (x_k + b (x_(k-1) + b (x_(k-2) + b x_(k-3)))), so four independent
 * chains hide the add/multiply latency that bounds a sequential EMA. Rounding differs from the
 * sequential form by a few ulp; the twin uses the same form.
 */
export function emaSeries(src: usize, out: usize, n: i32, period: i32): void {
  if (n <= 0) return;
  const a = 2.0 / (<f64>period + 1), b = 1 - a, b4 = b * b * b * b;
  let e = load<f64>(src);
  store<f64>(out, e);
  const head = n < 4 ? n : 4;
  for (let k = 1; k < head; k++) {
    e = b * e + a * load<f64>(src + (<usize>k << 3));
    store<f64>(out + (<usize>k << 3), e);
  }
  // Two values per step in f64x2 lanes (k, k + 1): the same multiplies and adds per lane as the
  // scalar form below, so bit for bit the same results; the previous two pairs stay in registers.
  let k = 4;
  if (n >= 8) {
    const va = f64x2.splat(a), vb = f64x2.splat(b), vb4 = f64x2.splat(b4);
    let p2 = v128.load(out), p1 = v128.load(out, 16);
    for (; k + 1 < n; k += 2) {
      const x = src + (<usize>(k - 3) << 3);
      const inner = f64x2.add(v128.load(x, 8), f64x2.mul(vb, v128.load(x)));
      const c = f64x2.mul(va, f64x2.add(v128.load(x, 24), f64x2.mul(vb, f64x2.add(v128.load(x, 16), f64x2.mul(vb, inner)))));
      const e2 = f64x2.add(f64x2.mul(vb4, p2), c);
      v128.store(out + (<usize>k << 3), e2);
      p2 = p1; p1 = e2;
    }
  }
  for (; k < n; k++) {
    const x = src + (<usize>(k - 3) << 3);
    const c = a * (load<f64>(x, 24) + b * (load<f64>(x, 16) + b * (load<f64>(x, 8) + b * load<f64>(x))));
    store<f64>(out + (<usize>k << 3), b4 * load<f64>(out + (<usize>(k - 4) << 3)) + c);
  }
}

/**
 * Wilder RSI: simple average of the first `period` changes, then g = g (p - 1) / p + gain / p
 * (a multiply by precomputed constants instead of a division on the dependency chain), and
 * RSI = 100 g / (g + l), algebraically 100 - 100 / (1 + g / l) with one division; g and l in the
 * two lanes of an f64x2.
 */
export function rsiSeries(src: usize, out: usize, n: i32, period: i32): void {
  const p = <f64>period, keep = (p - 1) / p, add = 1 / p;
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
  store<f64>(out + (<usize>period << 3), g + l == 0 ? 50 : 100 * g / (g + l));
  // g and l side by side in f64x2 lanes: one multiply-add chain for both, and the gain/loss split by
  // a lane mask (c > 0 in lane 0, -c > 0 in lane 1) instead of two branches on the sign of a change,
  // which a market mispredicts half the time. Same IEEE operations per lane as the scalar form, and
  // the mask gives +0 where the scalar form gives 0 (a NaN change included).
  const keep2 = f64x2.splat(keep), add2 = f64x2.splat(add), zero2 = f64x2.splat(0);
  let gl = f64x2.replace_lane(f64x2.splat(g), 1, l);
  let prev = load<f64>(src + (<usize>period << 3));
  for (let k = period + 1; k < n; k++) {
    const x = load<f64>(src + (<usize>k << 3));
    const c = x - prev;
    prev = x;
    const cc = f64x2.replace_lane(f64x2.splat(c), 1, -c);
    const split = v128.and(cc, f64x2.gt(cc, zero2));
    gl = f64x2.add(f64x2.mul(gl, keep2), f64x2.mul(split, add2));
    const gk = f64x2.extract_lane(gl, 0), lk = f64x2.extract_lane(gl, 1);
    const sum = gk + lk;
    store<f64>(out + (<usize>k << 3), sum == 0 ? 50 : 100 * gk / sum);
  }
}

/**
 * Donchian channel: rolling max into `hi` and min into `lo` over the last `period` values, by
 * van Herk / Gil-Werman: split the series into blocks of `period`; a window ending at i is a
 * suffix of the previous block plus a prefix of the current one, so max = max(suffix max,
 * prefix max), branch-free comparisons per value and bound whatever the data. `scratch`
 * holds the previous block's suffix maxima and minima (2 x (period + 1) f64). NaN before
 * `period` values.
 */
export function donchianSeries(src: usize, hi: usize, lo: usize, n: i32, period: i32, scratch: usize): void {
  // Max and min side by side in f64x2 lanes, the min lane negated (max of -x is -min of x): one
  // pmax per step for both. pmax(a, b) is `a < b ? b : a`, the scalar form's `x > m ? x : m`, so
  // ties, zeros and NaN pick the same operand; negating back is exact. Suffix slot j holds
  // [max, -min] (16 bytes; scratch is the same 2 x (period + 1) f64).
  const w = period;
  const none = f64x2.splat(-Infinity);
  for (let j = 0; j <= w; j++) v128.store(scratch + (<usize>j << 4), none);
  for (let start = 0; start < n; start += w) {
    const end = start + w < n ? start + w : n;
    let pre = none;
    for (let i = start; i < end; i++) {
      const x = load<f64>(src + (<usize>i << 3));
      pre = f64x2.pmax(pre, f64x2.replace_lane(f64x2.splat(x), 1, -x));
      // The window's part in the previous block starts at i - w + 1, slot (i - start + 1) of its suffixes.
      const both = f64x2.pmax(pre, v128.load(scratch + (<usize>(i - start + 1) << 4)));
      const o = <usize>i << 3;
      const ok = i + 1 >= w;
      store<f64>(hi + o, ok ? f64x2.extract_lane(both, 0) : NaN);
      store<f64>(lo + o, ok ? -f64x2.extract_lane(both, 1) : NaN);
    }
    // Suffix extremes of this block for the next one (slot w stays empty: -Infinity in both lanes).
    let suf = none;
    for (let i = end - 1; i >= start; i--) {
      const x = load<f64>(src + (<usize>i << 3));
      suf = f64x2.pmax(suf, f64x2.replace_lane(f64x2.splat(x), 1, -x));
      v128.store(scratch + (<usize>(i - start) << 4), suf);
    }
  }
}

/**
 * Rolling z-score (x - mean) / population standard deviation over the last `period` values,
 * from running sums of values taken relative to the first one (exact for integer-tick inputs;
 * the means multiply by 1 / period, leaving one division and one square root per value);
 * 0 when the window is flat, NaN before `period` values. The division and the square root bound
 * the scalar loop (the divider unit takes longer per value than the running sums' adds), so once
 * the window is full two values go through them at once in f64x2 lanes: the sums stay scalar and
 * sequential, every lane does the scalar form's operations, so the results are bit for bit the
 * twin's.
 */
export function zscoreSeries(src: usize, out: usize, n: i32, period: i32): void {
  if (n <= 0) return;
  const ref = load<f64>(src), inv = 1 / <f64>period;
  let s1: f64 = 0, s2: f64 = 0;
  let k = 0;
  for (; k < n && k + 1 < period; k++) {
    const d = load<f64>(src + (<usize>k << 3)) - ref;
    s1 += d; s2 += d * d;
    store<f64>(out + (<usize>k << 3), NaN);
  }
  const vinv = f64x2.splat(inv), vzero = f64x2.splat(0);
  for (; k + 1 < n; k += 2) {
    const da = load<f64>(src + (<usize>k << 3)) - ref;
    s1 += da; s2 += da * da;
    if (k >= period) {
      const e = load<f64>(src + (<usize>(k - period) << 3)) - ref;
      s1 -= e; s2 -= e * e;
    }
    const s1a = s1, s2a = s2;
    const db = load<f64>(src + (<usize>(k + 1) << 3)) - ref;
    s1 += db; s2 += db * db;
    if (k + 1 >= period) {
      const e = load<f64>(src + (<usize>(k + 1 - period) << 3)) - ref;
      s1 -= e; s2 -= e * e;
    }
    const mean = f64x2.mul(f64x2.replace_lane(f64x2.splat(s1a), 1, s1), vinv);
    const variance = f64x2.sub(f64x2.mul(f64x2.replace_lane(f64x2.splat(s2a), 1, s2), vinv), f64x2.mul(mean, mean));
    const z = f64x2.div(f64x2.sub(f64x2.replace_lane(f64x2.splat(da), 1, db), mean), f64x2.sqrt(variance));
    v128.store(out + (<usize>k << 3), v128.bitselect(z, vzero, f64x2.gt(variance, vzero)));
  }
  for (; k < n; k++) {
    const d = load<f64>(src + (<usize>k << 3)) - ref;
    s1 += d; s2 += d * d;
    if (k >= period) {
      const e = load<f64>(src + (<usize>(k - period) << 3)) - ref;
      s1 -= e; s2 -= e * e;
    }
    const mean = s1 * inv;
    const variance = s2 * inv - mean * mean;
    store<f64>(out + (<usize>k << 3), variance > 0 ? (d - mean) / Math.sqrt(variance) : 0);
  }
}
