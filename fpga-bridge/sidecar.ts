/**
 * One call that gives the runtime an FPGA risk gate backed by a supervised simulated-FPGA
 * sidecar: builds the Verilator simulation (cached), creates the segment, starts and restarts
 * the sidecar, and returns the gate (software fallback included) with a stop function.
 */
import { SidecarSupervisor } from "../gpu-bridge/shm/supervisor.ts";
import { FpgaRiskGate } from "./gate.ts";
import { buildRiskGateSim, type SimBuildError } from "./sim/build.ts";

/** Options of `startFpgaSidecar`. */
export interface FpgaSidecarOptions {
  /** Segment file (default /dev/shm/kestrel-fpga-<pid>). */
  readonly path?: string;
  /** Deadline of one verdict in microseconds (default 200). */
  readonly timeoutUs?: number;
  /** Spin the sidecar (lowest latency, one core). */
  readonly spin?: boolean;
  readonly onAlert?: (e: { code: string; context: string }) => void;
}

/** A running FPGA gate and its sidecar. */
export interface FpgaSidecar {
  readonly gate: FpgaRiskGate;
  readonly supervisor: SidecarSupervisor;
  stop(): Promise<void>;
}

/** Starts the simulated-FPGA gate; returns it, or an error value when it cannot be built or mapped. */
export async function startFpgaSidecar(opts: FpgaSidecarOptions = {}): Promise<FpgaSidecar | SimBuildError | { code: string; context: string }> {
  const bin = await buildRiskGateSim();
  if (typeof bin !== "string") return bin;
  const sup = SidecarSupervisor.start({
    name: "fpga",
    path: opts.path ?? `/dev/shm/kestrel-fpga-${process.pid}`,
    command: (p) => [bin, p, ...(opts.spin ? ["--spin"] : [])],
    onAlert: opts.onAlert,
  });
  if ("code" in sup) return sup;
  const gate = new FpgaRiskGate({ client: sup.client, timeoutUs: opts.timeoutUs, onAlert: opts.onAlert });
  return { gate, supervisor: sup, stop: () => sup.stop() };
}
