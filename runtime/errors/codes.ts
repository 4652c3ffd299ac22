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
  | "PLUGIN_OVERRUN"
  | "PLUGIN_MEMORY"
  | "KERNEL"
  // Execution algorithms, parents and routing (issue 16).
  | "ALGO_NOT_CONFIGURED"
  | "ALGO_UNKNOWN"
  | "ALGO_PARAMS_INVALID"
  | "ALGO_THREW"
  | "PARENT_ILLEGAL_TRANSITION"
  | "PARENT_UNKNOWN"
  | "ROUTE_NO_VENUE";

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

// ---------------------------------------------------------------------------------------------
// Operational errors reported by the command line (one line, code first; issue 10).

/** Codes of expected operational errors: the CLI prints them as one line and exits non-zero. */
export type OperationalCode =
  | "STORE_LOCKED"
  | "CONFIG_UNKNOWN_INSTRUMENT"
  | "MARKET_FILE_NOT_FOUND"
  | "ADMIN_LISTEN_FAILED"
  | "SHUTDOWN_TIMEOUT"
  | "JOURNAL_NOT_FOUND"
  | "JOURNAL_DUPLICATE_ORDER_ID"
  | "JOURNAL_DUPLICATE_FILL_ID";

/** An expected operational error: a code and `key=value` context, never a stack trace for the user. */
export class OperationalError extends Error {
  constructor(
    readonly code: OperationalCode | ErrorCode,
    readonly context: Readonly<Record<string, string | number | boolean>>,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${formatContext(context)}`, options);
    this.name = "OperationalError";
  }
}

/** Formats context as `key=value` pairs on one line (values with spaces are JSON-quoted). */
export function formatContext(context: Readonly<Record<string, unknown>>): string {
  return Object.entries(context)
    .map(([k, v]) => {
      const text = oneLine(String(v));
      return `${k}=${/[\s"]/.test(text) || text === "" ? JSON.stringify(text) : text}`;
    })
    .join(" ");
}

/** Collapses a (possibly multi-line) text into one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
