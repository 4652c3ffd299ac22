/**
 * The order management system: owns every order record, applies execution reports through the
 * checked state machine and turns fill reports into Fill records. It refuses what does not fit
 * (unknown order, illegal transition, overfill) with a value that names the order and the states.
 */
import type { ExecutionReport } from "../../plugins/sdk/venue.ts";
import type { Fill, OrderIntent, OrderStatus } from "../../plugins/sdk/orders.ts";
import { isTerminal } from "../../plugins/sdk/orders.ts";
import { IdSequence } from "../kernel/ids.ts";
import { Order, type OrderCause } from "./order.ts";
import { canTransition } from "./order-state.ts";
import { OrderTable } from "./order-table.ts";

/** Outcome of applying an execution report. */
export type ReportOutcome = ReportApplied | { ok: false; code: "OMS_UNKNOWN_ORDER" | "OMS_ILLEGAL_TRANSITION" | "OMS_OVERFILL"; reason: string };

/** A report the OMS took: the order, the fill it made (if any) and whether the order changed. */
export interface ReportApplied {
  ok: true;
  order: Order;
  fill: Fill | null;
  changed: boolean;
}

/** Finished orders an OMS keeps in memory by default: enough for the blotter and recent lookups. */
export const DEFAULT_RETAIN_FINISHED = 10_000;

/** Orders of the deployment, by id, with the open ones indexed. */
export class Oms {
  readonly orderIds = new IdSequence();
  readonly fillIds = new IdSequence();
  private readonly orders: OrderTable;
  private readonly open = new Map<number, Order>();
  /** Ids of finished orders, oldest first, for bounded retention (the journal and store keep them all). */
  private readonly finished: number[] = [];
  private finishedHead = 0;
  /** Orders created since start (including restored ones). */
  created = 0;
  /** Orders refused by risk. */
  refused = 0;

  /** Finished orders dropped from memory so far (the journal and the store keep them). */
  evicted = 0;

  /** Count of changes to the orders held (created, any status, fill or replace, finished, evicted): equal counts, same orders. */
  changes = 0;

  /** The success outcome `apply` returns, reused: valid until the next `apply` (no allocation per report). */
  private readonly applied: ReportApplied = { ok: true, order: null as unknown as Order, fill: null, changed: false };

  /**
   * Keeps at most `retainFinished` finished orders in memory (open orders are always kept); older
   * ones are read back from the journal (admin order lookups, explanations).
   */
  constructor(public retainFinished = DEFAULT_RETAIN_FINISHED) {
    this.orders = new OrderTable(Math.min(2 * retainFinished, 32_768));
  }

  /** Orders held in memory (open plus the retained finished ones). */
  get size(): number {
    return this.orders.size;
  }

  /** True when `orderId` was created by this OMS (or restored) and has since been dropped as finished. */
  forgotten(orderId: number): boolean {
    return this.evicted > 0 && orderId > 0 && orderId <= this.orderIds.current && !this.orders.has(orderId);
  }

  /** Creates a pending order from an accepted intent. */
  create(strategy: string, intent: OrderIntent, ts: number, cause: OrderCause, id = this.orderIds.next()): Order {
    this.orderIds.observe(id);
    const order = new Order(id, strategy, intent, ts, cause);
    this.orders.set(order);
    this.open.set(id, order);
    this.created++;
    this.changes++;
    return order;
  }

  /** Marks a freshly created order as rejected (by risk, before it reached a venue). */
  rejectNew(order: Order, reason: string, ts: number): void {
    order.status = "rejected";
    order.reason = reason;
    order.updatedTs = ts;
    this.refused++;
    this.changes++;
    this.finish(order);
  }

  /** Marks a cancel as requested; false if the order cannot be canceled. */
  requestCancel(orderId: number, ts: number): boolean {
    const order = this.open.get(orderId);
    if (order === undefined || order.status === "pending-cancel") return false;
    order.status = "pending-cancel";
    order.updatedTs = ts;
    this.changes++;
    return true;
  }

  /** An order by id. */
  get(orderId: number): Order | undefined {
    return this.orders.get(orderId);
  }

  /** Orders that can still fill (insertion order). */
  openOrders(): IterableIterator<Order> {
    return this.open.values();
  }

  /** Number of open orders. */
  get openCount(): number {
    return this.open.size;
  }

  /** Every order held in memory (open and retained finished ones), by increasing id. */
  all(): IterableIterator<Order> {
    return this.orders.values()[Symbol.iterator]();
  }

  /**
   * Applies a venue's report; `fillId` forces the fill id (journal replay). A success outcome is a
   * record the OMS reuses: read it before the next `apply` (copy what must outlive it).
   */
  apply(report: ExecutionReport, fillId?: number): ReportOutcome {
    const order = this.orders.get(report.orderId);
    if (order === undefined) return { ok: false, code: "OMS_UNKNOWN_ORDER", reason: `order=${report.orderId} report=${report.kind}` };
    const from = order.status;
    let to: OrderStatus;
    let fill: Fill | null = null;
    switch (report.kind) {
      case "accepted":
        // A repeated acknowledgement (e.g. after a restart re-registers the order) changes nothing.
        if (from !== "pending") return this.outcome(order, null, false);
        to = "working";
        break;
      case "rejected":
        to = "rejected";
        break;
      case "fill": {
        if (report.size <= 0 || report.size > order.remaining) {
          return { ok: false, code: "OMS_OVERFILL", reason: `order=${order.id} size=${report.size} remaining=${order.remaining}` };
        }
        to = report.size === order.remaining ? "filled" : "partially-filled";
        break;
      }
      case "canceled":
        to = "canceled";
        break;
      case "cancel-rejected":
        if (from !== "pending-cancel") return this.outcome(order, null, false);
        to = order.filled > 0 ? "partially-filled" : "working";
        break;
      case "expired":
        to = "expired";
        break;
      case "replaced":
        to = from === "pending" ? "working" : from;
        break;
    }
    if (!canTransition(from, to)) {
      return { ok: false, code: "OMS_ILLEGAL_TRANSITION", reason: `order=${order.id} from=${from} to=${to} report=${report.kind}` };
    }
    if (report.kind === "fill") {
      order.filled += report.size;
      order.notionalFilled += report.price * report.size;
      const id = fillId ?? this.fillIds.next();
      this.fillIds.observe(id);
      fill = {
        id,
        orderId: order.id,
        strategy: order.strategy,
        instrument: order.instrument,
        side: order.side,
        price: report.price,
        size: report.size,
        fee: report.fee,
        liquidity: report.liquidity,
        ts: report.ts,
      };
    } else if (report.kind === "replaced") {
      order.price = report.price;
      order.size = report.size;
    } else if (report.kind === "rejected" || report.kind === "canceled") {
      order.reason = report.reason;
    }
    order.status = to;
    order.updatedTs = report.ts;
    this.changes++;
    if (isTerminal(to)) this.finish(order);
    return this.outcome(order, fill, true);
  }

  private outcome(order: Order, fill: Fill | null, changed: boolean): ReportApplied {
    const a = this.applied;
    a.order = order;
    a.fill = fill;
    a.changed = changed;
    return a;
  }

  /** Moves an order out of the open set and evicts the oldest finished orders past retention. */
  private finish(order: Order): void {
    this.changes++;
    this.open.delete(order.id);
    this.finished.push(order.id);
    if (this.finished.length - this.finishedHead > this.retainFinished) {
      this.orders.delete(this.finished[this.finishedHead++]!);
      this.evicted++;
      // Compact now and then so the id list does not grow without bound either.
      if (this.finishedHead > 65_536) {
        this.finished.splice(0, this.finishedHead);
        this.finishedHead = 0;
      }
    }
  }
}
