/**
 * The operator's handle on a global risk service running in other processes (an active instance and
 * its standby): status, kill and release go as requests on the risk subject, so whichever instance
 * holds the lease answers. While a takeover is under way nobody answers; requests are retried until
 * a deadline, then fail with one line naming the subject.
 */
import { decode, encode } from "@msgpack/msgpack";
import type { NatsConnection } from "@nats-io/transport-node";
import { ClusterError } from "../errors.ts";
import type { Topology } from "../topology.ts";
import type { RiskReply, RiskRequest } from "./protocol.ts";
import type { RiskControl, RiskStatus } from "./service.ts";

/** Options of a remote risk handle. */
export interface RemoteRiskOptions {
  /** One request's timeout, ms. */
  readonly timeoutMs?: number;
  /** How long to keep retrying while no instance answers (a takeover), ms. */
  readonly retryForMs?: number;
}

/** A RiskControl that talks to the risk service over NATS. */
export class RemoteRisk implements RiskControl {
  private readonly timeoutMs: number;
  private readonly retryForMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    opts: RemoteRiskOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.retryForMs = opts.retryForMs ?? 15_000;
  }

  /** The kill switch, the answering instance and its counters. */
  async status(): Promise<RiskStatus> {
    const r = await this.request({ op: "status" });
    return { killed: r.killed, killReason: r.killReason ?? "", holder: r.holder ?? "", stats: r.stats ?? { requests: 0, bad: 0, kills: 0, persistFailures: 0 } };
  }

  /** Engages the firm-wide kill switch. */
  async kill(reason: string): Promise<void> {
    await this.request({ op: "kill", reason });
  }

  /** Releases the firm-wide kill switch. */
  async releaseKill(): Promise<void> {
    await this.request({ op: "release-kill" });
  }

  private async request(req: RiskRequest): Promise<RiskReply> {
    const deadline = performance.now() + this.retryForMs;
    let last = "";
    for (;;) {
      try {
        const m = await this.nc.request(this.topology.risk(), encode(req), { timeout: this.timeoutMs });
        const reply = decode(m.data) as RiskReply;
        if (!reply.ok) throw new ClusterError("CLUSTER_MESSAGE", `subject=${this.topology.risk()} op=${req.op} reason=${reply.error ?? "refused"}`);
        return reply;
      } catch (err) {
        if (err instanceof ClusterError) throw err;
        last = (err as Error).message;
      }
      if (performance.now() >= deadline) throw new ClusterError("CLUSTER_RISK_UNAVAILABLE", `subject=${this.topology.risk()} op=${req.op} no risk service answered within ${this.retryForMs} ms (${last})`);
      await Bun.sleep(100);
    }
  }
}
