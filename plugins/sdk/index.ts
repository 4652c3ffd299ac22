/**
 * The Kestrel plugin SDK: everything a strategy, risk or venue plugin author imports. Nothing here
 * imports runtime internals; the runtime implements these interfaces.
 */
export * from "./instrument.ts";
export * from "./decimal.ts";
export * from "./market.ts";
export * from "./orders.ts";
export * from "./manifest.ts";
export * from "./strategy.ts";
export * from "./risk.ts";
export * from "./venue.ts";
export * from "./trading-state.ts";
export * from "./algo.ts";
export { satisfies, parseVersion } from "./semver.ts";
export { Type, type Static, type TSchema } from "@sinclair/typebox";
export * from "./execution-spaces.ts";
export * from "./execution-episode.ts";
export * from "./execution-reward.ts";
export * from "./mlp-policy.ts";
