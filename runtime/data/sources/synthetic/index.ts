/**
 * The synthetic FX market: 28 correlated pairs with sessions, volatility regimes, spreads that
 * widen with volatility and occasional jumps, seeded and deterministic.
 */
export { createSyntheticMarket, SyntheticMarket } from "./synthetic-market.ts";
export { syntheticInstruments, fxPairs, CURRENCIES, type Currency, type FxPair } from "./fx-universe.ts";
export { DEFAULT_CORRELATION, DEFAULT_REGIMES, FACTOR_CURRENCIES, type RegimeParams, type SyntheticMarketParams } from "./market-params.ts";
export { Xoshiro128 } from "./prng.ts";
