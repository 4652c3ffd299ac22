/**
 * Labels and splits of decision times, from an instrument's event times and mids alone (pure
 * functions, no I/O). A decision at kernel time t sees the events before t (the context window the
 * live model engine gathers at a timer at t); its labels look only at events at or after t:
 * realised volatility over [t, t + H] (the square root of the summed squared log mid returns,
 * starting from the last mid before t), its log, and the direction of the log return over the
 * window beyond a dead band. Splits are by the UTC day of t, with an embargo after each change of
 * split and no label window crossing one.
 */

/** Direction classes, in the order of the model's direction head. */
export const DIRECTION = { short: 0, flat: 1, long: 2 } as const;

/** Realised-volatility floor, so that log RV of a window with no move is finite. */
export const RV_FLOOR = 1e-6;

/** Labels of one decision. */
export interface DecisionLabels {
  /** Realised volatility over the horizon (log-return units, floored at RV_FLOOR). */
  rv: number;
  /** Log return of the mid over the horizon, in basis points. */
  retBps: number;
  /** 0 short, 1 flat, 2 long. */
  direction: number;
}

/** Index of the first event with ts >= t in a sorted ts array (binary search). */
export function firstAtOrAfter(ts: Float64Array | number[], n: number, t: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (ts[m]! < t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/**
 * Labels the decision at `t` whose last seen event is `last` (ts[last] < t): events with
 * t <= ts <= t + H form the window.
 */
export function labelDecision(ts: Float64Array, mid: Float64Array, n: number, last: number, t: number, horizonUs: number, deadBandBps: number): DecisionLabels {
  let prev = mid[last]!;
  const start = prev;
  let sum = 0;
  let k = last + 1;
  const end = t + horizonUs;
  for (; k < n && ts[k]! <= end; k++) {
    const m = mid[k]!;
    const r = Math.log(m / prev);
    sum += r * r;
    prev = m;
  }
  const retBps = Math.log(prev / start) * 1e4;
  const direction = retBps > deadBandBps ? DIRECTION.long : retBps < -deadBandBps ? DIRECTION.short : DIRECTION.flat;
  return { rv: Math.max(Math.sqrt(sum), RV_FLOOR), retBps, direction };
}

/** Split codes. */
export const SPLIT = { none: -1, train: 0, validation: 1, test: 2 } as const;

/** UTC day (YYYY-MM-DD) of a kernel time in µs. */
export function utcDay(tsUs: number): string {
  return new Date(Math.floor(tsUs / 1000)).toISOString().slice(0, 10);
}

/** Maps decision times to splits by UTC day, with the embargo rules. */
export class DaySplitter {
  private readonly byDay = new Map<string, number>();

  constructor(splits: { train: string[]; validation: string[]; test: string[] }, private readonly horizonUs: number, private readonly embargoUs: number) {
    for (const d of splits.train) this.byDay.set(d, SPLIT.train);
    for (const d of splits.validation) this.byDay.set(d, SPLIT.validation);
    for (const d of splits.test) this.byDay.set(d, SPLIT.test);
  }

  /** Split of the day of `t` alone (-1 when the day is in no split). */
  dayOf(t: number): number {
    return this.byDay.get(utcDay(t)) ?? SPLIT.none;
  }

  /**
   * Split of a decision at `t`, or -1 when it is left out: its day is in no split, its label
   * window ends in another split, or a different split (or a day in none) lies within the
   * embargo before it.
   */
  of(t: number): number {
    const s = this.dayOf(t);
    if (s === SPLIT.none) return s;
    if (this.dayOf(t + this.horizonUs) !== s) return SPLIT.none;
    // Checked at the embargo's start and at every day boundary inside it.
    const from = t - this.embargoUs;
    if (this.dayOf(from) !== s) return SPLIT.none;
    for (let d = Math.floor(from / 86_400_000_000) * 86_400_000_000 + 86_400_000_000; d < t; d += 86_400_000_000) {
      if (this.dayOf(d) !== s) return SPLIT.none;
    }
    return s;
  }
}

/** The q-quantile (linear interpolation) of `values`. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(values).sort();
  if (a.length === 0) return NaN;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}
