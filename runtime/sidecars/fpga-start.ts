/**
 * Starts the FPGA part of a session's sidecars: in `sidecar` mode the supervised Verilator
 * simulation of the risk gate (built and cached on first use), waiting a bounded time for it to
 * attach; in `software` mode, or when the toolchain is missing or the build fails, the golden
 * model alone (alert FPGA_FALLBACK). Bridge alerts become session alerts with subject `fpga`.
 */
import { FpgaRiskGate } from "../../fpga-bridge/gate.ts";
import { startFpgaSidecar, type FpgaSidecar } from "../../fpga-bridge/sidecar.ts";
import type { AlertSeverity } from "../kernel/alerts.ts";
import { FpgaGateRule } from "./fpga-rule.ts";
import { segmentPath, waitUntil } from "./segment-path.ts";
import type { SidecarContext, SidecarsConfig } from "./types.ts";

/** How long a session waits for the simulated gate to attach before trading on the software gate. */
const ATTACH_WAIT_MS = 10_000;

/** The FPGA gate of a session, its sidecar (when any) and what it has seen. */
export interface FpgaPart {
  readonly rule: FpgaGateRule;
  readonly sidecar: FpgaSidecar | null;
  status(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts the gate; never rejects. */
export async function startFpga(cfg: NonNullable<SidecarsConfig["fpga"]>, ctx: SidecarContext): Promise<FpgaPart> {
  const events = { fallbacks: 0, attaches: 0, diverged: 0, exits: 0, restarts: 0 };
  let starting = true;
  const onAlert = (e: { code: string; context: string }) => {
    if (starting && e.code === "SHM_PEER_ABSENT") return;
    let code = e.code;
    let severity: AlertSeverity = "warning";
    let message = e.context;
    if (code === "FPGA_ATTACHED") {
      events.attaches++;
      severity = "info";
    } else if (code === "FPGA_DIVERGED") {
      events.diverged++;
      severity = "critical";
    } else if (code === "SIDECAR_EXITED") events.exits++;
    else if (code === "SIDECAR_RESTARTED") {
      events.restarts++;
      severity = "info";
    } else if (code === "FPGA_FALLBACK" || code.startsWith("SHM_")) {
      events.fallbacks++;
      if (code !== "FPGA_FALLBACK") message = `cause=${code} ${e.context}`;
      code = "FPGA_FALLBACK";
    }
    ctx.alert(code, severity, "fpga", code === "FPGA_FALLBACK" ? `${message} source=software` : message);
  };
  let sidecar: FpgaSidecar | null = null;
  let gate: FpgaRiskGate;
  if (cfg.mode === "sidecar") {
    const s = await startFpgaSidecar({ path: segmentPath("fpga"), timeoutUs: cfg.timeoutUs, onAlert });
    if ("code" in s) {
      onAlert({ code: "FPGA_FALLBACK", context: `cause=${s.code} ${s.context.slice(0, 500)}` });
      gate = new FpgaRiskGate({ client: null });
    } else {
      sidecar = s;
      gate = s.gate;
      const client = s.supervisor.client;
      if (!(await waitUntil(() => client.health() === null, ATTACH_WAIT_MS))) {
        onAlert({ code: "FPGA_FALLBACK", context: `cause=not_attached waited_ms=${ATTACH_WAIT_MS}` });
      }
    }
  } else {
    gate = new FpgaRiskGate({ client: null });
  }
  starting = false;
  const rule = new FpgaGateRule(ctx, gate, sidecar?.supervisor.client ?? null);
  return {
    rule,
    sidecar,
    status: () => ({
      mode: cfg.mode,
      attached: sidecar !== null && sidecar.supervisor.client.health() === null,
      pid: sidecar?.supervisor.pid() ?? null,
      epoch: sidecar?.supervisor.client.epoch() ?? null,
      starts: sidecar?.supervisor.starts ?? 0,
      lastSource: gate.lastSource,
      lastCycles: gate.lastCycles,
      verdicts: { ...rule.verdicts },
      refusals: { ...rule.refusals },
      softwareFallbacks: gate.fallbacks,
      bypassed: rule.bypassed,
      ...events,
    }),
    stop: async () => {
      if (sidecar) await sidecar.stop();
    },
  };
}
