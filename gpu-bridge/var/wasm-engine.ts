/**
 * Runs a Monte Carlo VaR simulation in the WASM kernel (`wasm-module.ts`): the shocks' loadings are
 * copied into the kernel's memory (padded to an even count with zero exposures), the kernel is
 * seeded, simulates every path and reads the tail itself, so the losses never cross into JS.
 */
import type { Shocks, VarRequestError } from "./monte-carlo.ts";
import { varMc, type VarMcExports } from "./wasm-module.ts";

/** Raw figures of one kernel run: VaR, ES, ΣP&L and ΣP&L². */
export interface WasmVarFigures {
  readonly var: number;
  readonly es: number;
  readonly sum: number;
  readonly sumSq: number;
}

function run(s: Shocks, paths: number): VarMcExports | VarRequestError {
  const mc = varMc();
  const one = s.b.length === 1;
  const stride = one ? 1 : (s.b.length + 1) & ~1;
  if (mc.layout(stride, paths) !== 0) return { code: "VAR_REQUEST_INVALID", context: `paths=${paths} exceeds the wasm engine's memory` };
  if (!one) {
    const view = new Float64Array(mc.memory.buffer, mc.bPtr(), stride);
    view.fill(0);
    view.set(s.b);
  }
  mc.seed(s.seed >>> 0);
  if (one) mc.simulateOne(s.b[0]!, paths, s.dof);
  else mc.simulate(stride, paths, s.dof);
  return mc;
}

/** Simulates `paths` paths and reads the `k` largest losses; returns the figures or an error value. */
export function wasmVar(s: Shocks, paths: number, k: number): WasmVarFigures | VarRequestError {
  const mc = run(s, paths);
  if ("code" in mc) return mc;
  mc.tail(paths, k);
  return { var: mc.varValue(), es: mc.esValue(), sum: mc.sum(), sumSq: mc.sumSq() };
}

/** Simulates `paths` paths; returns a copy of the losses in path order, or an error value. */
export function wasmLosses(s: Shocks, paths: number): Float64Array | VarRequestError {
  const mc = run(s, paths);
  if ("code" in mc) return mc;
  return new Float64Array(mc.memory.buffer, mc.lossPtr(), paths).slice();
}
