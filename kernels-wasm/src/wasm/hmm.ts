/**
 * Binding of the WASM HMM forward filter (assembly/hmm.ts): one module instance per filter (its
 * memory is reserved with seriesReserve, which the feature kernels' instances must never do), the
 * model written into it once, the filtered probabilities read as a view of the module's memory.
 * Same surface as the TypeScript HmmFilter (plugins/strategies/shared/regime/gaussian-hmm.ts), its
 * twin; no allocation per update.
 */
import type { WasmVariant } from "./build.ts";
import { wasmModule } from "./kernels.ts";

interface HmmExports {
  memory: WebAssembly.Memory;
  seriesReserve(bytes: number): number;
  hmmForward(model: number, k: number, d: number, state: number, x: number): number;
}

/** The model fields the filter needs (a GaussianHmm). */
export interface HmmModelArrays {
  readonly k: number;
  readonly features: readonly string[];
  readonly pi: readonly number[];
  readonly trans: readonly number[];
  readonly mean: readonly number[];
  readonly variance: readonly number[];
}

/** An HMM forward filter running in WASM. */
export class WasmHmmFilter {
  /** Filtered state probabilities after the last update (prior `pi` before the first); a view of the module's memory. */
  readonly probs: Float64Array;
  private readonly x: HmmExports;
  private readonly modelPtr: number;
  private readonly statePtr: number;
  private readonly state: Float64Array;
  private readonly input: Float64Array;
  private readonly inputPtr: number;
  private readonly k: number;
  private readonly d: number;

  /** `variant` "debug" keeps the module's bounds assertions (tests). */
  constructor(readonly model: HmmModelArrays, variant: WasmVariant = "release") {
    const k = model.k, d = model.features.length;
    this.k = k;
    this.d = d;
    this.x = new WebAssembly.Instance(wasmModule(variant), { env: { abort() { throw new Error("KERNELS_WASM_ABORT"); } } }).exports as unknown as HmmExports;
    const modelLen = k + k * k + 3 * k * d;
    this.modelPtr = this.x.seriesReserve(modelLen * 8);
    this.statePtr = this.x.seriesReserve((1 + 3 * k) * 8);
    this.inputPtr = this.x.seriesReserve(d * 8);
    if (!this.modelPtr || !this.statePtr || !this.inputPtr) throw new Error(`KERNELS_WASM_OUT_OF_MEMORY: hmm k=${k} d=${d}`);
    const buf = this.x.memory.buffer;
    const m = new Float64Array(buf, this.modelPtr, modelLen);
    m.set(model.pi, 0);
    m.set(model.trans, k);
    m.set(model.mean, k + k * k);
    m.set(model.variance, k + k * k + k * d);
    m.set(model.variance.map((v) => Math.log(v)), k + k * k + 2 * k * d);
    this.state = new Float64Array(buf, this.statePtr, 1 + 3 * k);
    this.probs = this.state.subarray(1, 1 + k);
    this.input = new Float64Array(buf, this.inputPtr, d);
    this.reset();
  }

  /** Observations seen. */
  get count(): number {
    return this.state[0]!;
  }

  /** Folds in one feature vector (d values of `x` from `offset`); returns log p(x_t | x_1..t-1). */
  update(x: ArrayLike<number>, offset = 0): number {
    for (let j = 0; j < this.d; j++) this.input[j] = x[offset + j]!;
    return this.x.hmmForward(this.modelPtr, this.k, this.d, this.statePtr, this.inputPtr);
  }

  /** Index of the most probable state. */
  argmax(): number {
    let best = 0;
    for (let j = 1; j < this.k; j++) if (this.probs[j]! > this.probs[best]!) best = j;
    return best;
  }

  /** Forgets the past (the next update starts from `pi`). */
  reset(): void {
    this.state[0] = 0;
    for (let j = 0; j < this.k; j++) this.probs[j] = this.model.pi[j]!;
  }
}
