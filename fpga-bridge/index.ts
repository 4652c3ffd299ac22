/**
 * The FPGA bridge: the pre-trade risk gate's golden model (the software gate), its register map,
 * the gate client with fallback, and the build and command line of the simulated-FPGA sidecar.
 */
export * from "./golden/registers.ts";
export * from "./golden/model.ts";
export * from "./gate.ts";
export { buildRiskGateSim, verilatorVersion, type SimBuildError } from "./sim/build.ts";

/** Returns the argv that starts the simulated gate on a segment (`binary` from `buildRiskGateSim`). */
export function riskGateSimCommand(binary: string, segmentPath: string, spin = false): string[] {
  return [binary, segmentPath, ...(spin ? ["--spin"] : [])];
}
export * from "./sidecar.ts";
