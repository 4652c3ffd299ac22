/**
 * From a deployment with a `cluster:` section to what each instance runs: the checks that the
 * shard map is sound (every shard instrument exists, no instrument in two shards, each strategy
 * inside one shard), and each shard's own deployment (its strategies, its journal, no store or
 * admin of its own: the cluster has one admin plane).
 */
import { join } from "node:path";
import type { DeploymentConfig } from "../config/schema.ts";
import { deploymentInstruments } from "../session/build.ts";
import type { ClusterConfig } from "./schema.ts";

/** Problems of a deployment's cluster section, each naming the YAML path; empty when sound. */
export function checkCluster(config: DeploymentConfig): string[] {
  const cluster = config.cluster;
  if (cluster === undefined) return ["cluster: the deployment has no cluster section"];
  const problems: string[] = [];
  const symbols = new Set(deploymentInstruments(config).map((i) => i.symbol));
  const owner = new Map<string, string>();
  const names = new Set<string>([cluster.feed.name]);
  cluster.shards.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`cluster.shards[${i}].name: "${s.name}" is used twice (shards and feed need distinct names)`);
    names.add(s.name);
    s.instruments.forEach((sym, j) => {
      if (!symbols.has(sym)) problems.push(`cluster.shards[${i}].instruments[${j}]: expected an instrument of this deployment, got "${sym}"`);
      const prev = owner.get(sym);
      if (prev !== undefined) problems.push(`cluster.shards[${i}].instruments[${j}]: ${sym} is already owned by shard "${prev}"`);
      else owner.set(sym, s.name);
    });
  });
  if (config.market.source === "venue") {
    if (config.venues !== undefined) problems.push("venues: a cluster fed by a venue takes one venue (venue:), not several");
    const execution = paramsOf(config.venue?.params).execution;
    if (execution !== undefined && execution !== "sim") {
      problems.push(`venue.params.execution: a cluster fed by a venue trades on the sim venue in its shards (paper), so expected "sim", got "${String(execution)}" (live order entry from shards is not built)`);
    }
  }
  config.strategies.forEach((st, i) => {
    const shards = new Set(st.instruments.map((sym) => owner.get(sym) ?? "(none)"));
    if (shards.size !== 1 || shards.has("(none)")) {
      problems.push(`strategies[${i}].instruments: a strategy must trade instruments of exactly one shard, "${st.name}" spans ${[...shards].join(", ")}`);
    }
  });
  return problems;
}

/** The shard of a cluster section by name (throws nothing: undefined when absent). */
export function findShard(cluster: ClusterConfig, name: string) {
  return cluster.shards.find((s) => s.name === name);
}

/**
 * The deployment one shard runs: its strategies only, its own journal, no store and no admin. In a
 * cluster fed by a venue (`market.source: venue`) the feed instance alone connects to the venue's
 * market data; a shard matches its orders on the sim venue (the venue's `params.sim`, as the
 * venue's own `execution: sim` paper mode does) against the market the feed publishes, so it
 * opens no second market-data connection. `checkCluster` refuses a venue that would send orders
 * to the exchange (live order entry from shards is not built).
 */
export function shardDeployment(config: DeploymentConfig, shard: string, dir: string): DeploymentConfig {
  const s = config.cluster === undefined ? undefined : findShard(config.cluster, shard);
  const owned = new Set(s?.instruments ?? []);
  const { store: _store, admin: _admin, ...rest } = config;
  const venue = config.market.source === "venue" && config.venue !== undefined ? { venue: { name: config.venue.name, plugin: "sim", params: venueSimParams(config.venue.params) } } : {};
  return {
    ...rest,
    ...venue,
    name: `${config.name}-${shard}`,
    strategies: config.strategies.filter((st) => st.instruments.every((sym) => owned.has(sym))),
    journal: { path: join(dir, `${shard}.journal`), fsync: config.journal?.fsync ?? "batch" },
  };
}

/**
 * Instruments whose market data a shard consumes: the ones it owns, plus those that convert its
 * instruments' quote currencies to the account currency (USDJPY for a shard trading CHFJPY), read
 * for marks and notional only.
 */
export function intakeSymbols(config: DeploymentConfig, shard: string): string[] {
  const s = config.cluster === undefined ? undefined : findShard(config.cluster, shard);
  if (s === undefined) return [];
  const all = deploymentInstruments(config);
  const account = config.account.currency;
  const bySymbol = new Map(all.map((i) => [i.symbol, i]));
  const out = new Set(s.instruments);
  for (const sym of s.instruments) {
    const inst = bySymbol.get(sym);
    if (inst === undefined) continue;
    for (const ccy of [inst.quote, inst.base]) {
      if (ccy === account) continue;
      const rate = all.find((i) => (i.base === ccy && i.quote === account) || (i.base === account && i.quote === ccy));
      if (rate !== undefined) out.add(rate.symbol);
    }
  }
  return [...out];
}

function paramsOf(params: unknown): Record<string, unknown> {
  return typeof params === "object" && params !== null ? (params as Record<string, unknown>) : {};
}

/** The sim venue's params of a shard in a venue-fed cluster: the venue's `params.sim` (empty: the sim venue's defaults). */
export function venueSimParams(params: unknown): Record<string, unknown> {
  return { ...paramsOf(paramsOf(params).sim) };
}
