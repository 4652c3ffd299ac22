/**
 * The `cluster:` section of a deployment: the JetStream servers, the shard map (instruments →
 * runtime instance), the subject prefix of per-instrument market data and the streams for orders,
 * execution reports, alerts, commands and mirrored journals, the global risk limits held by the
 * risk service, and the failover lease. Everything else in the deployment is what each shard runs.
 */
import { Type, type Static } from "@sinclair/typebox";

const Name = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$", description: "shard or instance name" });
const Symbol = Type.String({ pattern: "^[A-Z0-9._-]{2,32}$" });

/** One shard: a runtime instance and the instruments it owns. */
export const ShardConfig = Type.Object(
  {
    name: Name,
    instruments: Type.Array(Symbol, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** Firm-wide limits across every shard, held by the global risk service. */
export const GlobalRiskConfig = Type.Object(
  {
    /** Gross notional (|positions| + working orders), account currency, over all shards. */
    maxGrossNotional: Type.Number({ exclusiveMinimum: 0 }),
    /** Loss (account currency) over all shards at which the firm-wide kill switch engages. */
    maxDailyLoss: Type.Number({ exclusiveMinimum: 0 }),
    /** Orders per second over all shards. */
    maxOrdersPerSecond: Type.Integer({ minimum: 1 }),
    /** Notional a shard asks for at a time (default a tenth of the limit). */
    notionalChunk: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Order tokens a shard asks for at a time (default a tenth of the rate). */
    ordersChunk: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** The cluster section. */
export const ClusterConfig = Type.Object(
  {
    /** JetStream servers (`nats://127.0.0.1:4222`); `kestrel cluster up` starts its own when empty. */
    servers: Type.Optional(Type.Array(Type.String({ pattern: "^nats://" }), { minItems: 1 })),
    /** Replicas of every stream (3 on a 3-node cluster). */
    replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
    /** First token of every subject and stream name (market data: `<prefix>.md.<SYMBOL>`). */
    prefix: Type.String({ pattern: "^[a-z][a-z0-9]{0,15}$", default: "kestrel" }),
    /** The market-data feed instance (publishes the deployment's market to per-instrument subjects). */
    feed: Type.Object({ name: Name }, { additionalProperties: false }),
    shards: Type.Array(ShardConfig, { minItems: 1 }),
    risk: GlobalRiskConfig,
    /** Failover lease in a KV bucket: a shard that misses renewing for this long loses its shard. */
    lease: Type.Optional(Type.Object({ ttlMs: Type.Integer({ minimum: 500, default: 3000 }) }, { additionalProperties: false })),
    /** The instance that serves the one admin plane over all shards. */
    admin: Type.Optional(Type.Object({ instance: Name }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/** A validated cluster section. */
export type ClusterConfig = Static<typeof ClusterConfig>;
/** One shard of the cluster section. */
export type ShardConfig = Static<typeof ShardConfig>;
/** Firm-wide limits of the cluster section. */
export type GlobalRiskConfig = Static<typeof GlobalRiskConfig>;
