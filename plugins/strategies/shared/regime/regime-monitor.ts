/**
 * The regime monitor a strategy runs on its quotes: bar features → HMM forward filter → regime
 * probabilities, plus the out-of-distribution test. It averages the filter's log predictive
 * likelihood over the last `windowBars` bars; when that average stays below the calibrated
 * `bound` for `sustainBars` bars in a row the market has left the regimes the model was trained on
 * (`outside` becomes true), and it comes back only after the average has been at or above the bound
 * for `sustainBars` bars in a row. The bound is calibrated offline (calibrate.ts) as a low quantile
 * of the same average on training days. No allocation per quote.
 */
import { RegimeBarFeatures } from "./bar-features.ts";
import { HmmFilter, type GaussianHmm } from "./gaussian-hmm.ts";
import { WasmHmmFilter } from "../../../../kernels-wasm/src/wasm/hmm.ts";

/** The forward filter a monitor runs: the TypeScript HmmFilter or its WASM twin (kernels-wasm, equal within 1e-12). */
export interface ForwardFilter {
  readonly probs: Float64Array;
  readonly count: number;
  update(x: ArrayLike<number>, offset?: number): number;
  argmax(): number;
  reset(): void;
}

/** Where the forward filter runs. */
export type FilterBackend = "ts" | "wasm";

/** How the out-of-distribution test is set, stored with the model. */
export interface RegimeCalibration {
  /** Bars in the moving average of the log predictive likelihood. */
  readonly windowBars: number;
  /** Average below which a bar counts as outside the training distribution. */
  readonly bound: number;
  /** Bars in a row below (above) the bound before `outside` turns on (off). */
  readonly sustainBars: number;
  /** Quantile of the training days' averages the bound was set at (documentation). */
  readonly quantile: number;
}

/** What a monitor reports on a closed bar. */
export const enum RegimeEvent {
  None = 0,
  /** The market just left the trained distribution. */
  Left = 1,
  /** The market just came back. */
  Returned = 2,
}

/** Bar features, filtered regime probabilities and the out-of-distribution flag for one instrument. */
export class RegimeMonitor {
  readonly features: RegimeBarFeatures;
  readonly filter: ForwardFilter;
  /** Moving average of the log predictive likelihood (NaN until `windowBars` bars). */
  average = NaN;
  /** True while the market is judged outside the trained regimes. */
  outside = false;
  /** Log predictive likelihood of the last bar. */
  lastLogLik = NaN;
  private readonly ring: Float64Array;
  private head = 0;
  private n = 0;
  private sum = 0;
  private streak = 0;

  constructor(readonly model: GaussianHmm, readonly barUs: number, readonly calibration: RegimeCalibration, backend: FilterBackend = "ts") {
    const c = calibration;
    if (!(Number.isInteger(c.windowBars) && c.windowBars >= 1 && Number.isInteger(c.sustainBars) && c.sustainBars >= 1 && Number.isFinite(c.bound))) {
      throw new Error(`regime calibration invalid: windowBars=${c.windowBars} sustainBars=${c.sustainBars} bound=${c.bound}`);
    }
    this.features = new RegimeBarFeatures(model.features, barUs, model.seasonal ?? null);
    const ts = new HmmFilter(model); // validates the model
    this.filter = backend === "wasm" ? new WasmHmmFilter(model) : ts;
    this.ring = new Float64Array(c.windowBars);
  }

  /** Filtered state probabilities (state 0 calmest). */
  get probs(): Float64Array {
    return this.filter.probs;
  }

  /** Most probable state. */
  regime(): number {
    return this.filter.argmax();
  }

  /** Feeds a quote; returns what changed on a bar close (None between bars). */
  push(ts: number, bid: number, ask: number): RegimeEvent {
    if (!this.features.push(ts, bid, ask)) return RegimeEvent.None;
    return this.onBar(this.filter.update(this.features.vector));
  }

  /** Folds in the log predictive likelihood of a bar; returns the event it caused. */
  onBar(logLik: number): RegimeEvent {
    this.lastLogLik = logLik;
    const w = this.ring.length;
    if (this.n === w) this.sum -= this.ring[this.head]!;
    else this.n++;
    this.ring[this.head] = logLik;
    this.head = (this.head + 1) % w;
    this.sum += logLik;
    if (this.n < w) return RegimeEvent.None;
    this.average = this.sum / w;
    const below = this.average < this.calibration.bound;
    if (below !== this.outside) this.streak++;
    else this.streak = 0;
    if (this.streak >= this.calibration.sustainBars) {
      this.streak = 0;
      this.outside = below;
      return below ? RegimeEvent.Left : RegimeEvent.Returned;
    }
    return RegimeEvent.None;
  }
}
