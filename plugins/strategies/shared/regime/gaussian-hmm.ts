/**
 * A Gaussian hidden Markov model over bar features (diagonal covariance per state) and its online
 * forward filter. The filter keeps the filtered state probabilities P(s_t | x_1..t) in a
 * preallocated array and returns, per observation, the log predictive likelihood
 * log p(x_t | x_1..t-1): the quantity the regime monitor averages to notice a market that left the
 * distribution the model was trained on. Emissions are combined in log space with the largest
 * subtracted first, so a far outlier gives a very negative likelihood instead of underflowing to
 * NaN. No allocation after construction.
 */

/** A fitted model, as stored in a model file (JSON). States are ordered calmest first. */
export interface GaussianHmm {
  /** Names of the bar features, in vector order (see bar-features.ts). */
  readonly features: readonly string[];
  /** Number of states. */
  readonly k: number;
  /** Initial state probabilities (k). */
  readonly pi: readonly number[];
  /** Transition matrix, row-major (k*k): trans[i*k+j] = P(s_t = j | s_t-1 = i). */
  readonly trans: readonly number[];
  /** Emission means, row-major (k*d). */
  readonly mean: readonly number[];
  /** Emission variances, row-major (k*d), each > 0. */
  readonly variance: readonly number[];
  /** Per UTC hour, the value subtracted from each feature before the model sees it (24*d); absent: none. */
  readonly seasonal?: readonly number[];
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Returns the problems of a model read from a file (shapes, probabilities, variances). */
export function hmmProblems(m: GaussianHmm): string[] {
  const p: string[] = [];
  const k = m.k, d = m.features?.length ?? 0;
  if (!Number.isInteger(k) || k < 1) return [`k: expected an integer >= 1, got ${k}`];
  if (d < 1) p.push("features: expected at least one feature name");
  const rowSums = (a: readonly number[], rows: number, cols: number, what: string): void => {
    if (!Array.isArray(a) || a.length !== rows * cols) { p.push(`${what}: expected ${rows * cols} numbers, got ${a?.length}`); return; }
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) { const v = a[r * cols + c]!; if (!(v >= 0)) p.push(`${what}[${r * cols + c}]: expected a probability, got ${v}`); s += v; }
      if (Math.abs(s - 1) > 1e-6) p.push(`${what}: row ${r} sums to ${s}, expected 1`);
    }
  };
  rowSums(m.pi, 1, k, "pi");
  rowSums(m.trans, k, k, "trans");
  if (!Array.isArray(m.mean) || m.mean.length !== k * d || m.mean.some((v) => !Number.isFinite(v))) p.push(`mean: expected ${k * d} finite numbers`);
  if (!Array.isArray(m.variance) || m.variance.length !== k * d || m.variance.some((v) => !(v > 0 && Number.isFinite(v)))) p.push(`variance: expected ${k * d} positive numbers`);
  if (m.seasonal !== undefined && (!Array.isArray(m.seasonal) || m.seasonal.length !== 24 * d || m.seasonal.some((v) => !Number.isFinite(v)))) p.push(`seasonal: expected ${24 * d} finite numbers`);
  return p;
}

/** Writes log N(x; mean_s, var_s) for every state into `out` (length k); x has d values from `offset`. */
export function logEmissions(m: GaussianHmm, x: ArrayLike<number>, offset: number, out: Float64Array): void {
  const d = m.features.length;
  for (let s = 0; s < m.k; s++) {
    let l = 0;
    for (let j = 0; j < d; j++) {
      const v = m.variance[s * d + j]!;
      const z = x[offset + j]! - m.mean[s * d + j]!;
      l -= 0.5 * (LOG_2PI + Math.log(v) + (z * z) / v);
    }
    out[s] = l;
  }
}

/** Online forward filter of a GaussianHmm. */
export class HmmFilter {
  /** Filtered state probabilities after the last update (prior `pi` before the first). */
  readonly probs: Float64Array;
  /** Observations seen. */
  count = 0;
  private readonly pred: Float64Array;
  private readonly logB: Float64Array;

  constructor(readonly model: GaussianHmm) {
    const problems = hmmProblems(model);
    if (problems.length > 0) throw new Error(`HMM model invalid: ${problems.join("; ")}`);
    this.probs = Float64Array.from(model.pi);
    this.pred = new Float64Array(model.k);
    this.logB = new Float64Array(model.k);
  }

  /** Folds in one feature vector (d values of `x` from `offset`); returns log p(x_t | x_1..t-1). */
  update(x: ArrayLike<number>, offset = 0): number {
    const m = this.model, k = m.k, pred = this.pred, probs = this.probs, logB = this.logB;
    if (this.count === 0) for (let j = 0; j < k; j++) pred[j] = m.pi[j]!;
    else {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += probs[i]! * m.trans[i * k + j]!;
        pred[j] = s;
      }
    }
    logEmissions(m, x, offset, logB);
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (logB[j]! > max) max = logB[j]!;
    let total = 0;
    for (let j = 0; j < k; j++) {
      const w = pred[j]! * Math.exp(logB[j]! - max);
      probs[j] = w;
      total += w;
    }
    this.count++;
    if (!(total > 0)) {
      // Every state gives the observation zero weight after scaling: fall back to the prediction.
      for (let j = 0; j < k; j++) probs[j] = pred[j]!;
      return max;
    }
    for (let j = 0; j < k; j++) probs[j] = probs[j]! / total;
    return max + Math.log(total);
  }

  /** Index of the most probable state. */
  argmax(): number {
    let best = 0;
    for (let j = 1; j < this.model.k; j++) if (this.probs[j]! > this.probs[best]!) best = j;
    return best;
  }

  /** Forgets the past (the next update starts from `pi`). */
  reset(): void {
    this.count = 0;
    for (let j = 0; j < this.model.k; j++) this.probs[j] = this.model.pi[j]!;
  }
}
