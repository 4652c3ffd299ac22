/**
 * Market data sources: the `MarketSource` contract the kernel pulls from, the synthetic FX
 * market, replays of recorded ticks, merging in event time and pacing for paper sessions.
 */
export { copyMarketEvent, MarketEventKind, newMarketEvent, type MarketEvent, type MarketSource } from "./market-source.ts";
export { SourceConfigError } from "./source-error.ts";
export { ArraySource } from "./array-source.ts";
export { mergeSources, MergedSource } from "./merge.ts";
export { createSyntheticMarket, SyntheticMarket, syntheticInstruments, type SyntheticMarketParams } from "./synthetic/index.ts";
export { openReplaySource, ReplaySource, type ReplayFormat, type ReplaySpec } from "./replay/index.ts";
export { createPacedSource, PacedSource, type PaceOptions } from "./pacer/index.ts";
