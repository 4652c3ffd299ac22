/**
 * The WebAssembly backend of the feature kernels (placeholder until the AssemblyScript build
 * lands: reports itself unavailable so "auto" falls back to the TypeScript twin).
 */
import type { FeatureKernels } from "../api.ts";
import type { FeatureKernelsConfig } from "../config.ts";

/** Whether the WebAssembly kernels can be built and instantiated here. */
export function wasmAvailable(): boolean {
  return false;
}

/** Creates the WebAssembly feature kernels; throws KERNELS_WASM_UNAVAILABLE when they cannot load. */
export function createWasmKernels(_config: FeatureKernelsConfig): FeatureKernels {
  throw new Error("KERNELS_WASM_UNAVAILABLE: reason=not_built");
}
