/**
 * One-line views of journal records for `kestrel journal inspect`: a kind label (order, cancel,
 * control, or the report's kind: accepted, fill, canceled, ...), the kernel time as ISO-8601 with
 * microseconds, and the record's key fields as `key=value`.
 */
import { formatContext } from "../errors/codes.ts";
import type { JournalRecord } from "./records.ts";

/** The kind label of a record (a report is labelled by its own kind, e.g. "fill"). */
export function recordKind(r: JournalRecord): string {
  return r.t === "report" ? r.report.kind : r.t;
}

/** The kernel time of a record, microseconds. */
export function recordTs(r: JournalRecord): number {
  return r.t === "report" ? r.report.ts : r.ts;
}

/** Formats kernel microseconds as ISO-8601 with six decimals (UTC). */
export function isoMicros(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return Number.isNaN(Date.parse(iso)) ? String(us) : `${iso.slice(0, 23)}${String(Math.floor(us) % 1000).padStart(3, "0")}Z`;
}

/** The key fields of a record. */
export function recordFields(r: JournalRecord): Record<string, string | number | boolean> {
  switch (r.t) {
    case "order":
      return {
        id: r.id,
        strategy: r.strategy,
        instrument: r.instrument,
        side: r.side === 1 ? "buy" : "sell",
        type: r.type,
        tif: r.tif,
        price: r.price,
        size: r.size,
        ...(r.rejected === "" ? {} : { rejected: r.rejected }),
      };
    case "report": {
      const rep = r.report;
      const out: Record<string, string | number | boolean> = { orderId: rep.orderId };
      if (rep.kind === "fill") Object.assign(out, { fillId: r.fillId, price: rep.price, size: rep.size, fee: rep.fee, liquidity: rep.liquidity });
      else if (rep.kind === "replaced") Object.assign(out, { price: rep.price, size: rep.size });
      else if ("reason" in rep && rep.reason !== "") out.reason = rep.reason;
      return out;
    }
    case "cancel":
      return { orderId: r.orderId };
    case "control":
      return { kind: r.kind, subject: r.subject, ...(r.reason === "" ? {} : { reason: r.reason }) };
    case "reconcile":
      return { kind: r.kind, ...(r.orderId === 0 ? {} : { orderId: r.orderId }), action: r.action, detail: r.detail };
    default:
      return { record: JSON.stringify(r) };
  }
}

/** One line for a record at a byte offset. */
export function recordLine(offset: number, r: JournalRecord): string {
  return `${String(offset).padStart(10)}  ${recordKind(r).padEnd(15)} ${isoMicros(recordTs(r))}  ${formatContext(recordFields(r))}`;
}
