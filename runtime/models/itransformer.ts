/**
 * A synchronous, allocation-free forward pass of the trained vol-window iTransformer in plain
 * TypeScript, from the weights msgpack `models/vol_window/export_weights.py` writes beside the card.
 * It computes what the ONNX file computes (checked within 1e-4 on real windows) without leaving the
 * event loop, so a backtest (which never yields) can run the model at its decision times, and a
 * batch of 28 instruments costs well under a millisecond on one core. Float64 inside, float32 out.
 *
 * @example
 * const m = ITransformerRunner.load("models/vol-window.json"); if ("code" in m) ...;
 * m.run(batch, 28);  // batch: 28 x rows x width float32; then m.signal[i], m.volProb[i], m.logRv[i], m.direction[3 * i + k]
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { decode } from "@msgpack/msgpack";

interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** A model that cannot be loaded. */
export interface RunnerError {
  readonly code: "INFER_MODEL_MISSING";
  readonly context: string;
}

const SQRT1_2 = Math.SQRT1_2;

/** erf by Abramowitz and Stegun 7.1.26 (absolute error < 1.5e-7). */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const gelu = (x: number) => 0.5 * x * (1 + erf(x * SQRT1_2));

/** The vol-window iTransformer, run synchronously in process. */
export class ITransformerRunner {
  /** Outputs of the latest `run`, per window. */
  readonly signal: Float32Array;
  readonly volProb: Float32Array;
  readonly logRv: Float32Array;
  /** Three per window: short, flat, long. */
  readonly direction: Float32Array;
  private readonly w: Readonly<Record<string, Float32Array>>;
  private readonly z: Float64Array;
  private readonly h: Float64Array;
  private readonly a: Float64Array;
  private readonly qkv: Float64Array;
  private readonly o: Float64Array;
  private readonly f: Float64Array;
  private readonly p: Float64Array;
  private readonly flat: Float64Array;
  private readonly hid: Float64Array;
  private readonly out5 = new Float64Array(5);
  /** Each block's weights, resolved once (no name lookups on the hot path). */
  private readonly blocks: { n1w: Float32Array; n1b: Float32Array; qkvW: Float32Array; qkvB: Float32Array; projW: Float32Array; projB: Float32Array;
    n2w: Float32Array; n2b: Float32Array; f0W: Float32Array; f0B: Float32Array; f2W: Float32Array; f2B: Float32Array }[];

  private constructor(
    readonly version: string,
    readonly rows: number,
    readonly width: number,
    private readonly d: number,
    private readonly heads: number,
    private readonly layers: number,
    private readonly ff: number,
    private readonly mid: number,
    private readonly kinds: Int32Array,
    tensors: Record<string, Tensor>,
    readonly maxBatch: number,
  ) {
    this.w = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.data]));
    const W = width;
    this.z = new Float64Array(W * rows);
    this.h = new Float64Array(W * d);
    this.a = new Float64Array(W * d);
    this.qkv = new Float64Array(W * 3 * d);
    this.o = new Float64Array(W * d);
    this.f = new Float64Array(W * ff);
    this.p = new Float64Array(W);
    this.flat = new Float64Array(W * d);
    this.hid = new Float64Array(tensors["net.head.0.bias"]!.shape[0]!);
    const t = (k: string) => {
      const v = this.w[k];
      if (v === undefined) throw new Error(`tensor ${k} missing`);
      return v;
    };
    this.blocks = Array.from({ length: layers }, (_, l) => {
      const pre = `net.blocks.${l}.`;
      return { n1w: t(`${pre}n1.weight`), n1b: t(`${pre}n1.bias`), qkvW: t(`${pre}qkv.weight`), qkvB: t(`${pre}qkv.bias`), projW: t(`${pre}proj.weight`),
        projB: t(`${pre}proj.bias`), n2w: t(`${pre}n2.weight`), n2b: t(`${pre}n2.bias`), f0W: t(`${pre}ff.0.weight`), f0B: t(`${pre}ff.0.bias`),
        f2W: t(`${pre}ff.2.weight`), f2B: t(`${pre}ff.2.bias`) };
    });
    for (const k of ["net.pre.mean", "net.pre.std", "net.embed.weight", "net.embed.bias", "net.variate", "net.norm.weight", "net.norm.bias", "net.head.0.weight", "net.head.3.weight", "net.head.3.bias", "cal"]) t(k);
    this.signal = new Float32Array(maxBatch);
    this.volProb = new Float32Array(maxBatch);
    this.logRv = new Float32Array(maxBatch);
    this.direction = new Float32Array(maxBatch * 3);
  }

  /** Loads the weights named by a card (`<name>.weights.msgpack` beside it). */
  static load(cardPath: string, maxBatch = 64): ITransformerRunner | RunnerError {
    try {
      const card = JSON.parse(readFileSync(cardPath, "utf8"));
      const raw = decode(readFileSync(join(dirname(cardPath), `${card.name}.weights.msgpack`))) as Record<string, any>;
      const tensors: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(raw.tensors as Record<string, { shape: number[]; data: Uint8Array }>)) {
        const bytes = Uint8Array.from(t.data); // a copy (a Buffer's slice would be a view of the whole file)
        tensors[k] = { shape: t.shape, data: new Float32Array(bytes.buffer, 0, bytes.byteLength / 4) };
      }
      return new ITransformerRunner(raw.version, raw.rows, raw.width, raw.dModel, raw.heads, raw.layers, raw.ff, raw.mid, Int32Array.from(raw.kinds), tensors, maxBatch);
    } catch (e) {
      return { code: "INFER_MODEL_MISSING", context: `card=${cardPath} error=${JSON.stringify((e as Error).message)}` };
    }
  }

  /** Runs `count` windows (count x rows x width float32, instrument-major, oldest row first) into the output arrays. */
  run(batch: Float32Array, count: number): void {
    const per = this.rows * this.width;
    for (let b = 0; b < count; b++) this.one(batch, b * per, b);
  }

  private layerNorm(src: Float64Array, dst: Float64Array, n: number, d: number, g: Float32Array, beta: Float32Array): void {
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let j = 0; j < d; j++) m += src[i * d + j]!;
      m /= d;
      let v = 0;
      for (let j = 0; j < d; j++) v += (src[i * d + j]! - m) ** 2;
      const inv = 1 / Math.sqrt(v / d + 1e-5);
      for (let j = 0; j < d; j++) dst[i * d + j] = (src[i * d + j]! - m) * inv * g[j]! + beta[j]!;
    }
  }

  /** dst[i, o] = src[i, :] . W[o, :] + bias[o] (+ dst when accumulate). */
  private linear(src: Float64Array, n: number, inDim: number, W: Float32Array, bias: Float32Array, outDim: number, dst: Float64Array, accumulate: boolean): void {
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < outDim; o++) {
        let s = bias[o]!;
        const wo = o * inDim, si = i * inDim;
        for (let k = 0; k < inDim; k++) s += src[si + k]! * W[wo + k]!;
        dst[i * outDim + o] = accumulate ? dst[i * outDim + o]! + s : s;
      }
    }
  }

  private one(x: Float32Array, at: number, b: number): void {
    const { rows: L, width: W, d, w, z, h, a, qkv, o, f, p } = this;
    const mean = w["net.pre.mean"]!, std = w["net.pre.std"]!;
    const mid = Math.max(x[at + (L - 1) * W + this.mid]!, 1);
    for (let r = 0; r < L; r++) {
      for (let c = 0; c < W; c++) {
        const v = x[at + r * W + c]!;
        const kind = this.kinds[c]!;
        // The same arithmetic as Preprocess, in float32 steps where torch rounds.
        const t = kind === 0 ? (v !== 0 ? Math.fround(Math.fround(Math.fround(v - mid) / mid) * 1e4) : 0)
          : kind === 1 ? Math.fround(Math.fround(v / mid) * 1e4)
          : kind === 2 ? Math.log(Math.fround(Math.max(v, 0) * 1e4) + 1e-3) : v;
        const s = (t - mean[c]!) / std[c]!;
        z[c * L + r] = s < -10 ? -10 : s > 10 ? 10 : s;
      }
    }
    this.linear(z, W, L, w["net.embed.weight"]!, w["net.embed.bias"]!, d, h, false);
    const variate = w["net.variate"]!;
    for (let k = 0; k < W * d; k++) h[k] = h[k]! + variate[k]!;
    const dh = d / this.heads, scale = 1 / Math.sqrt(dh);
    for (let l = 0; l < this.layers; l++) {
      const B = this.blocks[l]!;
      this.layerNorm(h, a, W, d, B.n1w, B.n1b);
      this.linear(a, W, d, B.qkvW, B.qkvB, 3 * d, qkv, false);
      for (let hd = 0; hd < this.heads; hd++) {
        const qo = hd * dh, ko = d + hd * dh, vo = 2 * d + hd * dh;
        for (let i = 0; i < W; i++) {
          let mx = -Infinity;
          for (let j = 0; j < W; j++) {
            let s = 0;
            for (let e = 0; e < dh; e++) s += qkv[i * 3 * d + qo + e]! * qkv[j * 3 * d + ko + e]!;
            p[j] = s * scale;
            if (p[j]! > mx) mx = p[j]!;
          }
          let sum = 0;
          for (let j = 0; j < W; j++) sum += p[j] = Math.exp(p[j]! - mx);
          for (let e = 0; e < dh; e++) {
            let s = 0;
            for (let j = 0; j < W; j++) s += p[j]! * qkv[j * 3 * d + vo + e]!;
            o[i * d + hd * dh + e] = s / sum;
          }
        }
      }
      this.linear(o, W, d, B.projW, B.projB, d, h, true);
      this.layerNorm(h, a, W, d, B.n2w, B.n2b);
      this.linear(a, W, d, B.f0W, B.f0B, this.ff, f, false);
      for (let k = 0; k < W * this.ff; k++) f[k] = gelu(f[k]!);
      this.linear(f, W, this.ff, B.f2W, B.f2B, d, h, true);
    }
    this.layerNorm(h, this.flat, W, d, w["net.norm.weight"]!, w["net.norm.bias"]!);
    const hid = this.hid;
    this.linear(this.flat, 1, W * d, w["net.head.0.weight"]!, w["net.head.0.bias"]!, hid.length, hid, false);
    for (let k = 0; k < hid.length; k++) hid[k] = gelu(hid[k]!);
    const y = this.out5;
    this.linear(hid, 1, hid.length, w["net.head.3.weight"]!, w["net.head.3.bias"]!, 5, y, false);
    const cal = w["cal"]!;
    const pv = 1 / (1 + Math.exp(-(cal[0]! * y[0]! + cal[1]!)));
    const m = Math.max(y[2]!, y[3]!, y[4]!);
    const e0 = Math.exp(y[2]! - m), e1 = Math.exp(y[3]! - m), e2 = Math.exp(y[4]! - m), es = e0 + e1 + e2;
    this.volProb[b] = pv;
    this.logRv[b] = y[1]! * cal[3]! + cal[2]!;
    this.direction[3 * b] = e0 / es;
    this.direction[3 * b + 1] = e1 / es;
    this.direction[3 * b + 2] = e2 / es;
    this.signal[b] = pv * (e2 / es - e0 / es);
  }
}
