/**
 * Error values of the sidecar bridges. A refusal on the hot path is returned, never thrown: each
 * carries a stable code and `key=value` context.
 */

/** Every code a bridge reports. */
export type BridgeErrorCode =
  | "SHM_CONFIG_INVALID"
  | "SHM_IO"
  | "SHM_BAD_MAGIC"
  | "SHM_VERSION_MISMATCH"
  | "SHM_PEER_ABSENT"
  | "SHM_PEER_DEAD"
  | "SHM_RING_FULL"
  | "SHM_FRAME_TOO_LARGE"
  | "SHM_FRAME_CORRUPT"
  | "SHM_FRAME_UNKNOWN"
  | "SHM_RING_CORRUPT"
  | "SHM_DEADLINE"
  | "SHM_REMOTE_ERROR";

/** A bridge error: a code and `key=value` context. */
export interface BridgeError {
  readonly code: BridgeErrorCode;
  readonly context: string;
}

/** Returns a bridge error value. */
export function bridgeError(code: BridgeErrorCode, context: string): BridgeError {
  return { code, context };
}

/** Formats a bridge error as `CODE: key=value ...`. */
export function formatBridgeError(e: BridgeError): string {
  return `${e.code}: ${e.context}`;
}

/** Returns true when a value is a bridge error. */
export function isBridgeError(v: unknown): v is BridgeError {
  return typeof v === "object" && v !== null && typeof (v as BridgeError).code === "string" && (v as BridgeError).code.startsWith("SHM_");
}
