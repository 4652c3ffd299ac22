/**
 * The regime study on the synthetic market, whose volatility regimes (quiet, normal, burst) are
 * hidden from the quotes but known to the generator: EURUSD quotes for `days` consecutive days are
 * cut into bars with their features and the true regime at each bar's close; the first
 * `trainDays` days fit the HMM (Baum–Welch, no labels), the rest are the test split, read once and
 * in time order. Scored on the test split: the HMM's filtered (online, causal) most probable state,
 * mapped to a regime by majority on the training days; against two baselines on the same bars — the
 * majority regime, and a supervised threshold rule on the same bar's `log_rv` (thresholds fitted on
 * the training labels, so it is given more than the HMM). Accuracy intervals are a bootstrap over
 * one-hour blocks of test bars (bars within an hour are not independent). Test support and the
 * `bun plugins/strategies/shared/regime/synthetic-study.ts` command; not imported by plugins.
 */
import { MarketEventKind, newMarketEvent } from "../../../../runtime/data/sources/market-source.ts";
import { createSyntheticMarket, syntheticInstruments } from "../../../../runtime/data/sources/synthetic/index.ts";
import { RegimeBarFeatures } from "./bar-features.ts";
import { deseason, fitRegimeModel, type DayRows } from "./fit-model.ts";
import { HmmFilter, type GaussianHmm } from "./gaussian-hmm.ts";

/** How the study runs. */
export interface StudyOptions {
  readonly seed: number;
  readonly days: number;
  readonly trainDays: number;
  readonly barUs: number;
  readonly quotesPerSecond: number;
  readonly features: readonly string[];
  readonly k: number;
  /** Subtract an hour-of-day profile of the features fitted on the training days (default true). */
  readonly seasonal?: boolean;
}

/** Bars of one day: raw features (row-major), their hours and the true regime at each close. */
interface DayBars extends DayRows {
  readonly regime: Int32Array;
}

/** Accuracy with a 90% block-bootstrap interval. */
export interface Scored {
  readonly accuracy: number;
  readonly lo: number;
  readonly hi: number;
}

/** What the study measured. */
export interface StudyResult {
  readonly model: GaussianHmm;
  readonly stateToRegime: number[];
  readonly trainBars: number;
  readonly testBars: number;
  /** Share of test bars in each true regime. */
  readonly testShare: number[];
  readonly hmm: Scored;
  readonly majority: Scored;
  readonly threshold: Scored;
  /** Recall of the burst regime (the one a risk rule cares about) for the HMM and the threshold rule. */
  readonly burstRecall: { readonly hmm: number; readonly threshold: number };
  /**
   * Burst detection on the test split: the HMM's busiest state against a log_rv threshold set on the
   * training days to the same false-alarm rate the busiest state had there. Recall is over burst bars,
   * false alarms over the other bars.
   */
  readonly burstDetection: { readonly hmm: { recall: number; falseAlarm: number }; readonly threshold: { recall: number; falseAlarm: number } };
  /** Bayesian information criterion of the fit on the training days (lower is better). */
  readonly bic: number;
  /** Confusion of the HMM on the test split: rows true regime, columns predicted regime. */
  readonly confusion: number[][];
  /** Test bars by true regime (rows) and most probable HMM state (columns, calmest first). */
  readonly stateConfusion: number[][];
}

/** Generates the days' bars. */
function syntheticDays(o: StudyOptions): DayBars[] {
  const inst = syntheticInstruments("sim").filter((i) => i.symbol === "EURUSD").map((i) => ({ ...i, id: 0 }));
  const start = Date.UTC(2024, 0, 8) * 1000;
  const market = createSyntheticMarket({ seed: o.seed, instruments: inst, quotesPerSecond: o.quotesPerSecond, startTs: start, endTs: start + o.days * 86_400_000_000 });
  const ev = newMarketEvent();
  const days: { x: number[]; hours: number[]; regime: number[] }[] = Array.from({ length: o.days }, () => ({ x: [], hours: [], regime: [] }));
  const f = new RegimeBarFeatures(o.features, o.barUs);
  let lastRegime = 0;
  let lastDay = 0;
  while (market.next(ev)) {
    if (ev.kind !== MarketEventKind.Quote) continue;
    // The bar that closes on this quote belongs to the regime in force at the previous quote.
    if (f.push(ev.ts, ev.bid, ev.ask)) {
      days[lastDay]!.x.push(...f.vector);
      days[lastDay]!.hours.push(f.hour);
      days[lastDay]!.regime.push(lastRegime);
    }
    lastRegime = market.regime;
    lastDay = Math.min(o.days - 1, Math.floor((ev.ts - start) / 86_400_000_000));
  }
  return days.map((d) => ({ x: Float64Array.from(d.x), hours: Int32Array.from(d.hours), regime: Int32Array.from(d.regime) }));
}

/** Accuracy of `pred` against `truth` with a 90% bootstrap over blocks of `block` bars. */
export function blockBootstrap(hit: Uint8Array, block: number, draws = 2000, seed = 1): Scored {
  const n = hit.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += hit[i]!;
  const blocks = Math.ceil(n / block);
  const sums = new Float64Array(blocks), sizes = new Float64Array(blocks);
  for (let i = 0; i < n; i++) { sums[Math.floor(i / block)]! += hit[i]!; sizes[Math.floor(i / block)]! += 1; }
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  const acc = new Float64Array(draws);
  for (let d = 0; d < draws; d++) {
    let hits = 0, total = 0;
    for (let b = 0; b < blocks; b++) { const j = Math.floor(rand() * blocks); hits += sums[j]!; total += sizes[j]!; }
    acc[d] = hits / total;
  }
  acc.sort();
  return { accuracy: s / n, lo: acc[Math.floor(0.05 * draws)]!, hi: acc[Math.floor(0.95 * draws)]! };
}

/** Runs the study. */
export function runSyntheticStudy(o: StudyOptions): StudyResult {
  const raw = syntheticDays(o);
  const d = o.features.length, R = 3;
  const fit = fitRegimeModel(o.features, raw.slice(0, o.trainDays), o.k, o.seasonal ?? true);
  const model = fit.model;
  // Both splits see the profile fitted on the training days only (as the live filter does).
  const days = raw.map((t) => ({ ...t, x: deseason(model, t) }));
  const train = days.slice(0, o.trainDays), test = days.slice(o.trainDays);
  // Map states to regimes by majority of the filtered states on the training days.
  const rvAt0 = o.features.indexOf("log_rv");
  const votes = Array.from({ length: o.k }, () => new Float64Array(R));
  const filter = new HmmFilter(model);
  for (const day of train) {
    for (let t = 0; t < day.regime.length; t++) { filter.update(day.x, t * d); votes[filter.argmax()]![day.regime[t]!]! += 1; }
  }
  // Busiest state's false-alarm rate on the training days, and a log_rv threshold with the same rate.
  let trainNon = 0, trainNonBusy = 0;
  const nonBurstRv: number[] = [];
  filter.reset();
  for (const day of train)
    for (let t = 0; t < day.regime.length; t++) {
      filter.update(day.x, t * d);
      if (day.regime[t] !== 2) { trainNon++; if (filter.argmax() === o.k - 1) trainNonBusy++; nonBurstRv.push(day.x[t * d + Math.max(0, rvAt0)]!); }
    }
  nonBurstRv.sort((a, b) => a - b);
  const burstCut = nonBurstRv[Math.min(nonBurstRv.length - 1, Math.floor((1 - trainNonBusy / trainNon) * nonBurstRv.length))]!;
  const stateToRegime = votes.map((v) => (v[0]! + v[1]! + v[2]! === 0 ? 1 : v.indexOf(Math.max(...v))));
  // Baselines fitted on the training labels.
  const counts = new Float64Array(R);
  for (const day of train) for (const r of day.regime) counts[r]! += 1;
  const majority = counts.indexOf(Math.max(...counts));
  const rvAt = o.features.indexOf("log_rv");
  const trainRv: [number, number][] = [];
  for (const day of train) for (let t = 0; t < day.regime.length; t++) trainRv.push([day.x[t * d + Math.max(0, rvAt)]!, day.regime[t]!]);
  const [c1, c2] = bestThresholds(trainRv);
  const classify = (v: number): number => (v < c1 ? 0 : v < c2 ? 1 : 2);
  // Test split, once, in time order.
  const hmmHit: number[] = [], majHit: number[] = [], thrHit: number[] = [];
  const confusion = Array.from({ length: R }, () => [0, 0, 0]);
  const stateConfusion = Array.from({ length: R }, () => new Array<number>(o.k).fill(0));
  const share = [0, 0, 0];
  let burst = 0, burstHmm = 0, burstThr = 0, nonBurst = 0, busyHmm = 0, busyThr = 0, burstBusyHmm = 0, burstBusyThr = 0;
  for (const day of test) {
    for (let t = 0; t < day.regime.length; t++) {
      filter.update(day.x, t * d);
      const truth = day.regime[t]!;
      const p = stateToRegime[filter.argmax()]!;
      const q = classify(day.x[t * d + Math.max(0, rvAt)]!);
      hmmHit.push(p === truth ? 1 : 0);
      majHit.push(majority === truth ? 1 : 0);
      thrHit.push(q === truth ? 1 : 0);
      confusion[truth]![p]! += 1;
      stateConfusion[truth]![filter.argmax()]! += 1;
      share[truth]! += 1;
      const rv = day.x[t * d + Math.max(0, rvAt)]!;
      if (truth === 2) { burst++; if (p === 2) burstHmm++; if (q === 2) burstThr++; if (filter.argmax() === o.k - 1) burstBusyHmm++; if (rv >= burstCut) burstBusyThr++; }
      else { nonBurst++; if (filter.argmax() === o.k - 1) busyHmm++; if (rv >= burstCut) busyThr++; }
    }
  }
  const block = Math.max(1, Math.round(3_600_000_000 / o.barUs));
  const n = hmmHit.length;
  return {
    model, stateToRegime, trainBars: trainRv.length, testBars: n, testShare: share.map((s) => s / n),
    hmm: blockBootstrap(Uint8Array.from(hmmHit), block), majority: blockBootstrap(Uint8Array.from(majHit), block), threshold: blockBootstrap(Uint8Array.from(thrHit), block),
    burstRecall: { hmm: burst > 0 ? burstHmm / burst : NaN, threshold: burst > 0 ? burstThr / burst : NaN },
    confusion, stateConfusion,
    burstDetection: { hmm: { recall: burstBusyHmm / burst, falseAlarm: busyHmm / nonBurst }, threshold: { recall: burstBusyThr / burst, falseAlarm: busyThr / nonBurst } },
    bic: -2 * fit.logLik + (o.k - 1 + o.k * (o.k - 1) + 2 * o.k * d) * Math.log(fit.observations),
  };
}

/** The two thresholds on a feature that classify the training rows into regimes 0/1/2 most accurately. */
function bestThresholds(rows: [number, number][]): [number, number] {
  const sorted = rows.slice().sort((a, b) => a[0] - b[0]);
  const n = sorted.length;
  // Candidate cuts at 100 quantiles; exhaustive over pairs.
  const cuts: number[] = [];
  for (let i = 1; i < 100; i++) cuts.push(sorted[Math.floor((i * n) / 100)]![0]);
  cuts.push(Infinity);
  // Prefix counts of each regime below a cut.
  const below = (c: number): number[] => {
    const out = [0, 0, 0];
    for (const [v, r] of sorted) { if (v >= c) break; out[r]!++; }
    return out;
  };
  const pre = cuts.map(below);
  const total = below(Infinity);
  let best = -1, pair: [number, number] = [cuts[0]!, cuts[1]!];
  for (let i = 0; i < cuts.length; i++)
    for (let j = i; j < cuts.length; j++) {
      const a = pre[i]!, b = pre[j]!;
      const hits = a[0]! + (b[1]! - a[1]!) + (total[2]! - b[2]!);
      if (hits > best) { best = hits; pair = [cuts[i]!, cuts[j]!]; }
    }
  return pair;
}

if (import.meta.main) {
  const arg = (name: string, dflt: string): string => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1]! : dflt; };
  const opts: StudyOptions = {
    seed: Number(arg("--seed", "1")), days: Number(arg("--days", "10")), trainDays: Number(arg("--train-days", "5")),
    barUs: Number(arg("--bar-seconds", "60")) * 1e6, quotesPerSecond: Number(arg("--qps", "2")),
    features: arg("--features", "log_rv,log_spread,log_quotes").split(","), k: Number(arg("--states", "3")), seasonal: arg("--seasonal", "true") === "true",
  };
  const r = runSyntheticStudy(opts);
  const pct = (s: Scored): string => `${(100 * s.accuracy).toFixed(1)}% [${(100 * s.lo).toFixed(1)}, ${(100 * s.hi).toFixed(1)}]`;
  console.log(JSON.stringify({ opts, stateToRegime: r.stateToRegime, model: r.model }));
  console.log(`train bars ${r.trainBars}, test bars ${r.testBars}; test regimes quiet/normal/burst ${r.testShare.map((s) => (100 * s).toFixed(1) + "%").join(" / ")}`);
  console.log(`| method | accuracy (90% block-bootstrap interval) | burst recall |`);
  console.log(`| HMM, filtered (unsupervised) | ${pct(r.hmm)} | ${(100 * r.burstRecall.hmm).toFixed(1)}% |`);
  console.log(`| log_rv thresholds (supervised) | ${pct(r.threshold)} | ${(100 * r.burstRecall.threshold).toFixed(1)}% |`);
  console.log(`| majority regime | ${pct(r.majority)} | 0% |`);
  console.log(`confusion (rows true quiet/normal/burst, cols predicted): ${JSON.stringify(r.confusion)}`);
  const bd = r.burstDetection;
  console.log(`burst detection on test: HMM busiest state recall ${(100 * bd.hmm.recall).toFixed(1)}% false alarms ${(100 * bd.hmm.falseAlarm).toFixed(1)}%; log_rv threshold (same training false-alarm rate) recall ${(100 * bd.threshold.recall).toFixed(1)}% false alarms ${(100 * bd.threshold.falseAlarm).toFixed(1)}%; BIC ${r.bic.toFixed(0)}`);
  console.log(`HMM states (rows true quiet/normal/burst, cols state calmest first): ${JSON.stringify(r.stateConfusion)}`);
}
