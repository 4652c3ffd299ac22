/**
 * Errors the portfolio reports. Each carries a stable code with the PORTFOLIO_ prefix and a message
 * with `key=value` context, in the shape of the runtime's KestrelError (runtime/errors/codes.ts), so
 * the catalogue can absorb these codes unchanged.
 */

/** Every error code the portfolio reports. */
export type PortfolioErrorCode =
  | "PORTFOLIO_OVERFLOW"
  | "PORTFOLIO_INVALID_FILL"
  | "PORTFOLIO_INVALID_FUNDING"
  | "PORTFOLIO_INVALID_MARK"
  | "PORTFOLIO_INVALID_INSTRUMENT"
  | "PORTFOLIO_NO_RATE"
  | "PORTFOLIO_SNAPSHOT_INVALID";

/** A typed portfolio error: a code and a message with key=value context. */
export class PortfolioError extends Error {
  constructor(
    readonly code: PortfolioErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "PortfolioError";
  }
}
