/**
 * The feature vector layout: which slot of an instrument's Float64Array holds which feature.
 * Both backends write the same layout, derived from the configuration alone, so a slot index
 * looked up once by name stays valid for the life of the kernels.
 *
 * Units: mid, spread, microprice, spread_mean, spread_max, vwap_*, ema_*, donchian_* are in price
 * ticks (floats: a mid can be a half tick); imbalance and pressure are ratios in [-1, 1];
 * volume_z and zscore are z-scores; ewmavol_* is log-return volatility per sqrt(second); rvol_* is
 * the square root of the summed squared log returns in the window; vol_bucket is the quartile
 * (0..3) of ewmavol at the first half-life among its last 64 one-second samples (-1 until 4
 * samples); rsi is 0..100. NaN means "not defined yet" (no quote, empty window).
 */
import type { FeatureKernelsConfig } from "./config.ts";

/** Slot indices of the feature vector, by feature name, and its width. */
export interface FeatureLayout {
  readonly width: number;
  readonly index: Readonly<Record<string, number>>;
}

/** Slot numbers the kernels write, resolved once from the configuration. */
export interface FeatureSlots {
  mid: number; spread: number; microprice: number; spreadMean: number; spreadMax: number;
  imbalance: number; pressure: number; volumeZ: number;
  vwap: number; ewmaVol: number; rvol: number; volBucket: number;
  emaFast: number; emaSlow: number; emaCross: number;
  donchianHigh: number; donchianLow: number; rsi: number; zscore: number;
  width: number;
}

/** Returns the first slot of each feature group; groups with several windows occupy consecutive slots. */
export function featureSlots(config: FeatureKernelsConfig): FeatureSlots {
  let n = 0;
  const s = {
    mid: n++, spread: n++, microprice: n++, spreadMean: n++, spreadMax: n++,
    imbalance: n++, pressure: n++, volumeZ: n++,
    vwap: n, ewmaVol: (n += config.vwapWindowsUs.length), rvol: (n += config.ewmaHalfLivesUs.length),
    volBucket: (n += config.realisedVolWindowsUs.length), emaFast: 0, emaSlow: 0, emaCross: 0,
    donchianHigh: 0, donchianLow: 0, rsi: 0, zscore: 0, width: 0,
  };
  n++;
  s.emaFast = n++; s.emaSlow = n++; s.emaCross = n++;
  s.donchianHigh = n++; s.donchianLow = n++; s.rsi = n++; s.zscore = n++;
  s.width = n;
  return s;
}

/** Returns the named layout of `config`'s feature vector. */
export function featureLayout(config: FeatureKernelsConfig): FeatureLayout {
  const s = featureSlots(config);
  const index: Record<string, number> = {
    mid: s.mid, spread: s.spread, microprice: s.microprice, spread_mean: s.spreadMean, spread_max: s.spreadMax,
    imbalance: s.imbalance, pressure: s.pressure, volume_z: s.volumeZ, vol_bucket: s.volBucket,
    ema_fast: s.emaFast, ema_slow: s.emaSlow, ema_cross: s.emaCross,
    donchian_high: s.donchianHigh, donchian_low: s.donchianLow, rsi: s.rsi, zscore: s.zscore,
  };
  config.vwapWindowsUs.forEach((w, k) => (index[`vwap_${w}`] = s.vwap + k));
  config.ewmaHalfLivesUs.forEach((h, k) => (index[`ewmavol_${h}`] = s.ewmaVol + k));
  config.realisedVolWindowsUs.forEach((w, k) => (index[`rvol_${w}`] = s.rvol + k));
  return { width: s.width, index: Object.freeze(index) };
}
