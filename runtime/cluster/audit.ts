/**
 * Checks a shard's run for lost and duplicated orders and fills, against its mirrored journal:
 * order ids and fill ids must each appear once and without gaps; every report must be about a
 * journaled order; every order the venue received must be journaled with the same terms; the
 * orders stream must carry each journaled order exactly once.
 */
import type { VenueOrder } from "../../plugins/sdk/venue.ts";
import type { JournalRecord, OrderRecord } from "../journal/records.ts";

/** What the audit of one shard found. */
export interface ShardAudit {
  readonly orders: number;
  readonly fills: number;
  readonly duplicates: number;
  readonly lost: number;
  /** One line per finding (empty when clean). */
  readonly problems: string[];
}

/** Audits a shard's journal, optionally against what its venue received and its orders stream. */
export function auditShard(records: readonly JournalRecord[], venueOrders: readonly VenueOrder[] = [], streamOrderIds?: readonly number[]): ShardAudit {
  const problems: string[] = [];
  let duplicates = 0;
  let lost = 0;
  const orders = new Map<number, OrderRecord>();
  const fillIds = new Set<number>();
  for (const r of records) {
    if (r.t === "order") {
      if (orders.has(r.id)) {
        duplicates++;
        problems.push(`duplicate order id=${r.id}`);
      } else orders.set(r.id, r);
    } else if (r.t === "report") {
      if (!orders.has(r.report.orderId)) problems.push(`report kind=${r.report.kind} for unknown order id=${r.report.orderId}`);
      if (r.fillId > 0) {
        if (fillIds.has(r.fillId)) {
          duplicates++;
          problems.push(`duplicate fill id=${r.fillId}`);
        } else fillIds.add(r.fillId);
      }
    }
  }
  const gaps = (ids: Iterable<number>, what: string) => {
    const sorted = [...ids].sort((a, b) => a - b);
    let expect = sorted[0] ?? 1;
    for (const id of sorted) {
      for (; expect < id; expect++) {
        lost++;
        problems.push(`${what} id=${expect} missing`);
      }
      expect = id + 1;
    }
  };
  gaps(orders.keys(), "order");
  gaps(fillIds, "fill");
  for (const v of venueOrders) {
    const o = orders.get(v.id);
    if (o === undefined) {
      lost++;
      problems.push(`order id=${v.id} reached the venue but is not in the journal`);
    } else if (o.instrument !== v.instrument || o.side !== v.side || o.price !== v.price || v.size > o.size) {
      duplicates++;
      problems.push(`order id=${v.id} at the venue differs from the journal (instrument ${v.instrument}/${o.instrument} side ${v.side}/${o.side} price ${v.price}/${o.price} size ${v.size}/${o.size})`);
    }
  }
  if (streamOrderIds !== undefined) {
    const seen = new Set<number>();
    for (const id of streamOrderIds) {
      if (seen.has(id)) {
        duplicates++;
        problems.push(`order id=${id} twice on the orders stream`);
      }
      seen.add(id);
      if (!orders.has(id)) problems.push(`order id=${id} on the orders stream but not in the journal`);
    }
    for (const id of orders.keys()) {
      if (!seen.has(id)) {
        lost++;
        problems.push(`order id=${id} journaled but not on the orders stream`);
      }
    }
  }
  return { orders: orders.size, fills: fillIds.size, duplicates, lost, problems };
}
