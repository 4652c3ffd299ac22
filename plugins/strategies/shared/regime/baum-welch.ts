/**
 * Offline fitting of a GaussianHmm by Baum–Welch (expectation–maximisation with the scaled
 * forward–backward recursions) over several sequences at once (e.g. one per training day, so no
 * transition is learnt across the night). States start from quantile groups of the first feature
 * (for a volatility feature: calm to busy) and are returned calmest first, so state 0 always means
 * the lowest first-feature mean. Runs offline (fit.ts, tests); allocates freely.
 */
import { logEmissions, type GaussianHmm } from "./gaussian-hmm.ts";

/** How a fit runs. */
export interface FitOptions {
  readonly k: number;
  /** Largest number of EM iterations. Default 100. */
  readonly maxIter?: number;
  /** Stop when the log-likelihood improves by less than this per observation. Default 1e-6. */
  readonly tol?: number;
  /** Added to every variance after each M-step, so no state collapses on a point. Default 1e-4. */
  readonly varFloor?: number;
}

/** A fitted model and how the fit went. */
export interface FitResult {
  readonly model: GaussianHmm;
  /** Total log-likelihood of the training sequences after each iteration. */
  readonly logLik: number[];
  readonly observations: number;
}

/** One pass of the scaled forward–backward recursions over a sequence; returns its log-likelihood. */
function forwardBackward(m: GaussianHmm, x: Float64Array, gamma: Float64Array, xiSum: Float64Array): number {
  const k = m.k, d = m.features.length, T = x.length / d;
  const b = new Float64Array(T * k), alpha = new Float64Array(T * k), beta = new Float64Array(T * k), c = new Float64Array(T);
  const lb = new Float64Array(k);
  let logLik = 0;
  for (let t = 0; t < T; t++) {
    logEmissions(m, x, t * d, lb);
    let max = -Infinity;
    for (let s = 0; s < k; s++) if (lb[s]! > max) max = lb[s]!;
    for (let s = 0; s < k; s++) b[t * k + s] = Math.exp(lb[s]! - max);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      let p = 0;
      if (t === 0) p = m.pi[j]!;
      else for (let i = 0; i < k; i++) p += alpha[(t - 1) * k + i]! * m.trans[i * k + j]!;
      const a = p * b[t * k + j]!;
      alpha[t * k + j] = a;
      sum += a;
    }
    if (!(sum > 0)) sum = 1e-300;
    c[t] = sum;
    for (let j = 0; j < k; j++) alpha[t * k + j] = alpha[t * k + j]! / sum;
    logLik += Math.log(sum) + max;
  }
  for (let s = 0; s < k; s++) beta[(T - 1) * k + s] = 1;
  for (let t = T - 2; t >= 0; t--) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += m.trans[i * k + j]! * b[(t + 1) * k + j]! * beta[(t + 1) * k + j]!;
      beta[t * k + i] = s / c[t + 1]!;
    }
  }
  for (let t = 0; t < T; t++) {
    let norm = 0;
    for (let s = 0; s < k; s++) norm += alpha[t * k + s]! * beta[t * k + s]!;
    for (let s = 0; s < k; s++) gamma[t * k + s] = (alpha[t * k + s]! * beta[t * k + s]!) / norm;
    if (t === T - 1) continue;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        xiSum[i * k + j] = xiSum[i * k + j]! + (alpha[t * k + i]! * m.trans[i * k + j]! * b[(t + 1) * k + j]! * beta[(t + 1) * k + j]!) / c[t + 1]!;
  }
  return logLik;
}

/** Initial model: quantile groups of feature 0 give the means and variances; sticky transitions. */
function initialModel(features: readonly string[], seqs: readonly Float64Array[], k: number, varFloor: number): GaussianHmm {
  const d = features.length;
  const all: Float64Array[] = [];
  for (const x of seqs) for (let t = 0; t < x.length / d; t++) all.push(x.subarray(t * d, t * d + d));
  all.sort((a, b) => a[0]! - b[0]!);
  const mean: number[] = [], variance: number[] = [];
  for (let s = 0; s < k; s++) {
    const group = all.slice(Math.floor((s * all.length) / k), Math.max(Math.floor(((s + 1) * all.length) / k), Math.floor((s * all.length) / k) + 1));
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (const g of group) mu += g[j]!;
      mu /= group.length;
      let v = 0;
      for (const g of group) v += (g[j]! - mu) ** 2;
      mean.push(mu);
      variance.push(v / group.length + varFloor);
    }
  }
  const trans: number[] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) trans.push(k === 1 ? 1 : i === j ? 0.95 : 0.05 / (k - 1));
  return { features, k, pi: Array.from({ length: k }, () => 1 / k), trans, mean, variance };
}

/** Reorders states by ascending mean of feature 0. */
function calmestFirst(m: GaussianHmm): GaussianHmm {
  const k = m.k, d = m.features.length;
  const order = Array.from({ length: k }, (_, s) => s).sort((a, b) => m.mean[a * d]! - m.mean[b * d]!);
  return {
    features: m.features, k,
    pi: order.map((s) => m.pi[s]!),
    trans: order.flatMap((i) => order.map((j) => m.trans[i * k + j]!)),
    mean: order.flatMap((s) => m.mean.slice(s * d, s * d + d)),
    variance: order.flatMap((s) => m.variance.slice(s * d, s * d + d)),
  };
}

/**
 * Fits a k-state Gaussian HMM to sequences of feature vectors (each row-major, length T*d).
 * @example const { model } = fitHmm(["log_rv", "log_spread"], days, { k: 3 });
 */
export function fitHmm(features: readonly string[], seqs: readonly Float64Array[], opts: FitOptions): FitResult {
  const d = features.length, k = opts.k;
  const varFloor = opts.varFloor ?? 1e-4, maxIter = opts.maxIter ?? 100, tol = opts.tol ?? 1e-6;
  const used = seqs.filter((x) => x.length >= 2 * d);
  const n = used.reduce((a, x) => a + x.length / d, 0);
  if (n < 2 * k) throw new Error(`fitHmm: ${n} observations are too few for ${k} states`);
  if (used.some((x) => x.length % d !== 0 || x.some((v) => !Number.isFinite(v)))) throw new Error(`fitHmm: every sequence must hold finite rows of ${d} features`);
  let m = initialModel(features, used, k, varFloor);
  const logLik: number[] = [];
  for (let iter = 0; iter < maxIter; iter++) {
    const pi = new Float64Array(k), xi = new Float64Array(k * k), g = new Float64Array(k);
    const sx = new Float64Array(k * d), sxx = new Float64Array(k * d);
    let ll = 0;
    for (const x of used) {
      const T = x.length / d;
      const gamma = new Float64Array(T * k);
      ll += forwardBackward(m, x, gamma, xi);
      for (let s = 0; s < k; s++) pi[s] = pi[s]! + gamma[s]! / used.length;
      for (let t = 0; t < T; t++)
        for (let s = 0; s < k; s++) {
          const w = gamma[t * k + s]!;
          g[s] = g[s]! + w;
          for (let j = 0; j < d; j++) {
            const v = x[t * d + j]!;
            sx[s * d + j] = sx[s * d + j]! + w * v;
            sxx[s * d + j] = sxx[s * d + j]! + w * v * v;
          }
        }
    }
    logLik.push(ll);
    const trans: number[] = [], mean: number[] = [], variance: number[] = [];
    for (let i = 0; i < k; i++) {
      let row = 0;
      for (let j = 0; j < k; j++) row += xi[i * k + j]!;
      for (let j = 0; j < k; j++) trans.push(row > 0 ? xi[i * k + j]! / row : 1 / k);
      for (let j = 0; j < d; j++) {
        const w = Math.max(g[i]!, 1e-12);
        const mu = sx[i * d + j]! / w;
        mean.push(mu);
        variance.push(Math.max(0, sxx[i * d + j]! / w - mu * mu) + varFloor);
      }
    }
    m = { features, k, pi: Array.from(pi), trans, mean, variance };
    if (iter > 0 && (ll - logLik[iter - 1]!) / n < tol) break;
  }
  return { model: calmestFirst(m), logLik, observations: n };
}
