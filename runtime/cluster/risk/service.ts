/**
 * The global risk service: one instance answers the cluster's reservation requests against the
 * ledger, one at a time (a NATS subscription callback runs to completion before the next), so
 * grants are decided in a total order. When the kill switch engages (firm-wide loss, operator) it
 * publishes a kill command on `cmd.all` through JetStream (stored in the commands stream, and
 * delivered at once to every shard's subscription). A malformed request gets an error reply and a
 * count, never a crash.
 */
import { decode, encode } from "@msgpack/msgpack";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { wallMicros } from "../../kernel/clock.ts";
import type { GlobalRiskConfig } from "../schema.ts";
import type { ClusterCommand } from "../shard.ts";
import type { Topology } from "../topology.ts";
import { RiskLedger } from "./ledger.ts";
import type { RiskReply, RiskRequest, RiskStats } from "./protocol.ts";

/** What an operator (the admin plane) needs of the global risk service, in this process or over NATS. */
export interface RiskControl {
  /** The kill switch, who answers and the service's counters. */
  status(): Promise<RiskStatus>;
  /** Engages the kill switch and announces it; resolves when JetStream stored the command. */
  kill(reason: string): Promise<void>;
  /** Releases the kill switch and announces it. */
  releaseKill(): Promise<void>;
}

/** The risk service's state as the admin plane shows it. */
export interface RiskStatus {
  readonly killed: boolean;
  readonly killReason: string;
  readonly holder: string;
  readonly stats: RiskStats;
}

/** A running risk service. */
export interface RiskService extends RiskControl {
  readonly ledger: RiskLedger;
  /** Requests answered, and malformed ones. */
  readonly stats: RiskStats;
  stop(): Promise<void>;
}

/** Options of a risk service. */
export interface RiskServiceOptions {
  /** The ledger to continue (a standby's, restored from the persisted state); default a fresh one. */
  ledger?: RiskLedger;
  /**
   * Persists the ledger after each change, before the answer goes out (write-ahead: a standby that
   * restores it knows every grant a shard may spend). Requests are then answered one after another
   * as their persists complete; a failed persist leaves the request unanswered (the shard asks again).
   */
  persist?: (ledger: RiskLedger) => Promise<void>;
  /** This instance's name in status answers (default "local"). */
  holder?: string;
}

/** Starts answering reservation requests on the cluster's risk subject. */
export async function startRiskService(nc: NatsConnection, topology: Topology, limits: GlobalRiskConfig, opts: RiskServiceOptions = {}): Promise<RiskService> {
  const ledger = opts.ledger ?? new RiskLedger(limits);
  const persist = opts.persist;
  let chain: Promise<void> = Promise.resolve();
  const js = jetstream(nc);
  const stats: RiskStats = { requests: 0, bad: 0, kills: 0, persistFailures: 0 };
  const holder = opts.holder ?? "local";
  const announce = async (kind: ClusterCommand["kind"], reason: string) => {
    const cmd: ClusterCommand = { kind, reason, sentUs: wallMicros() };
    await js.publish(topology.commands("all"), encode(cmd));
  };
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.catch(() => {}).finally(() => pending.delete(p));
  };
  const answer = (req: RiskRequest): RiskReply => {
    const now = wallMicros();
    switch (req.op) {
      case "reserve": {
        const g = ledger.reserve(req.shard, req.kind, req.amount, now);
        return { ok: true, ...g };
      }
      case "release": {
        const total = ledger.release(req.shard, req.kind, req.amount);
        return { ok: true, granted: 0, total, windowEndUs: 0, killed: ledger.killed };
      }
      case "report": {
        if (ledger.reportLoss(req.shard, req.loss)) {
          stats.kills++;
          track(announce("kill", ledger.killReason));
        }
        return { ok: true, granted: 0, total: 0, windowEndUs: 0, killed: ledger.killed };
      }
      case "kill":
        if (!ledger.killed) {
          ledger.kill(req.reason);
          stats.kills++;
          track(announce("kill", req.reason));
        }
        return { ok: true, granted: 0, total: 0, windowEndUs: 0, killed: true };
      case "release-kill":
        if (ledger.killed) {
          ledger.releaseKill();
          track(announce("release", "operator"));
        }
        return { ok: true, granted: 0, total: 0, windowEndUs: 0, killed: false };
      case "status":
        return { ok: true, granted: 0, total: 0, windowEndUs: 0, killed: ledger.killed, killReason: ledger.killReason, holder, stats: { ...stats } };
      default:
        throw new Error(`op=${String((req as { op: unknown }).op)}`);
    }
  };
  const sub: Subscription = nc.subscribe(topology.risk(), {
    callback: (_err, m) => {
      stats.requests++;
      let reply: RiskReply;
      try {
        const req = decode(m.data) as RiskRequest;
        if (req === null || typeof req !== "object" || typeof (req as { op?: unknown }).op !== "string") throw new Error("not a request object");
        if (req.op === "reserve" && !["notional", "orders", "loss"].includes(req.kind)) throw new Error(`kind=${String(req.kind)}`);
        reply = answer(req);
      } catch (err) {
        stats.bad++;
        reply = { ok: false, granted: 0, total: 0, windowEndUs: 0, killed: ledger.killed, error: `CLUSTER_MESSAGE: subject=${m.subject} reason=${(err as Error).message}` };
      }
      // A status answer changes nothing: it needs no persist.
      if (persist === undefined || reply.ok === false || reply.holder !== undefined) {
        if (m.reply) m.respond(encode(reply));
        return;
      }
      const answerNow = reply;
      chain = chain.then(async () => {
        try {
          await persist(ledger);
        } catch {
          stats.persistFailures++;
          return;
        }
        if (m.reply) m.respond(encode(answerNow));
      });
    },
  });
  await nc.flush();
  /** Persists the ledger after the requests before it (throws when that persist failed). */
  const persisted = async () => {
    if (persist === undefined) return;
    const p = chain.then(() => persist(ledger));
    chain = p.catch(() => {
      stats.persistFailures++;
    });
    await p;
  };
  return {
    ledger,
    stats,
    async status() {
      return { killed: ledger.killed, killReason: ledger.killReason, holder, stats: { ...stats } };
    },
    async kill(reason) {
      if (ledger.killed) return;
      ledger.kill(reason);
      stats.kills++;
      await persisted();
      await announce("kill", reason);
    },
    async releaseKill() {
      ledger.releaseKill();
      await persisted();
      await announce("release", "operator");
    },
    async stop() {
      sub.unsubscribe();
      await chain.catch(() => {});
      await Promise.all([...pending]);
    },
  };
}
