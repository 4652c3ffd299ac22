/**
 * Start-up reconciliation with the venue: the journal's open orders and positions are compared
 * with what the venue reports (its `status` hook), fills that happened while the session was down
 * are applied, orders the venue finished are finished here, and orders only one side knows are
 * handled per the deployment's policy. Every difference raises an alert and writes a `reconcile`
 * journal record beside the order and report records that carry the change, so a replay of the
 * journal needs no venue and a second reconciliation finds nothing.
 */
import type { ExecutionReport, VenueOrderStatus, VenueStatus } from "../../../plugins/sdk/venue.ts";
import type { OrderIntent } from "../../../plugins/sdk/orders.ts";
import type { Order } from "../../execution/order.ts";
import type { ReconcileRecord } from "../../journal/records.ts";
import type { TradingCore } from "../trading-core.ts";

/** What to do with each kind of difference. */
export interface ReconcilePolicy {
  /** An order the journal holds open that the venue does not know: send it again, cancel it here, or only alert (left open, not sent). */
  readonly missing: "resubmit" | "cancel" | "alert";
  /** An order working at the venue that the journal does not hold open: take it in (strategy `manual`), take it in and cancel it, or only alert. */
  readonly unknown: "adopt" | "cancel" | "alert";
}

/** The policy when the deployment does not say. */
export const DEFAULT_RECONCILE_POLICY: ReconcilePolicy = { missing: "cancel", unknown: "cancel" };

/** What a reconciliation found and did. */
export interface ReconcileOutcome {
  /** Differences found (each one alerted and journaled). */
  readonly differences: number;
  readonly missedFills: number;
  readonly missing: number;
  readonly unknown: number;
  readonly positionBreaks: number;
  /** The reconcile records written, in order. */
  readonly records: ReconcileRecord[];
}

/** How a reconciliation runs: at start-up (default) or after a venue reconnect while trading. */
export interface ReconcileOptions {
  /** What started it, written into the summary record and alert (default "startup"). */
  readonly trigger?: string;
  /** While trading: strategies are told of the applied reports, and a `resubmit` order is sent again at once. */
  readonly running?: boolean;
}

/** Compares the core's open orders and positions with `status` and applies the differences per `policy`. */
export function reconcileWithVenue(core: TradingCore, status: VenueStatus, policy: ReconcilePolicy, options: ReconcileOptions = {}): ReconcileOutcome {
  const running = options.running === true;
  const trigger = options.trigger ?? "startup";
  const now = core.now();
  const records: ReconcileRecord[] = [];
  let missedFills = 0;
  let missing = 0;
  let unknown = 0;
  let positionBreaks = 0;
  const note = (kind: ReconcileRecord["kind"], orderId: number, action: string, detail: string, severity: "info" | "warning" | "critical") => {
    const r: ReconcileRecord = { t: "reconcile", kind, orderId, action, detail, ts: now };
    records.push(r);
    core.journal?.append(r);
    const code = kind === "missed-fill" ? "RECONCILE_MISSED_FILL" : kind === "missing" ? "RECONCILE_MISSING_ORDER" : kind === "unknown" ? "RECONCILE_UNKNOWN_ORDER" : kind === "position" ? "RECONCILE_POSITION_BREAK" : "RECONCILE_ORDER_STATE";
    core.alerts.raise(now, code, severity, orderId === 0 ? `venue ${detail.split(" ")[0]}` : `order ${orderId}`, `${orderId === 0 ? "" : `order=${orderId} `}action=${action} ${detail}`);
  };
  const apply = (reports: ExecutionReport[]) => {
    for (const line of core.applyReconciled(reports, running)) core.alerts.raise(now, "RECONCILE_REFUSED", "critical", "venue", `the OMS refused a reconciled report: ${line}`);
  };

  const byId = new Map<number, VenueOrderStatus>();
  for (const v of status.orders) {
    byId.set(v.orderId, v);
    // Ids the venue holds are taken: a new order never reuses one.
    core.oms.orderIds.observe(v.orderId);
  }

  const covered = status.instruments === undefined ? null : new Set(status.instruments);
  const coveredOrders = status.orderIds === undefined ? null : new Set(status.orderIds);
  for (const o of [...core.oms.openOrders()]) {
    // An order at a venue that keeps no memory is sent again, as without reconciliation.
    if (covered !== null && !covered.has(o.instrument)) continue;
    if (coveredOrders !== null && !coveredOrders.has(o.id)) continue;
    const v = byId.get(o.id);
    if (v === undefined) {
      missing++;
      const detail = `status=${o.status} filled=${o.filled} size=${o.size} reason=the venue does not know the order`;
      note("missing", o.id, policy.missing, detail, "warning");
      if (policy.missing === "cancel") apply([{ kind: "canceled", orderId: o.id, ts: now, reason: "RECONCILE_MISSING: the venue does not know the order" }]);
      else if (policy.missing === "alert") core.atVenue.add(o.id);
      else if (running) core.sendAgain(o.id);
      continue;
    }
    core.atVenue.add(o.id);
    const fills = missedFillReports(o, v, now);
    if (fills.length > 0) {
      missedFills += fills.length;
      const size = fills.reduce((n, f) => n + (f.kind === "fill" ? f.size : 0), 0);
      note("missed-fill", o.id, "applied", `fills=${fills.length} size=${size} journal_filled=${o.filled} venue_filled=${v.filled}`, "warning");
      if (o.status === "pending") apply([{ kind: "accepted", orderId: o.id, ts: now }]);
      apply(fills);
    }
    if (v.state !== "working" && v.state !== "filled" && o.status !== "filled" && !isDone(o)) {
      note("state", o.id, "applied", `journal_status=${o.status} venue_state=${v.state}`, "warning");
      const reason = "RECONCILE: finished at the venue while the session was down";
      apply([v.state === "expired" ? { kind: "expired", orderId: o.id, ts: now } : v.state === "rejected" ? { kind: "rejected", orderId: o.id, ts: now, reason } : { kind: "canceled", orderId: o.id, ts: now, reason }]);
    } else if (v.state === "working" && o.status === "pending") {
      apply([{ kind: "accepted", orderId: o.id, ts: now }]);
    }
    if (v.state === "filled" && !isDone(o)) {
      note("state", o.id, "alert", `journal_status=${o.status} journal_filled=${o.filled} venue_filled=${v.filled} reason=filled at the venue, fills not reported`, "critical");
    }
  }

  for (const v of status.orders) {
    const known = core.oms.get(v.orderId);
    if (known !== undefined && (!isDone(known) || v.state !== "working")) continue;
    // Finished here long ago and dropped from memory (the journal keeps it): only a venue that still works it differs.
    if (known === undefined && core.oms.forgotten(v.orderId)) {
      if (v.state === "working") {
        unknown++;
        note("unknown", v.orderId, "alert", `instrument=${v.instrument} side=${v.side} price=${v.price} size=${v.size} filled=${v.filled} venue_state=${v.state} journal=finished`, "critical");
      }
      continue;
    }
    // Finished at the venue and never journaled: it only matters when it filled (the position moved).
    if (known === undefined && v.state !== "working" && v.filled === 0) continue;
    unknown++;
    const detail = `instrument=${v.instrument} side=${v.side} price=${v.price} size=${v.size} filled=${v.filled} venue_state=${v.state} journal=${known === undefined ? "none" : known.status}`;
    if (known !== undefined || policy.unknown === "alert") {
      // A finished order cannot be reopened here: the operator decides.
      note("unknown", v.orderId, "alert", detail, "critical");
      continue;
    }
    // Taken in under the operator's book; one that is finished at the venue is finished here too.
    const action = v.state === "working" ? policy.unknown : "adopt";
    note("unknown", v.orderId, action, detail, "warning");
    const intent: OrderIntent = { instrument: v.instrument, side: v.side, type: v.type, size: v.size, price: v.price || undefined, tif: v.tif, tag: "reconciled" };
    const order = core.adoptOrder("manual", intent, v.orderId);
    apply([{ kind: "accepted", orderId: order.id, ts: now }, ...missedFillReports(order, v, now)]);
    if (v.state === "working") {
      if (action === "cancel") core.cancel(null, order.id);
      continue;
    }
    core.atVenue.delete(order.id);
    if (v.state !== "filled") apply([v.state === "expired" ? { kind: "expired", orderId: order.id, ts: now } : { kind: "canceled", orderId: order.id, ts: now, reason: `RECONCILE: ${v.state} at the venue while the session was down` }]);
  }

  for (const p of status.positions ?? []) {
    const ours = core.portfolio.position(p.instrument);
    if (ours === p.position) continue;
    positionBreaks++;
    const symbol = core.instruments[p.instrument]?.symbol ?? `#${p.instrument}`;
    note("position", 0, "alert", `instrument=${symbol} journal=${ours} venue=${p.position} difference=${p.position - ours}`, "critical");
  }

  const differences = records.length;
  const summary: ReconcileRecord = { t: "reconcile", kind: "summary", orderId: 0, action: "none", detail: `trigger=${trigger} differences=${differences} missed_fills=${missedFills} missing=${missing} unknown=${unknown} position_breaks=${positionBreaks} venue_orders=${status.orders.length}`, ts: now };
  core.journal?.append(summary);
  core.alerts.raise(now, "VENUE_RECONCILED", differences === 0 ? "info" : "warning", "venue", summary.detail);
  return { differences, missedFills, missing, unknown, positionBreaks, records };
}

function isDone(o: Order): boolean {
  return o.status === "filled" || o.status === "canceled" || o.status === "rejected" || o.status === "expired";
}

/**
 * The fills the venue made beyond what the order holds: the venue's own fills after the ones the
 * journal has (by cumulative size), or, when the venue keeps only an average price, one fill of the
 * difference at the price that makes the average come out.
 */
function missedFillReports(o: Order, v: VenueOrderStatus, now: number): ExecutionReport[] {
  const missingSize = Math.min(v.filled, o.size) - o.filled;
  if (missingSize <= 0) return [];
  const out: ExecutionReport[] = [];
  if (v.fills !== undefined) {
    let skip = o.filled;
    for (const f of v.fills) {
      if (skip >= f.size) {
        skip -= f.size;
        continue;
      }
      const size = f.size - skip;
      const fee = skip === 0 ? f.fee : Math.round((f.fee * size) / f.size);
      skip = 0;
      out.push({ kind: "fill", orderId: o.id, ts: now, price: f.price, size, fee, liquidity: f.liquidity });
    }
    return out;
  }
  const avg = v.avgPrice ?? 0;
  const price = Math.round((avg * v.filled - o.notionalFilled) / missingSize);
  return [{ kind: "fill", orderId: o.id, ts: now, price, size: missingSize, fee: 0, liquidity: "taker" }];
}
