/**
 * A parent order: what a strategy or an operator asked an execution algorithm to do (side,
 * quantity, optional limit) and the child orders the algorithm sent for it. Fills, remaining
 * quantity, average price and state are derived from the children; nothing is counted twice.
 */
import type { Side } from "../../../plugins/sdk/orders.ts";
import type { Order } from "../order.ts";
import type { ParentRecord } from "../../journal/records.ts";
import { canParentTransition, isParentTerminal, type ParentStatus } from "./parent-state.ts";

/** Tag prefix that links a child order to its parent (kept in the journal and the store). */
export const PARENT_TAG = "parent=";

/** The parent id a child order's tag names, or 0. */
export function parentOfTag(tag: string): number {
  if (!tag.startsWith(PARENT_TAG)) return 0;
  const n = Number.parseInt(tag.slice(PARENT_TAG.length), 10);
  return Number.isFinite(n) ? n : 0;
}

/** What creates a parent. */
export interface ParentSpec {
  readonly strategy: string;
  /** Algorithm instance name from the deployment. */
  readonly algo: string;
  /** Session instrument (its symbol is what is traded; a router may place children at other venues). */
  readonly instrument: number;
  readonly side: Side;
  readonly quantity: number;
  /** Worst price in ticks (0: none). */
  readonly limitPrice: number;
  /** Per-parent algorithm params (merged over the deployment's defaults). */
  readonly params: Readonly<Record<string, unknown>>;
}

/** A parent order as the OMS keeps it. */
export class ParentOrder {
  status: ParentStatus = "working";
  quantity: number;
  limitPrice: number;
  /** Child order ids in creation order. */
  readonly children: number[] = [];
  /** Filled size of same-side children. */
  filled = 0;
  /** Sum of price * size over same-side child fills. */
  notionalFilled = 0;
  /** Size of open same-side children not yet filled. */
  working = 0;
  /** Open children (any side). */
  openChildren = 0;
  /** Fees of every child fill (money units). */
  fees = 0;
  /** Filled size of opposite-side children (exits of a bracket). */
  exitFilled = 0;
  cancelRequested = false;
  paused = false;
  /** The algorithm said it is done (no more children). */
  finished = false;
  reason = "";
  updatedTs: number;
  /** Contingent algorithms (a bracket's exits) end when they say so, not when the entry fills. */
  selfFinishing = false;
  /**
   * Fills of children that ended before the journal snapshot this parent was restored from (those
   * children are no longer in the OMS): same-side size and notional, opposite-side size.
   */
  settledFilled = 0;
  settledNotional = 0;
  settledExit = 0;

  constructor(
    readonly id: number,
    readonly spec: ParentSpec,
    readonly createdTs: number,
  ) {
    this.quantity = spec.quantity;
    this.limitPrice = spec.limitPrice;
    this.updatedTs = createdTs;
  }

  /** Applies a journaled operator/algorithm record (not "new" or "route") as replay and read-back do. */
  applyRecord(r: ParentRecord): void {
    if (r.kind === "cancel") this.cancelRequested = true;
    else if (r.kind === "pause") this.paused = true;
    else if (r.kind === "resume") this.paused = false;
    else if (r.kind === "finish") this.finished = true;
    else if (r.kind === "amend") {
      this.quantity = r.quantity ?? this.quantity;
      this.limitPrice = r.limitPrice ?? this.limitPrice;
    } else if (r.kind === "reject") {
      this.status = "rejected";
      this.updatedTs = r.ts;
    }
    if (r.reason !== undefined) this.reason = r.reason;
  }

  /** Quantity still to fill. */
  get remaining(): number {
    return Math.max(0, this.quantity - this.filled);
  }

  /** Average fill price in ticks (0 before the first fill). */
  get avgPrice(): number {
    return this.filled === 0 ? 0 : this.notionalFilled / this.filled;
  }

  /**
   * Recomputes fills and state from the children (as the OMS holds them). Returns null, or an
   * illegal transition as `from -> to` (the state is then left as it was).
   */
  derive(children: readonly (Order | undefined)[], ts: number): string | null {
    let filled = this.settledFilled;
    let notional = this.settledNotional;
    let working = 0;
    let open = 0;
    let exit = this.settledExit;
    for (const c of children) {
      if (c === undefined) continue;
      const isOpen = c.status !== "filled" && c.status !== "canceled" && c.status !== "rejected" && c.status !== "expired";
      if (isOpen) open++;
      if (c.side === this.spec.side) {
        filled += c.filled;
        notional += c.notionalFilled;
        if (isOpen) working += c.remaining;
      } else exit += c.filled;
    }
    this.filled = filled;
    this.notionalFilled = notional;
    this.working = working;
    this.openChildren = open;
    this.exitFilled = exit;
    if (this.status === "rejected") return null;
    const to = this.target();
    if (to === this.status) return null;
    if (!canParentTransition(this.status, to)) return `${this.status} -> ${to}`;
    this.status = to;
    this.updatedTs = ts;
    return null;
  }

  /** The state the children and requests imply. */
  private target(): ParentStatus {
    if (isParentTerminal(this.status)) return this.status;
    const complete = this.filled >= this.quantity;
    if (this.cancelRequested) return this.openChildren > 0 ? "pending-cancel" : complete ? "filled" : "canceled";
    if (this.finished && this.openChildren === 0) return complete ? "filled" : "done";
    if (complete && this.openChildren === 0 && !this.selfFinishing) return "filled";
    if (this.paused) return "paused";
    return this.filled > 0 ? "partially-filled" : "working";
  }

  /** Plain copy for APIs, logs and tests. */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      strategy: this.spec.strategy,
      algo: this.spec.algo,
      instrument: this.spec.instrument,
      side: this.spec.side,
      quantity: this.quantity,
      limitPrice: this.limitPrice,
      filled: this.filled,
      remaining: this.remaining,
      working: this.working,
      avgPrice: this.avgPrice,
      fees: this.fees,
      status: this.status,
      children: [...this.children],
      createdTs: this.createdTs,
      updatedTs: this.updatedTs,
      reason: this.reason,
    };
  }
}
