/**
 * Bodies of the VaR binary frames (gpu-bridge/PROTOCOL.md, "Binary frames"): a Monte Carlo
 * request is eight f64 scalars [n, covHorizonSeconds, horizonSeconds, confidence, paths, dist
 * (0 normal, 1 Student-t), dof, seed] then exposures f64[n] and cov f64[n*n]; a bootstrap request
 * is [n, T, stepSeconds, horizonSeconds, confidence, paths, seed, 0] then exposures f64[n] and
 * history f64[T*n]; the reply of both is f64 [var, es, mean, std, paths] and the device as 16
 * NUL-padded bytes. Little-endian (the host's order on every platform Kestrel runs on).
 */
import { readFixedText } from "../shm/binary-frame.ts";
import type { BootstrapRequest } from "./bootstrap.ts";
import type { VarRequest, VarResult } from "./monte-carlo.ts";

/** Bytes of the scalar block that starts every VaR request body. */
const SCALARS = 64;
/** Bytes of a VaR reply body. */
export const VAR_REPLY_BYTES = 56;

function body(n: number, extra: Float64Array, scalars: readonly number[], exposures: Float64Array): Uint8Array {
  const out = new Float64Array(8 + n + extra.length);
  for (let i = 0; i < 8; i++) out[i] = scalars[i]!;
  out.set(exposures, 8);
  out.set(extra, 8 + n);
  return new Uint8Array(out.buffer);
}

/** Returns the frame body of a Monte Carlo VaR request (same defaults as the msgpack body: dof 0, seed 0x5eed). */
export function encodeVarFrame(r: VarRequest): Uint8Array {
  const n = r.exposures.length;
  return body(n, r.cov, [n, r.covHorizonSeconds, r.horizonSeconds, r.confidence, r.paths, r.dist === "student-t" ? 1 : 0, r.dof ?? 0, r.seed ?? 0x5eed], r.exposures);
}

/** Returns the frame body of a historical-bootstrap VaR request. */
export function encodeBootstrapFrame(r: BootstrapRequest): Uint8Array {
  const n = r.exposures.length;
  return body(n, r.history, [n, r.history.length / n, r.stepSeconds, r.horizonSeconds, r.confidence, r.paths, r.seed ?? 0x5eed, 0], r.exposures);
}

/** Reads a VaR reply body, or returns null when it is not one. */
export function decodeVarReply(b: Uint8Array): (VarResult & { device: string }) | null {
  if (b.length !== VAR_REPLY_BYTES) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    var: dv.getFloat64(0, true),
    es: dv.getFloat64(8, true),
    mean: dv.getFloat64(16, true),
    std: dv.getFloat64(24, true),
    paths: dv.getFloat64(32, true),
    device: readFixedText(b, 40, 16),
  };
}
