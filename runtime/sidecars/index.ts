/**
 * Starts a session's accelerator sidecars from its `sidecars:` section: the FPGA pre-trade risk
 * gate (Verilator simulation, or the software golden model) and the GPU portfolio VaR (PyTorch
 * sidecar, or in-process; Monte Carlo from the covariance, or the historical bootstrap over a
 * return history read from the tick store). Nothing here fails a session: a sidecar that cannot be
 * built or started raises FPGA_FALLBACK / VAR_FALLBACK and its software path serves instead; a
 * sidecar that dies is restarted by its supervisor and reattached.
 *
 * @example
 * const sc = await startSidecars({ fpga: { mode: "sidecar", timeoutUs: 200 } }, ctx);
 * if (sc.riskRule) rules.push(sc.riskRule);
 */
import type { RiskCheck, RiskVerdict } from "../../plugins/sdk/risk.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import type { RiskRule } from "../risk/engine.ts";
import type { SidecarContext, SidecarsConfig, SidecarsHandle } from "./types.ts";
import { startFpga, type FpgaPart } from "./fpga-start.ts";
import { startGpu, type GpuPart } from "./gpu-start.ts";

export type { SidecarContext, SidecarsConfig, SidecarsHandle } from "./types.ts";
export { FpgaGateRule, FPGA_RISK_CODES, type GateDecision } from "./fpga-rule.ts";
export { VarMonitor, type VarConfig, type VarHistoryConfig, type VarMethod } from "./var-monitor.ts";
export { loadReturnHistory, type ReturnHistory, type HistoryError, type HistoryOptions } from "./bootstrap-history.ts";
export type { FpgaPart } from "./fpga-start.ts";
export type { GpuPart } from "./gpu-start.ts";

/** Starts the configured sidecars; resolves once each is attached or has fallen back. */
export async function startSidecars(config: SidecarsConfig, ctx: SidecarContext): Promise<SidecarsHandle> {
  const [fpga, gpu] = await Promise.all([
    config.fpga ? startFpga(config.fpga, ctx) : Promise.resolve(null),
    config.gpu ? startGpu(config.gpu, ctx) : Promise.resolve(null),
  ]);
  return new Sidecars(fpga, gpu);
}

/** Returns the FPGA and GPU parts behind a handle from `startSidecars` (tests, the admin plane); null for another handle. */
export function sidecarParts(handle: SidecarsHandle | null): { fpga: FpgaPart | null; gpu: GpuPart | null } | null {
  return handle instanceof Sidecars ? { fpga: handle.fpga, gpu: handle.gpu } : null;
}

/** The running sidecars of a session. */
class Sidecars implements SidecarsHandle {
  readonly riskRule: RiskRule | null;

  constructor(
    readonly fpga: FpgaPart | null,
    readonly gpu: GpuPart | null,
  ) {
    const rules: RiskRule[] = [];
    // The VaR limit goes first: the gate books what it accepts, so it must be the last word.
    if (gpu) rules.push(gpu.monitor);
    if (fpga) rules.push(fpga.rule);
    this.riskRule = rules.length === 0 ? null : rules.length === 1 ? rules[0]! : chain(rules);
  }

  onFill(fill: Fill): void {
    this.fpga?.rule.onFill(fill.instrument);
  }

  onQuote(instrument: number, bid: number, ask: number): void {
    this.fpga?.rule.onQuote(instrument, bid, ask);
    this.gpu?.monitor.onQuote();
  }

  onKill(engaged: boolean): void {
    this.fpga?.rule.onKill(engaged);
  }

  status(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.fpga) out.fpga = this.fpga.status();
    if (this.gpu) out.gpu = this.gpu.status();
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all([this.fpga?.stop(), this.gpu?.stop()]);
  }
}

/** Runs rules in order; the first refusal wins. */
function chain(rules: readonly RiskRule[]): RiskRule {
  return {
    name: "sidecars",
    check(c: RiskCheck): RiskVerdict | null {
      for (const r of rules) {
        const v = r.check(c);
        if (v !== null) return v;
      }
      return null;
    },
  };
}
