/**
 * The feature engine: owns the feature kernels (WebAssembly when available, their TypeScript twins
 * otherwise) and gives strategies read-only views of each instrument's feature vector. Strategies
 * look a feature up by name once (`index`) and read the vector on every tick.
 */
import { createFeatureKernels, defaultFeatureConfig, type FeatureKernels, type FeatureKernelsConfig } from "../../kernels-wasm/index.ts";

/** Which implementation computes the features. */
export type FeatureBackend = "wasm" | "ts" | "auto";

/** Feature vectors of every instrument, updated by the data path. */
export class FeatureEngine {
  readonly kernels: FeatureKernels;
  /** Book levels the imbalance kernel reads from L2 books. */
  readonly depthLevels: number;
  private readonly names: ReadonlyMap<string, number>;

  constructor(instruments: number, backend: FeatureBackend = "auto", overrides: Partial<FeatureKernelsConfig> = {}) {
    const config = { ...defaultFeatureConfig(Math.max(1, instruments)), ...overrides };
    this.kernels = createFeatureKernels(config, backend);
    this.depthLevels = config.imbalanceLevels;
    this.names = new Map(Object.entries(this.kernels.layout.index));
  }

  /** Names of every feature the engine computes. */
  featureNames(): ReadonlySet<string> {
    return new Set(this.names.keys());
  }

  /** Position of a named feature in the vector, or -1. */
  index(name: string): number {
    return this.names.get(name) ?? -1;
  }

  /** Updates an instrument's features with a quote. */
  onQuote(instrument: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    this.kernels.onQuote(instrument, ts, bid, ask, bidSize, askSize);
  }

  /** Updates an instrument's features with a trade. */
  onTrade(instrument: number, ts: number, price: number, size: number, side: number): void {
    this.kernels.onTrade(instrument, ts, price, size, side);
  }

  /** Current feature vector of an instrument (a view). */
  values(instrument: number): Float64Array {
    return this.kernels.features(instrument);
  }
}
