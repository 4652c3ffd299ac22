/**
 * Feature kernel configuration: the windows, half-lives and sizes that fix what the kernels
 * compute, the defaults the runtime starts from, and the one-time validation that rejects a bad
 * configuration at construction (never on the hot path). All durations are integer microseconds.
 */

/** What the feature kernels compute, for how many instruments, over which windows. */
export interface FeatureKernelsConfig {
  /** Dense instrument indices 0..instruments-1 (up to 28 when correlation matters). */
  instruments: number;
  /** Rolling trade VWAP windows, e.g. [50_000, 1_000_000, 60_000_000, 300_000_000]. */
  vwapWindowsUs: number[];
  /** Rolling spread mean/max window. */
  spreadWindowUs: number;
  /** EWMA volatility half-lives. */
  ewmaHalfLivesUs: number[];
  /** Realised volatility windows. */
  realisedVolWindowsUs: number[];
  /** k for top-k book imbalance (an L1 quote counts as k=1). */
  imbalanceLevels: number;
  /** Window of the signed trade-flow pressure ratio. */
  pressureWindowUs: number;
  /** Window of the trade-size distribution for the volume z-score. */
  volumeZWindowUs: number;
  /** EMA half-lives of the fast and slow mid EMAs. */
  emaFastUs: number;
  emaSlowUs: number;
  /** Donchian channel window over the mid. */
  donchianWindowUs: number;
  /** Wilder RSI period, in mid changes (quotes). */
  rsiPeriod: number;
  /** Rolling z-score window of the mid. */
  zscoreWindowUs: number;
  /** Half-life of the EWMA (Hayashi-Yoshida) covariance behind the correlation matrix. */
  correlationHalfLifeUs: number;
  /**
   * Least time between two sampled points of an instrument's log-mid path in the correlation
   * (default 10 s; 0 uses every quote). Tick-by-tick returns are dominated by quote noise, which
   * inflates the variances and drags correlations toward 0 (EURUSD/NZDUSD: 0.07 tick by tick,
   * 0.30 at 10 s, 0.34 for one-minute Pearson).
   */
  correlationSampleUs?: number;
  /** Rows in each instrument's context window (default 512). */
  contextLength: number;
  /** Events each per-instrument ring holds (power of two, default 16384); older events are evicted early. */
  ringCapacity?: number;
}

/** Returns the configuration the runtime starts from for `instruments` instruments. */
export function defaultFeatureConfig(instruments: number): FeatureKernelsConfig {
  return {
    instruments,
    vwapWindowsUs: [50_000, 1_000_000, 60_000_000, 300_000_000],
    spreadWindowUs: 1_000_000,
    ewmaHalfLivesUs: [1_000_000, 10_000_000, 60_000_000],
    realisedVolWindowsUs: [10_000_000, 60_000_000],
    imbalanceLevels: 5,
    pressureWindowUs: 1_000_000,
    volumeZWindowUs: 60_000_000,
    emaFastUs: 1_000_000,
    emaSlowUs: 10_000_000,
    donchianWindowUs: 60_000_000,
    rsiPeriod: 14,
    zscoreWindowUs: 60_000_000,
    correlationHalfLifeUs: 600_000_000,
    correlationSampleUs: 10_000_000,
    contextLength: 512,
    ringCapacity: 16384,
  };
}

/** A configuration error: a stable code plus key=value context. */
export class KernelsConfigError extends Error {
  readonly code = "KERNELS_CONFIG_INVALID";
  constructor(readonly field: string, readonly value: unknown, readonly expected: string) {
    super(`KERNELS_CONFIG_INVALID: field=${field}, value=${JSON.stringify(value)}, expected=${expected}`);
  }
}

const MAX_INSTRUMENTS = 1024;
const MAX_WINDOWS = 8;

function positiveInt(field: string, v: unknown, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0 || v > max) {
    throw new KernelsConfigError(field, v, `integer in 1..${max}`);
  }
}

function durations(field: string, v: unknown, min: number): void {
  if (!Array.isArray(v) || v.length < min || v.length > MAX_WINDOWS) {
    throw new KernelsConfigError(field, v, `array of ${min}..${MAX_WINDOWS} durations`);
  }
  v.forEach((d, k) => positiveInt(`${field}[${k}]`, d));
}

/** Returns a complete, validated copy of `config`; throws KernelsConfigError naming the first bad field. */
export function validateConfig(config: FeatureKernelsConfig): Required<FeatureKernelsConfig> {
  positiveInt("instruments", config.instruments, MAX_INSTRUMENTS);
  durations("vwapWindowsUs", config.vwapWindowsUs, 0);
  durations("ewmaHalfLivesUs", config.ewmaHalfLivesUs, 1);
  durations("realisedVolWindowsUs", config.realisedVolWindowsUs, 0);
  for (const f of ["spreadWindowUs", "pressureWindowUs", "volumeZWindowUs", "emaFastUs", "emaSlowUs",
    "donchianWindowUs", "zscoreWindowUs", "correlationHalfLifeUs"] as const) {
    positiveInt(f, config[f]);
  }
  positiveInt("imbalanceLevels", config.imbalanceLevels, 64);
  positiveInt("rsiPeriod", config.rsiPeriod, 1 << 20);
  positiveInt("contextLength", config.contextLength, 1 << 16);
  const ringCapacity = config.ringCapacity ?? 16384;
  positiveInt("ringCapacity", ringCapacity, 1 << 22);
  if ((ringCapacity & (ringCapacity - 1)) !== 0) throw new KernelsConfigError("ringCapacity", ringCapacity, "power of two");
  const correlationSampleUs = config.correlationSampleUs ?? 10_000_000;
  if (!Number.isSafeInteger(correlationSampleUs) || correlationSampleUs < 0) {
    throw new KernelsConfigError("correlationSampleUs", correlationSampleUs, "integer >= 0");
  }
  return {
    ...config,
    correlationSampleUs,
    vwapWindowsUs: [...config.vwapWindowsUs],
    ewmaHalfLivesUs: [...config.ewmaHalfLivesUs],
    realisedVolWindowsUs: [...config.realisedVolWindowsUs],
    ringCapacity,
  };
}
