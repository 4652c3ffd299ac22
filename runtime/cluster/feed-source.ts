/**
 * The market a cluster's feed instance publishes: the deployment's synthetic market (starting now,
 * every instrument of the deployment, weekends open as in a paper session). Replay feeds are the
 * same deployment field read by the same sources; only synthetic is wired here so far.
 */
import type { DeploymentConfig } from "../config/schema.ts";
import type { MarketSource } from "../data/sources/market-source.ts";
import { createSyntheticMarket } from "../data/sources/synthetic/synthetic-market.ts";
import { wallMicros } from "../kernel/clock.ts";
import { deploymentInstruments } from "../session/build.ts";
import { ClusterError } from "./errors.ts";

/** Opens the feed's market source, starting at `startTs` (default: now). */
export function openFeedSource(config: DeploymentConfig, startTs = wallMicros(), endTs?: number): MarketSource {
  if (config.market.source !== "synthetic") {
    throw new ClusterError("CLUSTER_CONFIG", `market.source=${config.market.source} reason=the cluster feed publishes the synthetic market only so far`);
  }
  const syn = config.market.synthetic ?? {};
  return createSyntheticMarket({
    ...(syn.params ?? {}),
    seed: config.seed,
    instruments: deploymentInstruments(config),
    startTs,
    ...(endTs !== undefined ? { endTs } : {}),
    weekendsClosed: false,
  });
}
