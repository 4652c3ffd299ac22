/** Replay of recorded quotes (Dukascopy CSV, Lean day files, mapped CSV, TrueFX) merged in event time. */
export { openReplaySource, ReplaySource, type ReplayFormat, type ReplaySpec } from "./replay-source.ts";
export { ChainedQuoteReader } from "./chained-reader.ts";
export { resolveDayFiles } from "./day-files.ts";
