/**
 * One shard instance: an ordinary Kestrel session over the shard's instruments, fed by JetStream
 * instead of its own market source. At start it restores from the shard's mirrored journal (the
 * truth, whichever machine wrote it), rewrites its local journal from it, builds the session with
 * the cluster's pre-trade rules, mirrors every journal flush back to JetStream, holds venue
 * requests until their batch is acknowledged (write-ahead), takes commands (the firm-wide kill
 * switch) from the commands subjects, then consumes its instruments' market data exactly once.
 */
import { rmSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { decode, encode } from "@msgpack/msgpack";
import { wallMicros } from "../kernel/clock.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import { buildSession, type Session } from "../session/build.ts";
import { startRealtime } from "../session/realtime.ts";
import type { SessionSummary } from "../session/summary.ts";
import { JournalWriter } from "../journal/journal-file.ts";
import type { RiskRule } from "../risk/engine.ts";
import { ClusterError } from "./errors.ts";
import { SequenceGate } from "./exactly-once.ts";
import { JournalMirror, mirrorJournal, readMirror } from "./journal-mirror.ts";
import { startMdIntake } from "./md-consumer.ts";
import { findShard, intakeSymbols, shardDeployment } from "./shard-config.ts";
import { Topology } from "./topology.ts";
import { gateVenue } from "./venue-gate.ts";
import { retrying } from "./retry.ts";
import { Lease, openLeaseBucket } from "./lease.ts";
import type { VenueOrder } from "../../plugins/sdk/venue.ts";
import { GlobalRiskClient } from "./risk/client.ts";
import { globalRiskRule, shardExposure, shardLoss } from "./risk/shard-rule.ts";
import { startAdmin } from "../admin/index.ts";
import { openStateBucket, publishShardState, shardState, type StatePublisher } from "./admin/shard-state.ts";

/** A command on the commands subjects. */
export interface ClusterCommand {
  readonly kind: "kill" | "release";
  readonly reason: string;
  /** Wall µs when the command was published (propagation is measured from it). */
  readonly sentUs: number;
}

/** Options of a shard run. */
export interface ShardRunOptions {
  readonly config: DeploymentConfig;
  readonly configFile: string;
  readonly shard: string;
  readonly servers: string[];
  /** Folder of the local journal. */
  readonly dir: string;
  readonly forUs?: number;
  readonly stopSignal?: Promise<unknown>;
  readonly log?: (line: string) => void;
  /** Extra pre-trade rules (the global risk client's). */
  readonly riskRules?: readonly RiskRule[];
  /** Called once the session is consuming market data. */
  readonly onStarted?: (session: Session) => void;
  /** Called when a command arrives (after it is applied), with wall µs of arrival. */
  readonly onCommand?: (cmd: ClusterCommand, arrivedUs: number) => void;
  /** Hold the shard's failover lease while running: wait up to waitMs for it (a standby waits long). */
  readonly lease?: { readonly holder: string; readonly waitMs: number };
  /** Called with every order as it is released to the venue (audits: nothing reaches it unjournaled). */
  readonly onVenueOrder?: (order: VenueOrder) => void;
  /** Trade under the global risk service's reservations (default true). */
  readonly globalRisk?: boolean;
  /** An open connection to reuse (tests); otherwise one is opened and closed. */
  readonly connection?: NatsConnection;
  /** How often the shard puts its state for the admin plane, ms (default 500; 0: never). */
  readonly stateEveryMs?: number;
  /** Serve the shard's own admin API on loopback at this port (0: any free one), its URL in the shard's state, so the admin plane can forward per-shard controls to it. */
  readonly adminPort?: number;
  /** The admin plane's HS256 key, accepted by the shard's admin API (default: from the environment). */
  readonly adminKeys?: readonly string[];
}

/** What a shard run reports. */
export interface ShardResult {
  readonly name: string;
  readonly instruments: string[];
  /** Market events this instance processed. */
  readonly events: number;
  /** Wall µs of the first and last market event this instance processed (0 when none). */
  readonly firstEventUs: number;
  readonly lastEventUs: number;
  /** Redeliveries recognised and skipped. */
  readonly duplicatesSkipped: number;
  readonly orders: number;
  readonly fills: number;
  readonly restoredRecords: number;
  readonly mirror: { batches: number; records: number; failures: number; fenced: string | null };
  /** Alerts that could not be put on the alerts stream. */
  readonly alertsLost: number;
  /** Feed publication → venue release, microseconds. */
  readonly tickToVenueUs: { count: number; p50: number; p99: number };
  /** Refusals by the global risk rule, by code. */
  readonly globalRefusals: Record<string, number>;
  readonly summary: SessionSummary;
}

/** Runs one shard until the time is up or stop is asked. */
export async function runShard(opts: ShardRunOptions): Promise<ShardResult> {
  const cluster = opts.config.cluster;
  if (cluster === undefined) throw new ClusterError("CLUSTER_CONFIG", `shard=${opts.shard} reason=deployment has no cluster section`);
  const shardCfg = findShard(cluster, opts.shard);
  if (shardCfg === undefined) throw new ClusterError("CLUSTER_CONFIG", `shard=${opts.shard} reason=not in cluster.shards (${cluster.shards.map((s) => s.name).join(", ")})`);
  const topology = new Topology(cluster.prefix);
  const nc = opts.connection ?? (await connect({ servers: opts.servers, name: `kestrel-${opts.shard}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 }));
  const js = jetstream(nc, { timeout: 10_000 });
  const jsm = await retrying("JetStream manager", () => jetstreamManager(nc, { timeout: 10_000 }));
  let lease: Lease | null = null;
  try {
    if (opts.lease !== undefined) {
      const ttlMs = cluster.lease?.ttlMs ?? 3000;
      const kv = await retrying("open lease bucket", () => openLeaseBucket(nc, topology.leaseBucket, ttlMs, cluster.replicas));
      let stopAsked = false;
      void opts.stopSignal?.then(() => (stopAsked = true));
      lease = await Lease.acquire(kv, opts.shard, opts.lease.holder, ttlMs, opts.lease.waitMs, () => stopAsked);
      if (lease === null) throw new ClusterError("CLUSTER_LEASE_LOST", `shard=${opts.shard} holder=${opts.lease.holder} reason=lease not acquired within ${opts.lease.waitMs} ms`);
    }
    // Restore: the mirrored journal is the truth; the local file is rewritten from it.
    const mirrored = await retrying("read mirrored journal", () => readMirror(js, jsm, topology, opts.shard));
    const derived = shardDeployment(opts.config, opts.shard, opts.dir);
    const journalPath = derived.journal!.path;
    rmSync(journalPath, { force: true });
    const local = new JournalWriter(journalPath, "never", 0);
    for (const r of mirrored.records) local.append(r);
    local.close();

    // The global risk client reads the session once it exists; its rule runs last in the chain.
    let built: Session | null = null;
    const client =
      opts.globalRisk === false
        ? null
        : new GlobalRiskClient(nc, topology, opts.shard, cluster.risk, {
            exposure: () => (built === null ? 0 : shardExposure(built, shardCfg.instruments)),
            loss: () => (built === null ? 0 : shardLoss(built)),
          });
    const rules: RiskRule[] = [...(opts.riskRules ?? [])];
    if (client !== null) rules.push(globalRiskRule(client, () => built));
    const session = await buildSession(derived, opts.configFile, { sources: [], store: false, journalPath, log: opts.log, riskRules: rules });
    built = session;
    await client?.start();
    const bySymbol = new Map(session.instruments.map((i) => [i.symbol, i]));
    const intake = intakeSymbols(opts.config, opts.shard).map((s) => bySymbol.get(s)!);
    const gate = new SequenceGate(session.instruments.length);
    gate.restore(mirrored.md);
    const mirror = new JournalMirror(js, topology, opts.shard, mirrored.lastSeq, gate);
    mirrorJournal(session.journal!, mirror);
    await retrying("finish the predecessor's projection", () => mirror.catchUp(jsm, mirrored.list));
    let causeSentUs = 0;
    let firstEventUs = 0;
    let lastEventUs = 0;
    const gated = gateVenue(session.core.venue, mirror, () => causeSentUs, opts.onVenueOrder);
    session.core.venue = gated.adapter;

    let stopRun: () => void = () => {};
    const stopped = new Promise<void>((r) => (stopRun = r));
    mirror.onFenced = (why) => {
      session.core.alerts.raise(session.core.now(), "CLUSTER_JOURNAL_FENCED", "critical", opts.shard, why);
      stopRun();
    };
    if (lease !== null) {
      lease.onLost = (why) => {
        session.core.alerts.raise(session.core.now(), "CLUSTER_LEASE_LOST", "critical", opts.shard, why);
        stopRun();
      };
    }
    const run = startRealtime(session, {
      forUs: opts.forUs,
      speed: 1,
      stopSignal: Promise.race([stopped, ...(opts.stopSignal ? [opts.stopSignal] : [])]),
    });

    // Commands: the firm-wide kill switch and its release, for every shard or this one.
    const onCommand = (data: Uint8Array) => {
      const arrived = wallMicros();
      let cmd: ClusterCommand;
      try {
        cmd = decode(data) as ClusterCommand;
      } catch (err) {
        session.core.alerts.raise(session.core.now(), "CLUSTER_MESSAGE", "warning", opts.shard, `subject=commands reason=${(err as Error).message}`);
        return;
      }
      if (cmd.kind === "kill" && !session.core.risk.killSwitch) session.core.engageKill(cmd.reason, "global-risk");
      else if (cmd.kind === "release" && session.core.risk.killSwitch) session.core.releaseKill("global-risk");
      session.journal?.flush();
      opts.onCommand?.(cmd, arrived);
    };
    // Alerts go to the alerts stream (fire and forget: an alert lost with a dying broker is counted).
    let alertsLost = 0;
    const unsubscribeAlerts = session.core.alerts.subscribe((a) => {
      void js.publish(topology.alerts(opts.shard), encode({ ...a, shard: opts.shard })).catch(() => alertsLost++);
    });
    const subs = [nc.subscribe(topology.commands("all"), { callback: (_e, m) => onCommand(m.data) }), nc.subscribe(topology.commands(opts.shard), { callback: (_e, m) => onCommand(m.data) })];
    await nc.flush();

    const md = await retrying("start market-data intake", () => startMdIntake({
      js,
      jsm,
      topology,
      shard: opts.shard,
      instruments: intake,
      gate,
      onEvent: (ev, _seq, sentUs) => {
        causeSentUs = sentUs;
        lastEventUs = wallMicros();
        if (firstEventUs === 0) firstEventUs = lastEventUs;
        const at = session.arrival.now();
        const ok = ev.kind === 1 ? session.feed.pushQuote(at, ev.instrument, ev.bid, ev.ask, ev.bidSize, ev.askSize) : session.feed.pushPrint(at, ev.instrument, ev.price, ev.size, ev.side, ev.kind);
        if (ok) session.arrival.kick();
      },
      onBadMessage: (line) => session.core.alerts.raise(session.core.now(), "CLUSTER_MESSAGE", "warning", opts.shard, line),
    }));
    const startedUs = wallMicros();
    const stateEveryMs = opts.stateEveryMs ?? 500;
    const holder = opts.lease?.holder ?? opts.shard;
    let state: StatePublisher | null = null;
    // The shard's own admin API (orders, strategies, kill switch) for the plane to forward to; loopback only.
    const admin = opts.adminPort === undefined ? null : await startAdmin(session, run, { port: opts.adminPort, host: "127.0.0.1", keys: opts.adminKeys, log: opts.log ?? (() => {}) });
    if (stateEveryMs > 0) {
      const kv = await retrying("open state bucket", () => openStateBucket(nc, topology.stateBucket, cluster.replicas));
      state = publishShardState(kv, opts.shard, (status) => shardState(session, opts.shard, holder, shardCfg.instruments, gate.accepted, startedUs, status, admin?.url ?? null), stateEveryMs);
    }
    opts.onStarted?.(session);
    const summary = await run.done;
    await admin?.stop();
    await md.stop();
    await state?.stop();
    for (const s of subs) s.unsubscribe();
    unsubscribeAlerts();
    await mirror.drain();
    await client?.stop();
    await session.close();
    const lat = [...gated.stats.tickToVenueUs].sort((a, b) => a - b);
    const q = (p: number) => (lat.length === 0 ? 0 : lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!);
    return {
      name: opts.shard,
      instruments: shardCfg.instruments,
      events: gate.accepted,
      firstEventUs,
      lastEventUs,
      duplicatesSkipped: gate.duplicates,
      orders: summary.orders,
      fills: summary.fills,
      restoredRecords: session.restored,
      mirror: { batches: mirror.batches, records: mirror.records, failures: mirror.failures, fenced: mirror.fenced },
      alertsLost,
      tickToVenueUs: { count: lat.length, p50: q(0.5), p99: q(0.99) },
      globalRefusals: Object.fromEntries(Object.entries(summary.riskRejections).filter(([k]) => k.startsWith("GLOBAL_"))),
      summary,
    };
  } finally {
    await lease?.release();
    if (opts.connection === undefined) await nc.close().catch(() => {});
  }
}
