import { describe, expect, test } from "bun:test";
import { readLeanDay } from "../../testing/lean-ticks.ts";
import { fitHmm } from "./baum-welch.ts";
import { RegimeBarFeatures } from "./bar-features.ts";
import { monitorDay } from "./fit.ts";
import { HmmFilter, hmmProblems, logEmissions, type GaussianHmm } from "./gaussian-hmm.ts";
import { REGIME_MODELS } from "./models/index.ts";
import { RegimeEvent, RegimeMonitor } from "./regime-monitor.ts";
import { spliceShiftedSegment } from "./shifted-segment.ts";
import { runSyntheticStudy } from "./synthetic-study.ts";

const two: GaussianHmm = {
  features: ["log_rv", "log_spread"], k: 2, pi: [0.7, 0.3], trans: [0.9, 0.1, 0.2, 0.8],
  mean: [0, 1, 2, -1], variance: [1, 0.5, 2, 1],
};

/** Brute force: p(x_1..T) summed over every state path (only those ending in `end` when given). */
function pathSum(m: GaussianHmm, xs: number[][], end = -1): number {
  const lb = new Float64Array(m.k);
  const e = xs.map((x) => { logEmissions(m, x, 0, lb); return Array.from(lb, Math.exp); });
  let total = 0;
  const walk = (t: number, prev: number, p: number): void => {
    if (t === xs.length) { if (end < 0 || prev === end) total += p; return; }
    for (let s = 0; s < m.k; s++) walk(t + 1, s, p * (t === 0 ? m.pi[s]! : m.trans[prev * m.k + s]!) * e[t]![s]!);
  };
  walk(0, -1, 1);
  return total;
}

/** A seeded normal draw (Box–Muller over a xorshift). */
function normals(seed: number): () => number {
  let s = seed;
  const u = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe("Gaussian HMM forward filter", () => {
  test("the summed log predictive likelihoods equal the likelihood summed over every state path", () => {
    const xs = [[0.2, 1.1], [2.5, -0.7], [1.9, -1.3], [-0.4, 0.8], [3.1, -2]];
    const f = new HmmFilter(two);
    let ll = 0;
    for (const x of xs) ll += f.update(x);
    expect(ll).toBeCloseTo(Math.log(pathSum(two, xs)), 10);
    // The filtered probability of state 1 at T, by brute force over the paths ending there.
    expect(f.probs[1]!).toBeCloseTo(pathSum(two, xs, 1) / pathSum(two, xs), 10);
    expect(f.probs[0]! + f.probs[1]!).toBeCloseTo(1, 12);
  });

  test("a far outlier gives a finite, very negative likelihood and probabilities that still sum to 1", () => {
    const f = new HmmFilter(two);
    f.update([0, 1]);
    const ll = f.update([1e4, -1e4]);
    expect(Number.isFinite(ll)).toBe(true);
    expect(ll).toBeLessThan(-1e6);
    expect(f.probs[0]! + f.probs[1]!).toBeCloseTo(1, 12);
  });

  test("a malformed model is refused with every problem named", () => {
    const bad = { ...two, trans: [0.5, 0.4, 0.2, 0.8], variance: [1, 0, 2, 1] };
    expect(hmmProblems(bad)).toEqual(["trans: row 0 sums to 0.9, expected 1", "variance: expected 4 positive numbers"]);
    expect(() => new HmmFilter(bad)).toThrow(/trans: row 0 sums/);
  });
});

describe("Baum–Welch", () => {
  test("recovers the states of a sampled sticky two-state model, and the likelihood never falls", () => {
    const truth: GaussianHmm = { features: ["x"], k: 2, pi: [0.5, 0.5], trans: [0.98, 0.02, 0.03, 0.97], mean: [0, 3], variance: [1, 0.5] };
    const z = normals(11);
    const seqs: Float64Array[] = [];
    let s = 0, uState = 7;
    const u = (): number => { uState = (uState * 1103515245 + 12345) % 2147483648; return uState / 2147483648; };
    for (let d = 0; d < 4; d++) {
      const x = new Float64Array(1500);
      for (let t = 0; t < x.length; t++) {
        if (u() > truth.trans[s * 2 + s]!) s = 1 - s;
        x[t] = truth.mean[s]! + Math.sqrt(truth.variance[s]!) * z();
      }
      seqs.push(x);
    }
    const fit = fitHmm(["x"], seqs, { k: 2 });
    for (let i = 1; i < fit.logLik.length; i++) expect(fit.logLik[i]!).toBeGreaterThanOrEqual(fit.logLik[i - 1]! - 1e-6);
    const m = fit.model;
    expect(m.mean[0]!).toBeCloseTo(0, 0);
    expect(Math.abs(m.mean[1]! - 3)).toBeLessThan(0.15);
    expect(Math.abs(m.variance[1]! - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(m.trans[0]! - 0.98)).toBeLessThan(0.01);
    expect(Math.abs(m.trans[3]! - 0.97)).toBeLessThan(0.015);
  });
});

describe("regime features and monitor", () => {
  test("bars close on the first quote of a later interval with realised variance, spread and quote count", () => {
    const f = new RegimeBarFeatures(["log_rv", "log_spread", "log_quotes", "return"], 60_000_000);
    expect(f.push(0, 100_000, 100_002)).toBe(false);
    expect(f.push(1_000_000, 100_010, 100_012)).toBe(false);
    expect(f.push(60_000_000, 100_010, 100_012)).toBe(true);
    const r = Math.log(100_011 / 100_001) * 1e4;
    expect(f.vector[0]).toBeCloseTo(Math.log(r * r + 0.01), 9);
    expect(f.vector[1]).toBeCloseTo(Math.log(((2 / 100_001 + 2 / 100_011) / 2) * 1e4 + 1e-6), 9);
    expect(f.vector[2]).toBeCloseTo(Math.log(3), 12);
    expect(f.hour).toBe(0);
    expect(() => new RegimeBarFeatures(["log_rv", "vwap"], 1)).toThrow(/features\[1\]: expected one of/);
  });

  test("the out-of-distribution flag needs sustainBars bars below the bound, and as many above it to clear", () => {
    const m = new RegimeMonitor(two, 1_000_000, { windowBars: 2, sustainBars: 3, bound: -10, quantile: 0.01 });
    const events: number[] = [];
    for (const ll of [-1, -1, -20, -20, -20, -20, -1, -1, -1, -1, -1]) events.push(m.onBar(ll));
    expect(events).toEqual([0, 0, 0, 0, RegimeEvent.Left, 0, 0, 0, 0, RegimeEvent.Returned, 0]);
  });
});

describe("regime detection on the synthetic market (hidden regimes known)", () => {
  test("the filtered HMM beats the majority regime and a supervised volatility threshold out of sample", () => {
    const r = runSyntheticStudy({ seed: 1, days: 12, trainDays: 8, barUs: 60_000_000, quotesPerSecond: 1, features: ["log_rv", "log_spread", "log_quotes"], k: 4 });
    expect(r.testBars).toBeGreaterThan(5000);
    expect(r.hmm.lo).toBeGreaterThan(r.majority.accuracy);
    expect(r.hmm.lo).toBeGreaterThan(r.threshold.accuracy);
    // Bursts: the busiest state finds more of them than the threshold at about the same false-alarm rate.
    expect(r.burstDetection.hmm.recall).toBeGreaterThan(r.burstDetection.threshold.recall + 0.1);
    expect(Math.abs(r.burstDetection.hmm.falseAlarm - r.burstDetection.threshold.falseAlarm)).toBeLessThan(0.05);
  }, 60_000);
});

describe("leaving the trained distribution on real quotes", () => {
  const file = REGIME_MODELS["eurusd-fxcm-1m"]!;
  const day = readLeanDay("fxcm", "eurusd", "20140509");
  const noon = Date.UTC(2014, 4, 9, 12) * 1000;

  test("a held-out real day stays inside; the same day with a shifted segment is flagged within 20 minutes of its start, and only around it", () => {
    expect(monitorDay(file, day).outsideBars).toBe(0);
    const shifted = monitorDay(file, spliceShiftedSegment(day, noon, noon + 7_200_000_000, 4, 3));
    expect(shifted.firstLeftTs).not.toBeNull();
    expect(shifted.firstLeftTs!).toBeGreaterThanOrEqual(noon);
    expect(shifted.firstLeftTs!).toBeLessThan(noon + 20 * 60_000_000);
    expect(shifted.outsideBars).toBeGreaterThan(60);
    expect(shifted.outsideBars).toBeLessThan(140);
    // Every span outside starts inside the segment (HH:MM–HH:MM, UTC).
    expect(shifted.spans.every((sp) => sp >= "12:00" && sp < "14:00")).toBe(true);
  }, 30_000);

  test("the shipped model file is what fit.ts produces from its training days", async () => {
    const { fitModelFile } = await import("./fit.ts");
    const fresh = fitModelFile("fxcm", "eurusd", file.trainedOn.split(" ")[2]!.split(","), {
      states: file.model.k, barUs: file.barUs, windowBars: file.calibration.windowBars, sustainBars: file.calibration.sustainBars, quantile: file.calibration.quantile,
    });
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(file);
  }, 60_000);
});
