/**
 * The OMS's parent orders: creation with ids from their own sequence, the link from each child
 * order to its parent, and re-derivation of a parent whenever one of its children changes.
 */
import type { Order } from "../order.ts";
import { IdSequence } from "../../kernel/ids.ts";
import { ParentOrder, type ParentSpec } from "./parent-order.ts";
import { isParentTerminal } from "./parent-state.ts";

/** Every parent order of a session. */
export class ParentBook {
  readonly ids = new IdSequence();
  private readonly parents = new Map<number, ParentOrder>();
  private readonly parentOfChild = new Map<number, number>();

  /** Creates a working parent (a restored one keeps its journaled id). */
  create(spec: ParentSpec, ts: number, id = this.ids.next()): ParentOrder {
    this.ids.observe(id);
    const p = new ParentOrder(id, spec, ts);
    this.parents.set(id, p);
    return p;
  }

  /** A parent by id. */
  get(id: number): ParentOrder | undefined {
    return this.parents.get(id);
  }

  /** Every parent, oldest first. */
  all(): IterableIterator<ParentOrder> {
    return this.parents.values();
  }

  /** Parents that can still change. */
  open(): ParentOrder[] {
    return [...this.parents.values()].filter((p) => !isParentTerminal(p.status));
  }

  /** Records that `childId` belongs to `parent`. */
  link(parent: ParentOrder, childId: number): void {
    if (this.parentOfChild.has(childId)) return;
    parent.children.push(childId);
    this.parentOfChild.set(childId, parent.id);
  }

  /** The parent of a child order, or undefined. */
  parentOf(childId: number): ParentOrder | undefined {
    const id = this.parentOfChild.get(childId);
    return id === undefined ? undefined : this.parents.get(id);
  }

  /** Re-derives a parent from its children; returns an illegal transition or null. */
  update(parent: ParentOrder, order: (id: number) => Order | undefined, ts: number): string | null {
    return parent.derive(parent.children.map(order), ts);
  }
}
