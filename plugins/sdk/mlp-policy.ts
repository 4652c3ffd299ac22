/**
 * A trained execution policy's deterministic forward pass: observation normalisation, then dense
 * layers (tanh between them), giving the mean action. Synchronous and allocation-free after
 * construction, so an algorithm can run it inside a hook; its ONNX export computes the same
 * function (checked by `kestrel rl train` within 1e-4).
 */

/** One dense layer: `out = act(W x + b)`, W row-major (out x in). */
export interface PolicyLayer {
  readonly w: readonly number[];
  readonly b: readonly number[];
  readonly act: "tanh" | "linear";
}

/** The policy part of a policy card. */
export interface PolicyWeights {
  readonly obsDim: number;
  readonly actionDim: number;
  readonly obsMean: readonly number[];
  readonly obsStd: readonly number[];
  /** Normalised observations are clipped to [-clip, clip]. */
  readonly obsClip: number;
  readonly layers: readonly PolicyLayer[];
}

/** Evaluates a policy's mean action. */
export class MlpPolicy {
  private readonly bufs: Float64Array[];
  private readonly ws: Float64Array[];
  private readonly bs: Float64Array[];
  private readonly mean: Float64Array;
  private readonly inv: Float64Array;

  constructor(readonly weights: PolicyWeights) {
    const { obsDim, layers } = weights;
    if (weights.obsMean.length !== obsDim || weights.obsStd.length !== obsDim) throw new Error(`POLICY_INVALID: normalisation length ${weights.obsMean.length} != obsDim ${obsDim}`);
    this.mean = Float64Array.from(weights.obsMean);
    this.inv = Float64Array.from(weights.obsStd, (s) => 1 / Math.max(s, 1e-8));
    let width = obsDim;
    this.bufs = [new Float64Array(obsDim)];
    this.ws = [];
    this.bs = [];
    for (const [k, l] of layers.entries()) {
      const out = l.b.length;
      if (l.w.length !== out * width) throw new Error(`POLICY_INVALID: layer ${k} has ${l.w.length} weights, expected ${out}x${width}`);
      this.ws.push(Float64Array.from(l.w));
      this.bs.push(Float64Array.from(l.b));
      this.bufs.push(new Float64Array(out));
      width = out;
    }
    if (width !== weights.actionDim) throw new Error(`POLICY_INVALID: output width ${width} != actionDim ${weights.actionDim}`);
  }

  /** Writes the mean action for `obs[offset .. offset+obsDim)` into `out[outOffset ..]`. */
  act(obs: ArrayLike<number>, offset: number, out: Float32Array | Float64Array, outOffset = 0): void {
    const w = this.weights;
    const x0 = this.bufs[0]!;
    const c = w.obsClip;
    for (let i = 0; i < w.obsDim; i++) {
      const v = (obs[offset + i]! - this.mean[i]!) * this.inv[i]!;
      x0[i] = v > c ? c : v < -c ? -c : v;
    }
    for (let k = 0; k < w.layers.length; k++) {
      const x = this.bufs[k]!, y = this.bufs[k + 1]!, W = this.ws[k]!, B = this.bs[k]!;
      const n = x.length, m = y.length, tanh = w.layers[k]!.act === "tanh";
      for (let j = 0; j < m; j++) {
        let s = B[j]!;
        const row = j * n;
        for (let i = 0; i < n; i++) s += W[row + i]! * x[i]!;
        y[j] = tanh ? Math.tanh(s) : s;
      }
    }
    const y = this.bufs[w.layers.length]!;
    for (let j = 0; j < w.actionDim; j++) out[outOffset + j] = y[j]!;
  }
}
