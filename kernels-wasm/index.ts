/**
 * Kestrel's feature kernels: the per-tick feature math (rolling VWAPs, spreads, imbalance,
 * volatility, EMAs, Donchian, RSI, z-scores, cross-instrument correlation, model context
 * windows) behind one synchronous, allocation-free interface with two backends, the
 * AssemblyScript-compiled WebAssembly module and its plain TypeScript twin.
 *
 * @example
 * const k = createFeatureKernels(defaultFeatureConfig(2));
 * k.onQuote(0, 1_549_238_400_994_000, 114543, 114545, 206, 100);
 * const mid = k.features(0)[k.layout.index.mid];
 */
import type { FeatureKernels } from "./src/api.ts";
import type { FeatureKernelsConfig } from "./src/config.ts";
import { createTwinKernels } from "./src/twin/kernels.ts";
import { createWasmKernels, wasmAvailable } from "./src/wasm/kernels.ts";

export type { FeatureKernels, QuoteBatch } from "./src/api.ts";
export type { FeatureKernelsConfig } from "./src/config.ts";
export { defaultFeatureConfig, KernelsConfigError, validateConfig } from "./src/config.ts";
export type { FeatureLayout } from "./src/layout.ts";
export { featureLayout } from "./src/layout.ts";
export { createTwinKernels } from "./src/twin/kernels.ts";
export { createWasmKernels, prepareWasmKernels, wasmAvailable, type WasmFeatureKernels } from "./src/wasm/kernels.ts";
export { createSeriesKernels, type SeriesKernels } from "./src/wasm/series.ts";

/**
 * Creates feature kernels for `config`. "auto" (the default) picks WebAssembly when the module
 * builds and instantiates here and the TypeScript twin otherwise; "wasm" throws when it cannot.
 */
export function createFeatureKernels(config: FeatureKernelsConfig, backend: "wasm" | "ts" | "auto" = "auto"): FeatureKernels {
  if (backend === "ts") return createTwinKernels(config);
  if (backend === "wasm" || wasmAvailable()) return createWasmKernels(config);
  return createTwinKernels(config);
}
