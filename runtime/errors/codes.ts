/**
 * Kestrel's error catalogue: stable codes with a subsystem prefix. Messages carry `key=value`
 * context. The docs page is docs/errors.md.
 */

/** Every error code the runtime reports. */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_NOT_FOUND"
  | "PLUGIN_NOT_FOUND"
  | "PLUGIN_MANIFEST_INVALID"
  | "PLUGIN_PARAMS_INVALID"
  | "PLUGIN_SDK_MISMATCH"
  | "PLUGIN_THREW"
  | "PLUGIN_CAPABILITY"
  | "OMS_ILLEGAL_TRANSITION"
  | "OMS_UNKNOWN_ORDER"
  | "OMS_OVERFILL"
  | "JOURNAL_CORRUPT"
  | "JOURNAL_IO"
  | "DATA_SOURCE"
  // Market data inputs (replay and import), docs/errors.md "Market data inputs".
  | "SOURCE_NO_EVENTS"
  // Isolated plugins, docs/errors.md "Isolated plugins".
  | "PLUGIN_WATCHDOG"
  | "PLUGIN_ISOLATE_DEAD"
  | "PLUGIN_ISOLATE_PROTOCOL"
  | "PLUGIN_LOAD_FAILED"
  | "KERNEL";

/** A typed runtime error: a code, a message with key=value context, and an optional cause. */
export class KestrelError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = "KestrelError";
  }
}
