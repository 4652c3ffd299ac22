/**
 * What a shard shows the cluster's admin plane: a small JSON state (health, counts, P&L, kill
 * switch, open and recent orders, positions, recent alerts) put into the cluster's state KV bucket
 * under the shard's name, every `everyMs` and once more when the shard stops. The admin plane reads
 * the bucket, so it works wherever the shards run, through the broker alone. The figures use the
 * single-process admin API's views (same order and position shapes).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { wallMicros } from "../../kernel/clock.ts";
import type { Session } from "../../session/build.ts";
import type { Alert } from "../../kernel/alerts.ts";
import { alertJson, orderJson, type OrderJson } from "../../admin/views.ts";
import { accountPnl, positionRows } from "../../admin/routes/portfolio.ts";

/** Recent finished orders kept in a state (open orders are all kept). */
const RECENT_ORDERS = 50;
/** Recent alerts kept in a state. */
const RECENT_ALERTS = 20;

/** One shard's state as the admin plane reads it. */
export interface ShardState {
  shard: string;
  /** The instance holding the shard (its lease holder). */
  holder: string;
  pid: number;
  /** "running" while it trades, "stopped" after a graceful stop. */
  status: "running" | "stopped";
  startedUs: number;
  /** Wall µs of this state (the admin plane calls a shard stale when it stops changing). */
  updatedUs: number;
  instruments: string[];
  events: number;
  orders: number;
  openOrders: number;
  fills: number;
  /** Account-currency P&L (null while a conversion rate is missing). */
  pnl: number | null;
  currency: string;
  tradingState: string;
  killSwitch: boolean;
  /** Every open order, then the most recent finished ones; newest first. */
  orderList: OrderJson[];
  positions: ReturnType<typeof positionRows>;
  alerts: Alert[];
  /** The shard's own admin API (loopback), where the plane forwards per-shard controls; null when it serves none. */
  adminUrl: string | null;
}

/** Opens (creating if needed) the state bucket: one key per shard, last value only. */
export async function openStateBucket(nc: NatsConnection, bucket: string, replicas: number): Promise<KV> {
  return await new Kvm(nc).create(bucket, { replicas, history: 1 });
}

/** The state of a running shard now. */
export function shardState(session: Session, shard: string, holder: string, instruments: string[], events: number, startedUs: number, status: ShardState["status"], adminUrl: string | null = null): ShardState {
  const core = session.core;
  const open: OrderJson[] = [];
  const finished: OrderJson[] = [];
  for (const o of core.oms.all()) {
    const view = orderJson(session.instruments, o);
    if (o.status === "pending" || o.status === "working" || o.status === "partially-filled" || o.status === "pending-cancel") open.push(view);
    else finished.push(view);
  }
  open.sort((a, b) => b.id - a.id);
  finished.sort((a, b) => b.id - a.id);
  return {
    shard,
    holder,
    pid: process.pid,
    status,
    startedUs,
    updatedUs: wallMicros(),
    instruments,
    events,
    orders: core.oms.created,
    openOrders: core.oms.openCount,
    fills: core.oms.fillIds.current,
    pnl: accountPnl(session),
    currency: session.config.account.currency,
    tradingState: core.tradingState,
    killSwitch: core.risk.killSwitch,
    orderList: [...open, ...finished.slice(0, RECENT_ORDERS)],
    positions: positionRows(session),
    alerts: core.alerts.all().slice(-RECENT_ALERTS).map(alertJson),
    adminUrl,
  };
}

/** A running state publisher. */
export interface StatePublisher {
  /** Puts states that failed to reach the bucket (a broker restart), counted, never thrown. */
  readonly failures: () => number;
  /** Stops the timer and puts the final state (status "stopped"). */
  stop(): Promise<void>;
}

/** Puts `state()` into the bucket now and every `everyMs` until stopped; at most one put in flight. */
export function publishShardState(kv: KV, shard: string, state: (status: ShardState["status"]) => ShardState, everyMs = 500): StatePublisher {
  let failures = 0;
  let inFlight: Promise<unknown> | null = null;
  const put = (status: ShardState["status"]) => {
    const tracked: Promise<void> = kv
      .put(shard, JSON.stringify(state(status)))
      .then(
        () => {},
        () => {
          failures++;
        },
      )
      .finally(() => {
        if (inFlight === tracked) inFlight = null;
      });
    inFlight = tracked;
    return tracked;
  };
  void put("running");
  const timer = setInterval(() => {
    if (inFlight === null) void put("running");
  }, everyMs);
  return {
    failures: () => failures,
    async stop() {
      clearInterval(timer);
      await inFlight;
      await put("stopped");
    },
  };
}
