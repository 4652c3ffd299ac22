/**
 * The contract between the runtime's feature engine and the feature kernels: one interface,
 * two backends (AssemblyScript-compiled WebAssembly and its plain TypeScript twin). Every method
 * is synchronous and allocation-free on the hot path; outputs are views over memory the kernels
 * own, valid until reset() (their contents change as events arrive).
 */
import type { FeatureLayout } from "./layout.ts";

/** A batch of quotes as struct-of-arrays; rows 0..count-1 are used. */
export interface QuoteBatch {
  count: number;
  ts: Float64Array;
  instrument: Int32Array;
  bid: Float64Array;
  ask: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
}

/** The feature kernels of a set of instruments. */
export interface FeatureKernels {
  readonly backend: "wasm" | "ts";
  readonly layout: FeatureLayout;
  /** One quote, synchronous, no allocation. Prices in integer ticks, sizes in integer units, ts in integer microseconds. */
  onQuote(instrument: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number): void;
  /** One trade; side +1 buyer-initiated, -1 seller-initiated, 0 unknown. */
  onTrade(instrument: number, ts: number, price: number, size: number, side: number): void;
  /** Top-k book levels for imbalance (prices/sizes arrays of length >= levels). */
  onBook(instrument: number, ts: number, bidPrices: ArrayLike<number>, bidSizes: ArrayLike<number>,
    askPrices: ArrayLike<number>, askSizes: ArrayLike<number>, levels: number): void;
  /** Many quotes in one call (struct of arrays, `count` rows). */
  onQuoteBatch(batch: QuoteBatch): void;
  /** The instrument's current feature vector (a view, no copy; units per feature in layout.ts). */
  features(instrument: number): Float64Array;
  /** Correlation matrix (instruments x instruments, row-major), computed when read. */
  correlation(): Float64Array;
  /** The instrument's rolling context window (contextLength x layout.width, oldest first), float32, as a model input tensor view. */
  context(instrument: number): Float32Array;
  /** Events dropped from a window early because the instrument's ring was full (0 when capacity suffices). */
  evictions(instrument: number): number;
  /** Events dropped because their instrument index was outside 0..instruments-1. */
  rejected(): number;
  /** Clears all state, as if freshly created; earlier views stay valid. */
  reset(): void;
}
