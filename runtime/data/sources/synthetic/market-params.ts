/**
 * Parameters of the synthetic FX market, their defaults and their validation. Everything the
 * generator needs per event is resolved here once, at construction, into plain numbers and
 * typed arrays; a bad parameter is a `SourceConfigError` naming it.
 */
import type { Instrument } from "../../../../plugins/sdk/instrument.ts";
import { SourceConfigError } from "../source-error.ts";
import { cholesky } from "./cholesky.ts";
import { CURRENCIES, fxPairs, syntheticInstruments, USD_INDEX, type Currency } from "./fx-universe.ts";

/** One volatility regime of the hidden Markov chain that drives bursts. */
export interface RegimeParams {
  readonly name: string;
  /** Volatility multiplier (standard deviation, not variance). */
  readonly vol: number;
  /** Quote-activity multiplier. */
  readonly activity: number;
  /** Spread multiplier. */
  readonly spread: number;
  /** Mean time spent in the regime before switching, seconds (exponentially distributed). */
  readonly meanDurationSec: number;
  /** Probabilities of moving to each regime when leaving this one (same order as `regimes`). */
  readonly next: readonly number[];
}

/** What a synthetic market can be told; every field is optional. */
export interface SyntheticMarketParams {
  /** Seed of the generator; the same seed and params give the same stream bit for bit. Default 1. */
  seed?: number;
  /** Instruments to quote: any of the 28 symbols of `syntheticInstruments`; their `id` goes into events. Default all 28 on venue "sim". */
  instruments?: readonly Instrument[];
  /** ts of the start, µs since epoch. Default 2024-01-08T00:00:00Z (a Monday). */
  startTs?: number;
  /** ts at which the source is exhausted (exclusive), µs. Default never. */
  endTs?: number;
  /** Number of events after which the source is exhausted. Default never. */
  maxEvents?: number;
  /** Quote updates per second over all 28 pairs in a busy hour and the normal regime. Default 60. */
  quotesPerSecond?: number;
  /** Shortest interval between two moves of the hidden currency values, µs. Default 100,000. */
  stepUs?: number;
  /** Probability that a quote is followed by a trade at the same ts (resolution 1/65536). Default 0 (no trades). */
  tradeProbability?: number;
  /** Correlation of the USD values of EUR GBP JPY CHF AUD CAD NZD (7x7, in that order). */
  correlation?: readonly (readonly number[])[];
  /** Annualised volatility of each currency's USD value, e.g. { EUR: 0.07 }. */
  annualVol?: Partial<Record<Currency, number>>;
  /** USD value of each currency at the start, e.g. { EUR: 1.09, JPY: 1 / 148 }. */
  startValue?: Partial<Record<Currency, number>>;
  /** Volatility regimes; the first is the starting one. Default quiet, normal, burst. */
  regimes?: readonly RegimeParams[];
  /** Mean number of price jumps per day (one currency or the dollar jumps). Default 3. */
  jumpsPerDay?: number;
  /** Standard deviation of a jump's log size. Default 0.002 (about 20 pips). */
  jumpSize?: number;
  /**
   * Standard deviation of the log volatility's short-term factor, an Ornstein-Uhlenbeck process on
   * top of sessions and regimes that makes volatility cluster over minutes. Default 0.45; 0 turns it off.
   */
  volOfVol?: number;
  /** Half-life of the short-term volatility factor, seconds. Default 600. */
  volHalfLifeSec?: number;
  /** How spreads follow the short-term volatility factor: spread multiplier = (vol multiplier)^this. Default 0.5. */
  spreadVolElasticity?: number;
  /**
   * How much the top-of-book sizes reveal where the hidden mid sits between bid and ask (the
   * microprice effect, which makes size imbalance predict the next mid move). Default 2; 0
   * draws the two sizes independently of the price.
   */
  imbalanceSignal?: number;
  /** How far a trade moves the hidden mid its way, in half-spreads (permanent impact). Default 1; 0 for none. */
  tradeImpact?: number;
  /**
   * Close the market from Friday 21:00 to Sunday 21:00 UTC (no quotes, a gap at the open).
   * Default false, so a paper session started at the weekend still has a market.
   */
  weekendsClosed?: boolean;
}

/** The non-USD currencies in the order of the correlation matrix. */
export const FACTOR_CURRENCIES: readonly Currency[] = CURRENCIES.filter((c) => c !== "USD");

/** Default correlation of the USD values of EUR GBP JPY CHF AUD CAD NZD. */
export const DEFAULT_CORRELATION: readonly (readonly number[])[] = [
  [1.0, 0.65, 0.35, 0.8, 0.55, 0.45, 0.5],
  [0.65, 1.0, 0.25, 0.55, 0.55, 0.45, 0.5],
  [0.35, 0.25, 1.0, 0.55, 0.1, 0.15, 0.1],
  [0.8, 0.55, 0.55, 1.0, 0.4, 0.35, 0.35],
  [0.55, 0.55, 0.1, 0.4, 1.0, 0.65, 0.85],
  [0.45, 0.45, 0.15, 0.35, 0.65, 1.0, 0.6],
  [0.5, 0.5, 0.1, 0.35, 0.85, 0.6, 1.0],
];

const DEFAULT_VOL: Record<Currency, number> = { EUR: 0.07, USD: 0, GBP: 0.08, JPY: 0.09, CHF: 0.075, AUD: 0.1, CAD: 0.065, NZD: 0.105 };
const DEFAULT_VALUE: Record<Currency, number> = { EUR: 1.09, USD: 1, GBP: 1.27, JPY: 1 / 148, CHF: 1 / 0.88, AUD: 0.66, CAD: 1 / 1.36, NZD: 0.61 };

/** Default regimes: quiet, normal and short bursts of high volatility with wide spreads. */
export const DEFAULT_REGIMES: readonly RegimeParams[] = [
  { name: "quiet", vol: 0.6, activity: 0.6, spread: 1.1, meanDurationSec: 3 * 3600, next: [0, 1, 0] },
  { name: "normal", vol: 1, activity: 1, spread: 1, meanDurationSec: 4 * 3600, next: [0.6, 0, 0.4] },
  { name: "burst", vol: 2.5, activity: 2.2, spread: 2.5, meanDurationSec: 20 * 60, next: [0.2, 0.8, 0] },
];

/** Trading seconds in a year for turning annual volatility into a rate (260 days). */
const YEAR_US = 260 * 86_400_000_000;

/** Parameters resolved into what the generator reads per event. */
export interface ResolvedMarket {
  readonly seed: number;
  readonly instruments: readonly Instrument[];
  readonly startTs: number;
  readonly endTs: number;
  readonly maxEvents: number;
  /** Quotes per µs at activity 1. */
  readonly quotesPerUs: number;
  readonly stepUs: number;
  readonly tradeProbability: number;
  /** Lower Cholesky factor of the correlation (7x7 row-major). */
  readonly choleskyL: Float64Array;
  /** Per factor currency: standard deviation of log value per √µs at variance rate 1. */
  readonly sigmaPerRootUs: Float64Array;
  /** Per currency (CURRENCIES order): start log USD value. */
  readonly startLogValue: Float64Array;
  /** Per currency: index into the factor arrays, or -1 for USD. */
  readonly factorOf: Int32Array;
  /** Per pair (instrument order): base and quote currency index, tick scale, typical spread, activity. */
  readonly pairBase: Int32Array;
  readonly pairQuote: Int32Array;
  readonly pairScale: Float64Array;
  readonly pairSpread: Float64Array;
  readonly pairActivity: Float64Array;
  readonly pairId: Int32Array;
  readonly regimes: readonly RegimeParams[];
  readonly jumpsPerUs: number;
  readonly jumpSize: number;
  readonly weekendsClosed: boolean;
  readonly volOfVol: number;
  readonly volHalfLifeUs: number;
  readonly spreadVolElasticity: number;
  readonly imbalanceSignal: number;
  readonly tradeImpact: number;
}

function bad(param: string, expected: string, got: unknown): SourceConfigError {
  return new SourceConfigError("SOURCE_PARAM_INVALID", { source: "synthetic", param, expected, got: String(got) });
}

function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  if (v === undefined) return dflt;
  if (!(typeof v === "number" && (allowZero ? v >= 0 : v > 0))) throw bad(name, allowZero ? "number >= 0" : "number > 0", v);
  return v;
}

/** Validates params and resolves them with defaults; throws `SourceConfigError` on the first bad one. */
export function resolveMarketParams(p: SyntheticMarketParams): ResolvedMarket {
  const seed = p.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw bad("seed", "safe integer", seed);
  const startTs = p.startTs ?? Date.UTC(2024, 0, 8) * 1000;
  if (!Number.isSafeInteger(startTs)) throw bad("startTs", "integer microseconds", startTs);
  const endTs = p.endTs ?? Infinity;
  if (!(endTs === Infinity || (Number.isSafeInteger(endTs) && endTs >= startTs))) throw bad("endTs", "integer >= startTs", endTs);
  const maxEvents = p.maxEvents ?? Infinity;
  if (!(maxEvents === Infinity || (Number.isSafeInteger(maxEvents) && maxEvents >= 0))) throw bad("maxEvents", "integer >= 0", maxEvents);
  const quotesPerUs = positive("quotesPerSecond", p.quotesPerSecond, 60) / 1e6;
  const stepUs = positive("stepUs", p.stepUs, 100_000);
  const tradeProbability = positive("tradeProbability", p.tradeProbability, 0, true);
  if (tradeProbability > 1) throw bad("tradeProbability", "number in [0, 1]", tradeProbability);
  const jumpsPerUs = positive("jumpsPerDay", p.jumpsPerDay, 3, true) / 86_400_000_000;
  const jumpSize = positive("jumpSize", p.jumpSize, 0.002, true);

  const corr = p.correlation ?? DEFAULT_CORRELATION;
  const n = FACTOR_CURRENCIES.length;
  if (corr.length !== n || corr.some((row) => row.length !== n)) throw bad("correlation", `${n}x${n} matrix`, `${corr.length} rows`);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const v = corr[i][j];
      if (i === j ? v !== 1 : !(v > -1 && v < 1 && v === corr[j][i])) throw bad(`correlation[${i}][${j}]`, "symmetric, 1 on the diagonal, |c| < 1", v);
    }
  const choleskyL = cholesky(corr);
  if (choleskyL === null) throw bad("correlation", "positive definite matrix", "not positive definite");

  const sigmaPerRootUs = new Float64Array(n);
  FACTOR_CURRENCIES.forEach((c, i) => {
    sigmaPerRootUs[i] = positive(`annualVol.${c}`, p.annualVol?.[c], DEFAULT_VOL[c], true) / Math.sqrt(YEAR_US);
  });
  const startLogValue = new Float64Array(CURRENCIES.length);
  const factorOf = new Int32Array(CURRENCIES.length);
  CURRENCIES.forEach((c, i) => {
    factorOf[i] = FACTOR_CURRENCIES.indexOf(c);
    startLogValue[i] = i === USD_INDEX ? 0 : Math.log(positive(`startValue.${c}`, p.startValue?.[c], DEFAULT_VALUE[c]));
  });

  const instruments = p.instruments ?? syntheticInstruments("sim");
  if (instruments.length === 0) throw bad("instruments", "at least one instrument", 0);
  const bySymbol = new Map(fxPairs().map((x) => [x.symbol, x]));
  const k = instruments.length;
  const pairBase = new Int32Array(k);
  const pairQuote = new Int32Array(k);
  const pairScale = new Float64Array(k);
  const pairSpread = new Float64Array(k);
  const pairActivity = new Float64Array(k);
  const pairId = new Int32Array(k);
  instruments.forEach((ins, i) => {
    const pair = bySymbol.get(ins.symbol);
    if (pair === undefined) throw bad(`instruments[${i}].symbol`, "one of the 28 synthetic FX pairs", ins.symbol);
    if (ins.priceDecimals < pair.priceDecimals) throw bad(`instruments[${i}].priceDecimals`, `>= ${pair.priceDecimals}`, ins.priceDecimals);
    pairBase[i] = CURRENCIES.indexOf(pair.base);
    pairQuote[i] = CURRENCIES.indexOf(pair.quote);
    pairScale[i] = 10 ** ins.priceDecimals;
    pairSpread[i] = pair.spreadTicks * 10 ** (ins.priceDecimals - pair.priceDecimals);
    pairActivity[i] = pair.activity;
    pairId[i] = ins.id;
  });

  const regimes = p.regimes ?? DEFAULT_REGIMES;
  if (regimes.length === 0) throw bad("regimes", "at least one regime", 0);
  regimes.forEach((r, i) => {
    positive(`regimes[${i}].vol`, r.vol, 1, true);
    positive(`regimes[${i}].activity`, r.activity, 1);
    positive(`regimes[${i}].spread`, r.spread, 1);
    positive(`regimes[${i}].meanDurationSec`, r.meanDurationSec, 1);
    const sum = r.next.reduce((a, b) => a + b, 0);
    if (r.next.length !== regimes.length || r.next.some((q) => !(q >= 0)) || Math.abs(sum - 1) > 1e-9)
      throw bad(`regimes[${i}].next`, `${regimes.length} probabilities >= 0 summing to 1`, r.next.join(","));
  });

  return {
    seed, instruments, startTs, endTs, maxEvents, quotesPerUs, stepUs, tradeProbability, choleskyL, sigmaPerRootUs,
    startLogValue, factorOf, pairBase, pairQuote, pairScale, pairSpread, pairActivity, pairId, regimes, jumpsPerUs,
    jumpSize, weekendsClosed: p.weekendsClosed ?? false,
    volOfVol: positive("volOfVol", p.volOfVol, 0.45, true),
    volHalfLifeUs: positive("volHalfLifeSec", p.volHalfLifeSec, 600) * 1e6,
    spreadVolElasticity: positive("spreadVolElasticity", p.spreadVolElasticity, 0.5, true),
    imbalanceSignal: positive("imbalanceSignal", p.imbalanceSignal, 2, true),
    tradeImpact: positive("tradeImpact", p.tradeImpact, 1, true),
  };
}
