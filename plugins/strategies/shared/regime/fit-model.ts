/**
 * The offline steps that turn training days into a regime model file: the seasonal profile of the
 * features (per UTC hour), Baum–Welch on the deseasonalised bars, and the calibration of the
 * out-of-distribution bound on the same days. Used by fit.ts (real data), by the synthetic study
 * and by the tests; never on the hot path.
 */
import { fitHmm } from "./baum-welch.ts";
import { fitSeasonal, RegimeBarFeatures } from "./bar-features.ts";
import { HmmFilter, type GaussianHmm } from "./gaussian-hmm.ts";
import type { RegimeCalibration } from "./regime-monitor.ts";

/** One day of raw bar features (row-major, `d` per bar) with each bar's UTC hour. */
export interface DayRows {
  readonly x: Float64Array;
  readonly hours: Int32Array;
}

/** What a model file holds: the model, its bar length and its out-of-distribution calibration. */
export interface RegimeModelFile {
  readonly kind: "kestrel-regime-hmm";
  readonly barUs: number;
  readonly model: GaussianHmm;
  readonly calibration: RegimeCalibration;
  /** Labels of the states, calmest first (documentation and logs). */
  readonly labels: readonly string[];
  /** Where the training bars came from. */
  readonly trainedOn: string;
}

/** Returns a day's rows with the model's seasonal profile subtracted. */
export function deseason(model: GaussianHmm, day: DayRows): Float64Array {
  const d = model.features.length, s = model.seasonal;
  if (s === undefined) return day.x;
  return Float64Array.from(day.x, (v, i) => v - s[day.hours[Math.floor(i / d)]! * d + (i % d)]!);
}

/** Fits the seasonal profile (when asked) and a k-state HMM on the training days; returns the model and its training log-likelihood. */
export function fitRegimeModel(features: readonly string[], days: readonly DayRows[], k: number, seasonal = true): { model: GaussianHmm; logLik: number; observations: number } {
  const d = features.length;
  let profile: number[] | undefined;
  if (seasonal) {
    const x = new Float64Array(days.reduce((a, t) => a + t.x.length, 0)), hours = new Int32Array(x.length / d);
    let o = 0;
    for (const t of days) { x.set(t.x, o * d); hours.set(t.hours, o); o += t.hours.length; }
    profile = fitSeasonal(x, hours, d);
  }
  const base: GaussianHmm = { features, k: 1, pi: [1], trans: [1], mean: new Array(d).fill(0), variance: new Array(d).fill(1), ...(profile ? { seasonal: profile } : {}) };
  const fit = fitHmm(features, days.map((t) => deseason(base, t)), { k });
  return { model: profile ? { ...fit.model, seasonal: profile } : fit.model, logLik: fit.logLik[fit.logLik.length - 1]!, observations: fit.observations };
}

/** Moving averages (over `windowBars`) of the filter's log predictive likelihood, run through the days in order. */
export function likelihoodAverages(model: GaussianHmm, days: readonly DayRows[], windowBars: number): number[] {
  const f = new HmmFilter(model), d = model.features.length;
  const ring: number[] = [], out: number[] = [];
  let sum = 0;
  for (const day of days) {
    const x = deseason(model, day);
    for (let t = 0; t < day.hours.length; t++) {
      const ll = f.update(x, t * d);
      ring.push(ll);
      sum += ll;
      if (ring.length > windowBars) sum -= ring.shift()!;
      if (ring.length === windowBars) out.push(sum / windowBars);
    }
  }
  return out;
}

/** Calibrates the out-of-distribution bound as the `quantile` of the training days' moving averages. */
export function calibrate(model: GaussianHmm, days: readonly DayRows[], windowBars: number, quantile: number, sustainBars: number): RegimeCalibration {
  const avg = likelihoodAverages(model, days, windowBars).sort((a, b) => a - b);
  if (avg.length === 0) throw new Error(`calibrate: no ${windowBars}-bar window in the calibration days`);
  return { windowBars, sustainBars, quantile, bound: avg[Math.min(avg.length - 1, Math.floor(quantile * avg.length))]! };
}

/** Cuts one day of quotes into bar feature rows (raw, not deseasonalised). */
export function dayRows(features: readonly string[], barUs: number, ts: ArrayLike<number>, bid: ArrayLike<number>, ask: ArrayLike<number>): DayRows {
  const f = new RegimeBarFeatures(features, barUs);
  const x: number[] = [], hours: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    if (f.push(ts[i]!, bid[i]!, ask[i]!)) { x.push(...f.vector); hours.push(f.hour); }
  }
  return { x: Float64Array.from(x), hours: Int32Array.from(hours) };
}
