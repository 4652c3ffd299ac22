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
