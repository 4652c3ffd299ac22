/**
 * The market a cluster's feed instance publishes: the deployment's synthetic market (starting now,
 * every instrument of the deployment, weekends open as in a paper session), its replay files (a
 * recorded day or week, opened as a session opens them; the feed paces them by their own
 * timestamps at `market.speed`), or its venue's own feed (`market.source: venue`: the venue
 * plugin is loaded and created as a session does, and what it hands in through its context's
 * quote()/trade() goes into a push source stamped with wall time, published as it arrives). Each
 * shard stamps what it receives with its arrival time.
 */
import type { DeploymentConfig } from "../config/schema.ts";
import type { MarketSource } from "../data/sources/market-source.ts";
import { createSyntheticMarket } from "../data/sources/synthetic/synthetic-market.ts";
import { wallMicros } from "../kernel/clock.ts";
import { deploymentInstruments, openSources } from "../session/build.ts";
import { PushSource } from "../data/sources/push-source.ts";
import { loadPlugins } from "../plugins/loader.ts";
import { deploymentVenues, isMultiVenue } from "../session/venues/deployment-venues.ts";
import type { VenueAdapter, VenueContext, VenuePlugin } from "../../plugins/sdk/venue.ts";
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

/** Opens the feed's market: synthetic (from now), the deployment's replay files (paths relative to `configFile`) or its venue's live feed. */
export async function openFeed(config: DeploymentConfig, configFile: string): Promise<MarketSource> {
  if (config.market.source === "synthetic") return openFeedSource(config);
  if (config.market.source === "venue") return openVenueFeed(config, configFile);
  if (config.market.source !== "replay") {
    throw new ClusterError("CLUSTER_CONFIG", `market.source=${config.market.source} reason=the cluster feed publishes a synthetic market, replay files or a venue's feed`);
  }
  const sources = await openSources(config, configFile, deploymentInstruments(config), "paper");
  if (sources.length !== 1) {
    for (const s of sources) s.close();
    throw new ClusterError("CLUSTER_CONFIG", `market.replay reason=the cluster feed replays one venue's files (got ${sources.length} sources)`);
  }
  return sources[0]!;
}

/** True for a source that a live venue pushes into: it is never finished, only empty for now (runFeed waits on it). */
export function isLiveFeed(source: MarketSource): boolean {
  return source instanceof VenueFeed;
}

/** A venue's live market data as the feed's source: what the venue plugin hands in, stamped with wall time; close() stops the venue. */
export class VenueFeed extends PushSource {
  /** Alerts the venue raised (code and message), newest last, at most 100 kept. */
  readonly alerts: { code: string; message: string }[] = [];
  /** Quotes and trades the venue handed in (refused ones, with the ring full, included: see `dropped`). */
  received = 0;
  private adapter: VenueAdapter | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  /** Creates the venue adapter with a context that pushes its market data here. */
  attach(plugin: VenuePlugin, name: string, params: unknown, config: DeploymentConfig, onAlert: (code: string, message: string) => void): void {
    const ctx: VenueContext = {
      name,
      params: params as never,
      instruments: deploymentInstruments(config),
      seed: config.seed,
      now: () => wallMicros(),
      schedule: (ts, fn) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          fn();
        }, Math.max(0, (ts - wallMicros()) / 1000));
        this.timers.add(t);
      },
      // The feed places no orders: a report here is a venue's own mistake, raised as an alert.
      report: (r) => ctx.alert("CLUSTER_FEED_REPORT", `venue=${name} reason=the feed places no orders, got a ${r.kind} report for order ${r.orderId}`),
      quote: (i, bid, ask, bidSize, askSize) => {
        this.received++;
        return this.pushQuote(wallMicros(), i, bid, ask, bidSize, askSize);
      },
      trade: (i, price, size, side) => {
        this.received++;
        return this.pushPrint(wallMicros(), i, price, size, side);
      },
      alert: (code, message) => {
        this.alerts.push({ code, message });
        if (this.alerts.length > 100) this.alerts.shift();
        onAlert(code, message);
      },
    };
    this.adapter = plugin.create(ctx);
  }

  override close(): void {
    super.close();
    this.adapter?.stop?.();
    this.adapter = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/**
 * Opens the deployment's venue feed: loads its venue plugin (validated params, as a session loads
 * it) and creates it with a context whose quote()/trade() push into the returned source. One venue
 * only (`venue:`); the venue's alerts go to `onAlert` (default: standard error, one line each).
 */
export async function openVenueFeed(config: DeploymentConfig, configFile: string, onAlert?: (code: string, message: string) => void): Promise<VenueFeed> {
  if (isMultiVenue(config)) throw new ClusterError("CLUSTER_CONFIG", "venues reason=a venue feed publishes one venue's market data (give venue:, not venues:)");
  const venue = deploymentVenues(config)[0]!;
  const { loaded, problems } = await loadPlugins([{ name: venue.name, plugin: venue.plugin, kind: "venue", params: venue.params, path: venue.path }], configFile, null);
  if (problems.length > 0 || loaded.length !== 1) {
    throw new ClusterError("CLUSTER_CONFIG", `venue=${venue.name} reason=${problems.map((p) => p.message).join("; ") || "plugin not loaded"}`);
  }
  const feed = new VenueFeed(`venue:${venue.name}`);
  feed.attach(loaded[0]!.plugin as unknown as VenuePlugin, venue.name, loaded[0]!.params, config, onAlert ?? ((code, message) => process.stderr.write(`feed venue=${venue.name} ${code}: ${message}\n`)));
  return feed;
}
