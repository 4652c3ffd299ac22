/**
 * Journal record shapes: every command and event that changes trading state, in the order it was
 * applied. Replaying them in order rebuilds orders, fills, positions, P&L and controls exactly.
 */
import type { OrderType, Side, TimeInForce } from "../../plugins/sdk/orders.ts";
import type { ExecutionReport } from "../../plugins/sdk/venue.ts";

/** An order as it was created (status pending, or rejected by risk with the reason). */
export interface OrderRecord {
  readonly t: "order";
  readonly id: number;
  readonly strategy: string;
  readonly instrument: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly price: number;
  readonly stopPrice: number;
  readonly size: number;
  readonly expireTs: number;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly tag: string;
  readonly ts: number;
  readonly event: number;
  readonly version: string;
  readonly features: number;
  /** Model version@answer ts behind the order ("" or absent when none). */
  readonly model?: string;
  /** Empty when accepted by risk; otherwise `CODE: reason`. */
  readonly rejected: string;
}

/** An execution report as applied; `fillId` is the fill it made (0 for none). */
export interface ReportRecord {
  readonly t: "report";
  readonly report: ExecutionReport;
  readonly fillId: number;
}

/** A cancel that was asked for. */
export interface CancelRecord {
  readonly t: "cancel";
  readonly orderId: number;
  readonly ts: number;
}

/** An operator or safety control. */
export interface ControlRecord {
  readonly t: "control";
  /**
   * For "limits", `reason` holds the new limits as JSON: `{ limits, instruments }`; for "funding",
   * `subject` is the instrument's symbol and `reason` the amount in its money units; for "promote"
   * (subject "models"), the models after the promotion: `{ live, shadow, from, to, by }`; for
   * "learning" (subject the learning algorithm), one policy version's fate in online learning as
   * JSON (a `LearningEvent`: accepted, rejected or rolled back, with KL, entropy and reward); for
   * "trading-state" (subject the risk rule), its request: `{ state, reason, effective, by? }` (`by`
   * when an operator released it); for "rule-limit" (subject the risk rule), a limit the rule
   * changed: `{ instrument, limit, from, to, why }`.
   */
  readonly kind: "kill" | "release" | "quarantine" | "pause" | "resume" | "limits" | "deploy" | "funding" | "promote" | "learning" | "trading-state" | "rule-limit";
  readonly subject: string;
  readonly reason: string;
  readonly ts: number;
}

/**
 * A parent order command: its creation (with the algorithm and its params as JSON) or a change
 * asked of it; or ("route") the smart router's decision for one of its children: `reason` in one
 * line, `params` the decision as JSON (slices with venue, size, price and reason; stale and full
 * venues left out; why nothing was placed). Its children are ordinary order records whose tag
 * names the parent.
 */
export interface ParentRecord {
  readonly t: "parent";
  readonly kind: "new" | "cancel" | "amend" | "pause" | "resume" | "finish" | "reject" | "route";
  readonly id: number;
  readonly ts: number;
  readonly strategy?: string;
  readonly algo?: string;
  readonly instrument?: number;
  readonly side?: Side;
  readonly quantity?: number;
  readonly limitPrice?: number;
  /** Per-parent params as JSON ("new"). */
  readonly params?: string;
  readonly reason?: string;
}

/**
 * A difference found when the journal was compared with what the venue reports (start-up
 * reconciliation) and what was done about it. The state changes it led to are journaled as ordinary
 * order and report records beside it; replay applies those and only notes this one.
 */
export interface ReconcileRecord {
  readonly t: "reconcile";
  readonly kind: "missed-fill" | "state" | "missing" | "unknown" | "position" | "summary";
  /** The order concerned (0 for a position or the summary). */
  readonly orderId: number;
  /** What was done: applied, resubmit, cancel, adopt, alert, none. */
  readonly action: string;
  /** key=value detail. */
  readonly detail: string;
  readonly ts: number;
}

/**
 * A snapshot of trading state (see snapshot.ts): a restart restores it and replays only the records
 * after it. `digest` is the SHA-256 of the state's canonical JSON; `compacted` marks the first record
 * of a compacted journal (nothing before it exists any more). `t` must stay the first key: readers
 * find snapshot frames by their first bytes without decoding the others.
 */
export interface SnapshotRecord {
  readonly t: "snapshot";
  readonly v: 1;
  readonly ts: number;
  readonly compacted: boolean;
  readonly digest: string;
  readonly state: import("./snapshot.ts").SnapshotState;
}

/** Any journal record. */
export type JournalRecord = OrderRecord | ReportRecord | CancelRecord | ControlRecord | ParentRecord | SnapshotRecord | ReconcileRecord;
