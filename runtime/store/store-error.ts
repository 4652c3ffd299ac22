/**
 * The store's error type: a stable code and `key=value` context. Codes: STORE_OPEN_FAILED, STORE_LOCKED,
 * STORE_QUERY_FAILED, STORE_WRITER_FAILED, STORE_CLOSED, STORE_CONFIG_INVALID, STORE_IMPORT_FAILED.
 */

/** An error from the store with a code and the context that explains it. */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    readonly context: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(context).map(([k, v]) => `${k}=${v}`).join(", ")}`);
    this.name = "StoreError";
  }
}

/** The error for a store that could not be opened: STORE_LOCKED when another process holds it, else STORE_OPEN_FAILED. */
export function storeOpenError(db: string, cause: string): StoreError {
  // DuckDB's own message, or the writer thread's STORE_LOCKED passed on as text.
  if (/Could not set lock|^STORE_LOCKED: /.test(cause)) {
    const m = /PID (\d+)|holderPid=(\d+)/.exec(cause);
    const pid = m?.[1] ?? m?.[2];
    return new StoreError("STORE_LOCKED", pid === undefined ? { db, reason: "another process has the store open" } : { db, holderPid: Number(pid), reason: "another process has the store open" });
  }
  return new StoreError("STORE_OPEN_FAILED", { db, cause: cause.replace(/\s*\n\s*/g, " ") });
}
