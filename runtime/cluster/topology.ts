/**
 * Subjects and streams of a cluster, derived from its prefix: market data per instrument, orders,
 * execution reports and alerts per shard, commands (per shard and `all`), one journal stream per
 * shard (its own stream so the mirror can fence a stale writer by expected sequence), and the KV
 * buckets of leases and global risk. `ensureStreams` creates what is missing with the configured
 * replicas (R3 on a 3-node cluster).
 */
import type { JetStreamManager, StreamConfig } from "@nats-io/jetstream";
import { RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { ClusterConfig } from "./schema.ts";

/** Names of one cluster's subjects, streams and buckets. */
export class Topology {
  constructor(readonly prefix: string) {}
  /** Market-data subject of one instrument. */
  md(symbol: string): string {
    return `${this.prefix}.md.${symbol}`;
  }
  /** Orders of a shard. */
  orders(shard: string): string {
    return `${this.prefix}.orders.${shard}`;
  }
  /** Execution reports of a shard. */
  reports(shard: string): string {
    return `${this.prefix}.reports.${shard}`;
  }
  /** Alerts of a shard. */
  alerts(shard: string): string {
    return `${this.prefix}.alerts.${shard}`;
  }
  /** Commands to a shard, or to every shard with `all`. */
  commands(shard: string): string {
    return `${this.prefix}.cmd.${shard}`;
  }
  /** Mirrored journal batches of a shard. */
  journal(shard: string): string {
    return `${this.prefix}.journal.${shard}`;
  }
  /** Request subject of the global risk service. */
  risk(): string {
    return `${this.prefix}.risk.req`;
  }
  get mdStream(): string {
    return `${this.prefix.toUpperCase()}_MD`;
  }
  get ordersStream(): string {
    return `${this.prefix.toUpperCase()}_ORDERS`;
  }
  get reportsStream(): string {
    return `${this.prefix.toUpperCase()}_REPORTS`;
  }
  get alertsStream(): string {
    return `${this.prefix.toUpperCase()}_ALERTS`;
  }
  get commandsStream(): string {
    return `${this.prefix.toUpperCase()}_CMD`;
  }
  /** Journal stream of one shard. */
  journalStream(shard: string): string {
    return `${this.prefix.toUpperCase()}_JOURNAL_${shard.toUpperCase()}`;
  }
  /** KV bucket of the failover leases. */
  get leaseBucket(): string {
    return `${this.prefix}-leases`;
  }
  /** KV bucket of the global risk service's ledger (restored by a standby that takes over). */
  get riskBucket(): string {
    return `${this.prefix}-risk`;
  }
  /** KV bucket of the shards' states (one key per shard), read by the admin plane. */
  get stateBucket(): string {
    return `${this.prefix}-state`;
  }
}

/** Stream configurations of a cluster (market data, orders, reports, alerts, commands, journals). */
export function streamConfigs(cluster: Pick<ClusterConfig, "prefix" | "replicas" | "shards">): (Partial<StreamConfig> & { name: string })[] {
  const t = new Topology(cluster.prefix);
  const base = { num_replicas: cluster.replicas, storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: 120_000_000_000 };
  const p = cluster.prefix;
  return [
    { ...base, name: t.mdStream, subjects: [`${p}.md.>`] },
    { ...base, name: t.ordersStream, subjects: [`${p}.orders.>`] },
    { ...base, name: t.reportsStream, subjects: [`${p}.reports.>`] },
    { ...base, name: t.alertsStream, subjects: [`${p}.alerts.>`] },
    { ...base, name: t.commandsStream, subjects: [`${p}.cmd.>`] },
    ...cluster.shards.map((s) => ({ ...base, name: t.journalStream(s.name), subjects: [t.journal(s.name)] })),
  ];
}

/** Creates every stream of the cluster that does not exist yet; returns the names created. */
export async function ensureStreams(jsm: JetStreamManager, cluster: Pick<ClusterConfig, "prefix" | "replicas" | "shards">): Promise<string[]> {
  const created: string[] = [];
  for (const cfg of streamConfigs(cluster)) {
    try {
      await jsm.streams.info(cfg.name);
    } catch {
      await jsm.streams.add(cfg);
      created.push(cfg.name);
    }
  }
  return created;
}
