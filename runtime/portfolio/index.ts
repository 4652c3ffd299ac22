/**
 * Portfolio accounting and the performance report: exact FIFO positions and P&L per strategy and
 * instrument, per-currency totals, conversion to an account currency, snapshots, the reference
 * recomputation the property tests check against, and the performance tracker.
 */
export { Portfolio, type Lot } from "./portfolio.ts";
export { PortfolioError, type PortfolioErrorCode } from "./errors.ts";
export { type CurrencyExposure, type CurrencyPnl } from "./currency-totals.ts";
export { conversionRate, midPrice } from "./conversion.ts";
export { type BookSnapshot, type PortfolioSnapshot } from "./snapshot.ts";
export { restorePortfolio } from "./restore.ts";
export { bookKey, recomputeFifo, referencePosition, referenceUnrealised, type ReferenceBook, type ReferenceLot } from "./recompute.ts";
export { PerformanceTracker, type PerformanceOptions, type PerformanceReport } from "./performance.ts";
export { recordFill, sampleEquity } from "./performance-feed.ts";
