/**
 * The reservation protocol between shards and the global risk service: msgpack requests on the
 * cluster's risk subject, answered one at a time by the service (NATS request/reply). A shard
 * reserves before it trades, releases what it no longer needs, reports its loss; an operator may
 * engage or release the firm-wide kill switch, which the service also announces on `cmd.all`, or
 * ask its status (kill switch, holder, counters).
 */
import type { ReserveKind } from "./ledger.ts";

/** A request to the risk service. */
export type RiskRequest =
  | { readonly op: "reserve"; readonly shard: string; readonly kind: ReserveKind; readonly amount: number }
  | { readonly op: "release"; readonly shard: string; readonly kind: "notional" | "loss"; readonly amount: number }
  | { readonly op: "report"; readonly shard: string; readonly loss: number }
  | { readonly op: "kill"; readonly reason: string }
  | { readonly op: "release-kill" }
  | { readonly op: "status" };

/** The service's answer. */
export interface RiskReply {
  readonly ok: boolean;
  readonly granted: number;
  readonly total: number;
  readonly windowEndUs: number;
  readonly killed: boolean;
  /** Set when the request was bad (one line: what and why). */
  readonly error?: string;
  /** Answers to `status`: why the kill switch is engaged, who answers, and its counters. */
  readonly killReason?: string;
  readonly holder?: string;
  readonly stats?: RiskStats;
}

/** A risk service's counters. */
export interface RiskStats {
  requests: number;
  bad: number;
  kills: number;
  persistFailures: number;
}
