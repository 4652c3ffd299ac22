/**
 * One call that gives the runtime a VaR service backed by a supervised PyTorch sidecar (CUDA when
 * present, else CPU), with the in-process engine as fallback, and a stop function.
 */
import { SidecarSupervisor } from "./shm/supervisor.ts";
import { VarService } from "./var/service.ts";

/** Options of `startGpuSidecar`. */
export interface GpuSidecarOptions {
  /** Segment file (default /dev/shm/kestrel-gpu-<pid>). */
  readonly path?: string;
  /** Ring capacity in bytes (default 16 MiB: bootstrap histories up to 4 MiB per request). */
  readonly capacity?: number;
  /** Deadline of one computation in microseconds (default 100 ms). */
  readonly timeoutUs?: number;
  readonly device?: "cuda" | "cpu";
  readonly onAlert?: (e: { code: string; context: string }) => void;
}

/** A running VaR service and its sidecar. */
export interface GpuSidecar {
  readonly service: VarService;
  readonly supervisor: SidecarSupervisor;
  stop(): Promise<void>;
}

/** Starts the GPU sidecar; returns the service, or an error value when the segment cannot be made. */
export function startGpuSidecar(opts: GpuSidecarOptions = {}): GpuSidecar | { code: string; context: string } {
  const script = new URL("./sidecar/var_sidecar.py", import.meta.url).pathname;
  const sup = SidecarSupervisor.start({
    name: "gpu",
    path: opts.path ?? `/dev/shm/kestrel-gpu-${process.pid}`,
    capacity: opts.capacity ?? 1 << 24,
    // Python and torch take a moment to import; a computation beats between chunks.
    deadAfterMs: 1000,
    command: (p) => ["/usr/bin/python3", script, p, ...(opts.device ? ["--device", opts.device] : [])],
    onAlert: opts.onAlert,
  });
  if ("code" in sup) return sup;
  const service = new VarService({ client: sup.client, timeoutUs: opts.timeoutUs, onAlert: opts.onAlert });
  return { service, supervisor: sup, stop: () => sup.stop() };
}
