/**
 * Regime features of time bars, computed from the quote stream: per bar of `barUs` kernel time,
 * `log_rv` (log of the realised variance of the mid within the bar, in bp², from tick-to-tick log
 * changes, plus 0.01 so a bar without a move stays finite), `log_spread` (log of the mean quoted
 * spread in bp of the mid), `log_quotes` (log of 1 + the quotes in the bar) and `return` (the bar's
 * close-to-close log return in bp). A bar closes on the first quote of a later interval, as
 * BarSampler does; intervals without quotes produce no bar. A model names the features it uses and
 * their order; the vector is written into a preallocated array. With a `seasonal` profile (24 rows of
 * one value per feature, fitted on the training days) the value of the bar's UTC hour is subtracted,
 * so the regimes are learnt on top of the daily session pattern rather than confused with it.
 * No allocation per quote.
 */

/** The feature names a model may use. */
export const REGIME_FEATURES = ["log_rv", "log_spread", "log_quotes", "return"] as const;

/** One regime feature name. */
export type RegimeFeature = (typeof REGIME_FEATURES)[number];

const CODE: Record<RegimeFeature, number> = { log_rv: 0, log_spread: 1, log_quotes: 2, return: 3 };

/** Returns the problems of a feature list (unknown or repeated names). */
export function featureProblems(names: readonly string[]): string[] {
  const p: string[] = [];
  names.forEach((n, i) => {
    if (!(n in CODE)) p.push(`features[${i}]: expected one of ${REGIME_FEATURES.join(", ")}, got "${n}"`);
    else if (names.indexOf(n) !== i) p.push(`features[${i}]: "${n}" repeated`);
  });
  return p;
}

/** Turns quotes into one feature vector per closed bar. */
export class RegimeBarFeatures {
  /** The last closed bar's features, in the order of `names`. */
  readonly vector: Float64Array;
  /** Bars closed so far. */
  count = 0;
  /** UTC hour (0..23) of the last closed bar's interval. */
  hour = 0;
  private readonly codes: Int32Array;
  private bar = -1;
  private lastMid = NaN;
  private prevClose = NaN;
  private rv = 0;
  private spreadSum = 0;
  private quotes = 0;

  constructor(readonly names: readonly string[], readonly barUs: number, readonly seasonal: readonly number[] | null = null) {
    const problems = featureProblems(names);
    if (seasonal !== null && seasonal.length !== 24 * names.length) problems.push(`seasonal: expected ${24 * names.length} values (24 hours x ${names.length} features), got ${seasonal.length}`);
    if (problems.length > 0) throw new Error(`regime features invalid: ${problems.join("; ")}`);
    if (!(Number.isInteger(barUs) && barUs > 0)) throw new Error(`regime features invalid: barUs=${barUs} must be a positive integer`);
    this.codes = Int32Array.from(names, (n) => CODE[n as RegimeFeature]);
    this.vector = new Float64Array(names.length);
  }

  /** Feeds a quote (prices in ticks); returns true when it closed a bar (read `vector`). */
  push(ts: number, bid: number, ask: number): boolean {
    if (!(bid > 0 && ask >= bid)) return false;
    const mid = (bid + ask) / 2;
    const bar = Math.floor(ts / this.barUs);
    let closed = false;
    if (bar > this.bar && this.bar >= 0 && this.quotes > 0) {
      this.close(Math.floor((this.bar * this.barUs) / 3_600_000_000) % 24);
      closed = true;
    }
    if (bar > this.bar) {
      this.bar = bar;
      this.rv = 0;
      this.spreadSum = 0;
      this.quotes = 0;
    }
    if (this.lastMid > 0) {
      const r = Math.log(mid / this.lastMid) * 1e4;
      this.rv += r * r;
    }
    this.spreadSum += ((ask - bid) / mid) * 1e4;
    this.quotes++;
    this.lastMid = mid;
    return closed;
  }

  private close(hour: number): void {
    this.hour = hour;
    const d = this.codes.length, season = this.seasonal;
    const closeMid = this.lastMid;
    const ret = this.prevClose > 0 ? Math.log(closeMid / this.prevClose) * 1e4 : 0;
    this.prevClose = closeMid;
    for (let i = 0; i < this.codes.length; i++) {
      const c = this.codes[i]!;
      const v = c === 0 ? Math.log(this.rv + 0.01) : c === 1 ? Math.log(this.spreadSum / this.quotes + 1e-6) : c === 2 ? Math.log(1 + this.quotes) : ret;
      this.vector[i] = season === null ? v : v - season[hour * d + i]!;
    }
    this.count++;
  }
}

/** Fits the seasonal profile: per UTC hour, the mean of each feature over the bars given (hours without bars get the overall mean). */
export function fitSeasonal(rows: Float64Array, hours: Int32Array, d: number): number[] {
  const sum = new Float64Array(24 * d), n = new Float64Array(24), all = new Float64Array(d);
  const T = hours.length;
  for (let t = 0; t < T; t++) {
    const h = hours[t]!;
    n[h]! += 1;
    for (let j = 0; j < d; j++) { sum[h * d + j]! += rows[t * d + j]!; all[j]! += rows[t * d + j]! / T; }
  }
  return Array.from({ length: 24 * d }, (_, i) => { const h = Math.floor(i / d); return n[h]! > 0 ? sum[i]! / n[h]! : all[i % d]!; });
}
