/**
 * Execution report records of the sim venue, one shape per kind (the same fields in the same order
 * as a fresh literal, so a journaled report encodes the same), handed out from spares when the
 * venue's receiver reads each report during the call and keeps none (the session's trading core).
 */
import type { Liquidity } from "../../sdk/orders.ts";
import type { ExecutionReport } from "../../sdk/venue.ts";

interface PlainReport {
  kind: "accepted" | "expired";
  orderId: number;
  ts: number;
}
interface ReasonReport {
  kind: "rejected" | "canceled" | "cancel-rejected";
  orderId: number;
  ts: number;
  reason: string;
}
interface FillReport {
  kind: "fill";
  orderId: number;
  ts: number;
  price: number;
  size: number;
  fee: number;
  liquidity: Liquidity;
}
interface ReplacedReport {
  kind: "replaced";
  orderId: number;
  ts: number;
  price: number;
  size: number;
}

/** Report records, fresh or reused (`reuse`: the receiver keeps no report after the call). */
export class ReportPool {
  private readonly plain: PlainReport[] = [];
  private readonly reasoned: ReasonReport[] = [];
  private readonly fills: FillReport[] = [];
  private readonly replaced: ReplacedReport[] = [];
  /** Records handed out again instead of allocated. */
  reused = 0;

  constructor(readonly reuse: boolean) {}

  /** An `accepted` or `expired` report (ts 0 until it is delivered). */
  plainReport(kind: PlainReport["kind"], orderId: number): ExecutionReport {
    const r = this.plain.pop();
    if (r === undefined) return { kind, orderId, ts: 0 };
    this.reused++;
    r.kind = kind;
    r.orderId = orderId;
    r.ts = 0;
    return r;
  }

  /** A `rejected`, `canceled` or `cancel-rejected` report. */
  reasonReport(kind: ReasonReport["kind"], orderId: number, reason: string): ExecutionReport {
    const r = this.reasoned.pop();
    if (r === undefined) return { kind, orderId, ts: 0, reason };
    this.reused++;
    r.kind = kind;
    r.orderId = orderId;
    r.ts = 0;
    r.reason = reason;
    return r;
  }

  /** A `fill` report. */
  fillReport(orderId: number, price: number, size: number, fee: number, liquidity: Liquidity): ExecutionReport {
    const r = this.fills.pop();
    if (r === undefined) return { kind: "fill", orderId, ts: 0, price, size, fee, liquidity };
    this.reused++;
    r.orderId = orderId;
    r.ts = 0;
    r.price = price;
    r.size = size;
    r.fee = fee;
    r.liquidity = liquidity;
    return r;
  }

  /** A `replaced` report. */
  replacedReport(orderId: number, price: number, size: number): ExecutionReport {
    const r = this.replaced.pop();
    if (r === undefined) return { kind: "replaced", orderId, ts: 0, price, size };
    this.reused++;
    r.orderId = orderId;
    r.ts = 0;
    r.price = price;
    r.size = size;
    return r;
  }

  /** Takes back a delivered report for reuse (nothing when reports are not reused). */
  release(report: ExecutionReport): void {
    if (!this.reuse) return;
    switch (report.kind) {
      case "accepted":
      case "expired":
        this.plain.push(report as PlainReport);
        break;
      case "rejected":
      case "canceled":
      case "cancel-rejected":
        this.reasoned.push(report as ReasonReport);
        break;
      case "fill":
        this.fills.push(report as FillReport);
        break;
      case "replaced":
        this.replaced.push(report as ReplacedReport);
        break;
    }
  }
}
