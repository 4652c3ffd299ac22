/**
 * The market a cluster's feed instance publishes: the deployment's synthetic market (starting now,
 * every instrument of the deployment, weekends open as in a paper session), or its replay files (a
 * recorded day or week, opened as a session opens them; the feed paces them by their own
 * timestamps at `market.speed`, and each shard stamps what it receives with its arrival time).
 */
import type { DeploymentConfig } from "../config/schema.ts";
import type { MarketSource } from "../data/sources/market-source.ts";
import { createSyntheticMarket } from "../data/sources/synthetic/synthetic-market.ts";
import { wallMicros } from "../kernel/clock.ts";
import { deploymentInstruments, openSources } from "../session/build.ts";
import { ClusterError } from "./errors.ts";

/** Opens the feed's synthetic market, starting at `startTs` (default: now). */
export function openFeedSource(config: DeploymentConfig, startTs = wallMicros(), endTs?: number): MarketSource {
  if (config.market.source !== "synthetic") {
    throw new ClusterError("CLUSTER_CONFIG", `market.source=${config.market.source} reason=openFeedSource opens the synthetic market; use openFeed for replay files`);
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

/** Opens the feed's market: synthetic (from now) or the deployment's replay files (paths relative to `configFile`). */
export async function openFeed(config: DeploymentConfig, configFile: string): Promise<MarketSource> {
  if (config.market.source === "synthetic") return openFeedSource(config);
  if (config.market.source !== "replay") {
    throw new ClusterError("CLUSTER_CONFIG", `market.source=${config.market.source} reason=the cluster feed publishes a synthetic market or replay files`);
  }
  const sources = await openSources(config, configFile, deploymentInstruments(config), "paper");
  if (sources.length !== 1) {
    for (const s of sources) s.close();
    throw new ClusterError("CLUSTER_CONFIG", `market.replay reason=the cluster feed replays one venue's files (got ${sources.length} sources)`);
  }
  return sources[0]!;
}
