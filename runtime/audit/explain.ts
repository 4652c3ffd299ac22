/**
 * An order's decision record, read back from the journal: what caused it (the strategy and its
 * plugin version, the kernel event, the features snapshot id, the model version and the time of the
 * answer it used), the risk verdict with the pre-trade checks it passed or the one that refused it,
 * the parent order (algorithm and params) when it is a child, everything the venue said about it
 * with the latencies from creation, and any reconciliation record about it. The values the
 * session saw at the moment (book, features, model signal) come from the decision ring when the
 * order is recent enough (decisions.ts); otherwise the record says they were not kept.
 */
import type { JournalRecord, OrderRecord, ParentRecord, ReconcileRecord } from "../journal/records.ts";
import { parentOfTag } from "../execution/parents/parent-order.ts";
import type { DecisionValues } from "./decisions.ts";

/**
 * The risk engine's pre-trade checks in the order it runs them (runtime/risk/engine.ts `check`),
 * with the codes each can refuse with; plugin risk rules run after them.
 */
export const PRE_TRADE_CHECKS: readonly { readonly check: string; readonly codes: readonly string[] }[] = [
  { check: "kill-switch", codes: ["KILL_SWITCH"] },
  { check: "instrument", codes: ["UNKNOWN_INSTRUMENT"] },
  { check: "loss-breaker", codes: ["BREAKER_TRIPPED"] },
  { check: "size", codes: ["INVALID_SIZE"] },
  { check: "price", codes: ["INVALID_PRICE"] },
  { check: "expiry", codes: ["INVALID_EXPIRY"] },
  { check: "market", codes: ["NO_MARKET"] },
  { check: "reduce-only", codes: ["REDUCE_ONLY"] },
  { check: "price-collar", codes: ["PRICE_COLLAR"] },
  { check: "notional", codes: ["NO_CONVERSION_RATE", "NOTIONAL_LIMIT"] },
  { check: "position", codes: ["POSITION_LIMIT"] },
  { check: "order-rate", codes: ["RATE_LIMIT"] },
];

/** One venue report or request about the order, with its time since the order was created. */
export interface ExplainEvent {
  readonly kind: string;
  readonly ts: number;
  readonly afterUs: number;
  readonly detail: Record<string, string | number>;
}

/** An order's decision record. */
export interface OrderExplanation {
  readonly order: Omit<OrderRecord, "t">;
  readonly cause: {
    readonly strategy: string;
    readonly pluginVersion: string;
    readonly event: number;
    readonly featuresSnapshot: number;
    readonly model: { readonly version: string; readonly answeredAt: number } | null;
  };
  /** The values seen at the decision; null when the order is older than the decision ring. */
  readonly seen: DecisionValues | null;
  readonly risk: {
    readonly verdict: "pass" | "refuse";
    readonly code: string;
    readonly reason: string;
    readonly checks: { readonly check: string; readonly result: "pass" | "refuse" | "not run" }[];
  };
  readonly parent: Omit<ParentRecord, "t"> | null;
  readonly events: ExplainEvent[];
  readonly latencies: { readonly toAcceptedUs: number | null; readonly toFirstFillUs: number | null; readonly toDoneUs: number | null };
  readonly reconciliation: Omit<ReconcileRecord, "t">[];
}

const DONE = new Set(["fill-complete", "canceled", "rejected", "expired"]);

/** The decision record of order `id` from journal records, or null when the journal has no such order. */
export function explainOrder(records: readonly JournalRecord[], id: number, seen: DecisionValues | null, plugins: readonly string[] = []): OrderExplanation | null {
  let order: OrderRecord | null = null;
  let parent: ParentRecord | null = null;
  const parentId = (r: OrderRecord) => parentOfTag(r.tag);
  const events: ExplainEvent[] = [];
  const reconciliation: Omit<ReconcileRecord, "t">[] = [];
  let filled = 0;
  let toAccepted: number | null = null;
  let toFirstFill: number | null = null;
  let toDone: number | null = null;
  const parents = new Map<number, ParentRecord>();
  for (const r of records) {
    if (r.t === "parent" && r.kind === "new") parents.set(r.id, r);
    else if (r.t === "order" && r.id === id) {
      order = r;
      const p = parentId(r);
      parent = p === 0 ? null : (parents.get(p) ?? null);
    } else if (order === null) continue;
    else if (r.t === "report" && r.report.orderId === id) {
      const rep = r.report;
      const after = rep.ts - order.ts;
      const { kind: _k, orderId: _o, ts: _t, ...rest } = rep;
      const detail: Record<string, string | number> = { ...(rest as Record<string, string | number>) };
      if (rep.kind === "fill") {
        detail.fillId = r.fillId;
        filled += rep.size;
        toFirstFill ??= after;
      }
      if (rep.kind === "accepted") toAccepted ??= after;
      const done = rep.kind === "fill" ? (filled >= order.size ? "fill-complete" : "") : rep.kind;
      if (DONE.has(done)) toDone ??= after;
      events.push({ kind: rep.kind, ts: rep.ts, afterUs: after, detail });
    } else if (r.t === "cancel" && r.orderId === id) events.push({ kind: "cancel-requested", ts: r.ts, afterUs: r.ts - order.ts, detail: {} });
    else if (r.t === "reconcile" && r.orderId === id) {
      const { t: _t, ...rest } = r;
      reconciliation.push(rest);
    }
  }
  if (order === null) return null;
  const { t: _t, ...orderFields } = order;
  const refused = order.rejected !== "";
  const code = refused ? order.rejected.split(":")[0]! : "";
  const failedAt = refused ? PRE_TRADE_CHECKS.findIndex((c) => c.codes.includes(code)) : -1;
  const checks = [...PRE_TRADE_CHECKS.map((c) => c.check), ...plugins.map((p) => `rule:${p}`)].map((check, i) => ({
    check,
    // A refusal by a plugin rule (a code not in the built-in list) comes after every built-in check.
    result: !refused ? ("pass" as const) : failedAt < 0 ? (i < PRE_TRADE_CHECKS.length ? ("pass" as const) : ("not run" as const)) : i < failedAt ? ("pass" as const) : i === failedAt ? ("refuse" as const) : ("not run" as const),
  }));
  if (refused && failedAt < 0) checks.push({ check: `rule:${code}`, result: "refuse" });
  const model = order.model === undefined || order.model === "" ? null : modelOf(order.model);
  let parentFields: Omit<ParentRecord, "t"> | null = null;
  if (parent !== null) {
    const { t: _pt, ...rest } = parent;
    parentFields = rest;
  }
  return {
    order: orderFields,
    cause: { strategy: order.strategy, pluginVersion: order.version, event: order.event, featuresSnapshot: order.features, model },
    seen,
    risk: { verdict: refused ? "refuse" : "pass", code, reason: refused ? order.rejected.slice(code.length + 1).trim() : "", checks },
    parent: parentFields,
    events,
    latencies: { toAcceptedUs: toAccepted, toFirstFillUs: toFirstFill, toDoneUs: toDone },
    reconciliation,
  };
}

function modelOf(text: string): { version: string; answeredAt: number } {
  const at = text.lastIndexOf("@");
  return at < 0 ? { version: text, answeredAt: 0 } : { version: text.slice(0, at), answeredAt: Number(text.slice(at + 1)) };
}
