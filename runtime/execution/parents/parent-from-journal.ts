/**
 * A parent order the session no longer holds in memory, rebuilt from the journal: its "new" record
 * and commands, its child orders and their reports, derived the way the live parent was (fills,
 * average price, fees, status, reason). Read through the journal's sparse index, so only the part of
 * the file from the parent's creation to its end is read.
 */
import type { JournalRecord } from "../../journal/records.ts";
import type { JournalOrderIndex } from "../../journal/order-index.ts";
import { Oms } from "../oms.ts";
import type { Order } from "../order.ts";
import { ParentOrder } from "./parent-order.ts";
import { isParentTerminal } from "./parent-state.ts";

/** A parent rebuilt from the journal with its child orders (all of them, as they ended). */
export interface JournaledParent {
  readonly parent: ParentOrder;
  readonly children: readonly Order[];
}

/**
 * Parent `id` as the journal has it, or null when the journal holds no such parent; `selfFinishing`
 * says whether an algorithm ends its parents itself (a bracket), as its manifest does.
 */
export function parentFromJournal(index: JournalOrderIndex, id: number, selfFinishing: (algo: string) => boolean): JournaledParent | null {
  let p: ParentOrder | null = null;
  const oms = new Oms(Number.MAX_SAFE_INTEGER);
  const children: Order[] = [];
  const derive = (ts: number) => {
    if (p === null) return false;
    p.derive(p.children.map((c) => oms.get(c)), ts);
    return isParentTerminal(p.status);
  };
  const visit = (r: JournalRecord): boolean => {
    if (r.t === "parent") {
      if (r.kind === "new") {
        p = new ParentOrder(r.id, { strategy: r.strategy!, algo: r.algo!, instrument: r.instrument!, side: r.side!, quantity: r.quantity!, limitPrice: r.limitPrice ?? 0, params: JSON.parse(r.params ?? "{}") }, r.ts);
        p.selfFinishing = selfFinishing(p.spec.algo);
        return false;
      }
      if (p === null || r.kind === "route") return false;
      (p as ParentOrder).applyRecord(r);
      return derive(r.ts);
    }
    if (p === null) return false;
    const q: ParentOrder = p;
    if (r.t === "order") {
      const o = oms.create(r.strategy, { instrument: r.instrument, side: r.side, type: r.type, tif: r.tif, price: r.price, stopPrice: r.stopPrice, size: r.size, expireTs: r.expireTs, postOnly: r.postOnly, reduceOnly: r.reduceOnly, tag: r.tag }, r.ts, { event: r.event, version: r.version, features: r.features, model: r.model }, r.id);
      if (r.rejected !== "") oms.rejectNew(o, r.rejected, r.ts);
      q.children.push(o.id);
      children.push(o);
      return derive(r.ts);
    }
    if (r.t === "report") {
      oms.apply(r.report, r.fillId === 0 ? undefined : r.fillId);
      if (r.report.kind === "fill") q.fees += r.report.fee;
      return derive(r.report.ts);
    }
    if (r.t === "cancel") oms.requestCancel(r.orderId, r.ts);
    return isParentTerminal(q.status);
  };
  if (!index.scanParent(id, visit) || p === null) return null;
  return { parent: p, children };
}
