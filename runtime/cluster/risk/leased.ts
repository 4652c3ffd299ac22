/**
 * A risk service that can fail over: an instance takes the `risk-service` lease (the shards'
 * lease bucket), restores the ledger from the risk KV bucket, and answers requests, persisting the
 * ledger by compare-and-set on its revision before each answer. A standby waits for the lease;
 * when the active instance dies its lease expires, the standby restores every grant the dead one
 * answered and carries on, so firm-wide limits keep holding across the takeover. An instance that
 * loses its lease or finds the ledger written by someone else (its revision moved) stops answering.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { ClusterError } from "../errors.ts";
import { Lease, openLeaseBucket } from "../lease.ts";
import { retrying } from "../retry.ts";
import type { GlobalRiskConfig } from "../schema.ts";
import type { Topology } from "../topology.ts";
import { RiskLedger, type LedgerState } from "./ledger.ts";
import { startRiskService, type RiskService } from "./service.ts";

/** The lease key of the risk service. */
export const RISK_LEASE_KEY = "risk-service";
const LEDGER_KEY = "ledger";

/** Options of a leased risk service. */
export interface LeasedRiskOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly limits: GlobalRiskConfig;
  /** This instance's name. */
  readonly holder: string;
  /** How long to wait for the lease (a standby waits long), ms. */
  readonly waitMs: number;
  readonly ttlMs: number;
  readonly replicas: number;
  /** Polled while waiting: true gives up. */
  readonly stopped?: () => boolean;
}

/** A running leased risk service. */
export interface LeasedRiskService {
  readonly service: RiskService;
  readonly lease: Lease;
  /** Shards with grants in the restored ledger (empty for a first start). */
  readonly restoredShards: string[];
  /** Set when the instance stopped answering: lease lost or ledger written by another holder. */
  fenced: string | null;
  /** Stops answering and releases the lease. */
  stop(): Promise<void>;
}

/** Opens (creating if needed) the risk ledger bucket. */
export async function openRiskBucket(nc: NatsConnection, bucket: string, replicas: number): Promise<KV> {
  return await new Kvm(nc).create(bucket, { replicas, history: 1 });
}

/** Waits for the risk lease, restores the ledger and starts answering; null when the lease did not come in time. */
export async function startLeasedRiskService(opts: LeasedRiskOptions): Promise<LeasedRiskService | null> {
  const leases = await retrying("open lease bucket", () => openLeaseBucket(opts.nc, opts.topology.leaseBucket, opts.ttlMs, opts.replicas));
  const lease = await Lease.acquire(leases, RISK_LEASE_KEY, opts.holder, opts.ttlMs, opts.waitMs, opts.stopped);
  if (lease === null) return null;
  const kv = await retrying("open risk bucket", () => openRiskBucket(opts.nc, opts.topology.riskBucket, opts.replicas));
  const entry = await retrying("read risk ledger", () => kv.get(LEDGER_KEY));
  let revision = entry !== null && entry.operation === "PUT" ? entry.revision : 0;
  const saved = revision > 0 ? (entry!.json() as { holder: string; state: LedgerState }) : null;
  const ledger = saved === null ? new RiskLedger(opts.limits) : RiskLedger.restore(opts.limits, saved.state);
  let out: LeasedRiskService;
  const fence = (why: string) => {
    if (out.fenced !== null) return;
    out.fenced = why;
    void out.service.stop();
  };
  const service = await startRiskService(opts.nc, opts.topology, opts.limits, {
    ledger,
    holder: opts.holder,
    persist: async (l) => {
      if (out.fenced !== null) throw new ClusterError("CLUSTER_LEASE_LOST", `holder=${opts.holder} reason=${out.fenced}`);
      const data = JSON.stringify({ holder: opts.holder, state: l.snapshot() });
      try {
        revision = revision === 0 ? await kv.create(LEDGER_KEY, data) : await kv.update(LEDGER_KEY, data, revision);
      } catch (err) {
        // Written by another holder since our last write: we are no longer the risk service.
        const now = await kv.get(LEDGER_KEY).catch(() => null);
        if (now !== null && now.revision !== revision) fence(`ledger written by ${(now.json() as { holder?: string }).holder ?? "another holder"} at revision ${now.revision}`);
        throw err;
      }
    },
  });
  lease.onLost = (why) => fence(why);
  out = {
    service,
    lease,
    restoredShards: saved === null ? [] : saved.state.grants.map(([k]) => k),
    fenced: null,
    async stop() {
      await service.stop();
      await lease.release();
    },
  };
  return out;
}
