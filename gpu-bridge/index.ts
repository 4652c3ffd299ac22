/**
 * The GPU bridge: the shared-memory sidecar protocol (shared with the FPGA bridge), the PyTorch
 * VaR sidecar's command line, and the VaR service with its in-process fallback.
 */
export * from "./shm/index.ts";
export * from "./var/monte-carlo.ts";
export * from "./var/service.ts";
export * from "./var/bootstrap.ts";
export { cholesky, type CovarianceError } from "./var/cholesky.ts";

/** Python interpreter that sees Debian's python3-torch. */
export const SIDECAR_PYTHON = "/usr/bin/python3";

/** Returns the argv that starts the VaR sidecar on a segment (device: "cuda", "cpu" or auto). */
export function varSidecarCommand(segmentPath: string, device?: "cuda" | "cpu"): string[] {
  const script = new URL("./sidecar/var_sidecar.py", import.meta.url).pathname;
  return [SIDECAR_PYTHON, script, segmentPath, ...(device ? ["--device", device] : [])];
}
export * from "./sidecar.ts";
