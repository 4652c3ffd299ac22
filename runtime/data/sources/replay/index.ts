/** Replay of recorded quotes (Dukascopy CSV and bi5, Lean day files, mapped CSV, TrueFX) merged in event time. */
export { openReplaySource, ReplaySource, type ReplayFormat, type ReplaySpec } from "./replay-source.ts";
export { ChainedQuoteReader } from "./chained-reader.ts";
export { resolveBi5Days, resolveDayFiles } from "./day-files.ts";
