/**
 * The one error type market sources throw, and only at construction: a bad parameter or an
 * unusable input is reported with a stable code and `key=value` context. Problems met while
 * streaming (bad rows, out-of-order timestamps) are never thrown; they are counted.
 */

/** Error thrown when a source cannot be built from its parameters. */
export class SourceConfigError extends Error {
  constructor(
    /** Stable code, e.g. `SOURCE_PARAM_INVALID`. */
    readonly code: string,
    /** `key=value` context naming the parameter and what was expected. */
    readonly context: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(context).map(([k, v]) => `${k}=${v}`).join(", ")}`);
    this.name = "SourceConfigError";
  }
}
