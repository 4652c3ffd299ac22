/**
 * The OMS's parent orders: creation with ids from their own sequence, the link from each child
 * order to its parent, and re-derivation of a parent whenever one of its children changes.
 * Parents that can still change are always held; finished ones are held up to a retention (the
 * newest `retainFinished`), older ones leave memory with their child links (the journal keeps
 * them: see parent-from-journal.ts).
 */
import type { Order } from "../order.ts";
import { IdSequence } from "../../kernel/ids.ts";
import { ParentOrder, type ParentSpec } from "./parent-order.ts";
import { isParentTerminal } from "./parent-state.ts";

/** Finished parents a session keeps in memory by default (the admin list and TCA of recent ones). */
export const DEFAULT_RETAIN_FINISHED_PARENTS = 1_000;

/** Every parent order of a session that is open or recently finished. */
export class ParentBook {
  readonly ids = new IdSequence();
  private readonly parents = new Map<number, ParentOrder>();
  private readonly parentOfChild = new Map<number, number>();
  /** Ids of finished parents, oldest first (a queue read from `finishedHead`). */
  private finished: number[] = [];
  private finishedHead = 0;
  /** Finished parents dropped from memory so far. */
  evicted = 0;
  /** Called with each parent as it leaves memory (its TCA row goes to the store). */
  onEvict: ((p: ParentOrder) => void) | null = null;

  /** Keeps at most `retainFinished` finished parents in memory (open ones are always kept). */
  constructor(public retainFinished = DEFAULT_RETAIN_FINISHED_PARENTS) {}

  /** Creates a working parent (a restored one keeps its journaled id). */
  create(spec: ParentSpec, ts: number, id = this.ids.next()): ParentOrder {
    this.ids.observe(id);
    const p = new ParentOrder(id, spec, ts);
    this.parents.set(id, p);
    return p;
  }

  /** A parent by id (undefined when unknown or dropped as finished). */
  get(id: number): ParentOrder | undefined {
    return this.parents.get(id);
  }

  /** Parents held in memory (open plus the retained finished ones). */
  get size(): number {
    return this.parents.size;
  }

  /** Child links held in memory. */
  get links(): number {
    return this.parentOfChild.size;
  }

  /** True when parent `id` existed in this session and was dropped from memory as finished. */
  forgotten(id: number): boolean {
    return this.evicted > 0 && id > 0 && id <= this.ids.current && !this.parents.has(id);
  }

  /** Every parent held, oldest first. */
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

  /**
   * Notes that `parent` reached a final state (call once, when it does); drops the oldest finished
   * parents past the retention, with their child links.
   */
  ended(parent: ParentOrder): void {
    this.finished.push(parent.id);
    while (this.finished.length - this.finishedHead > this.retainFinished) {
      const old = this.parents.get(this.finished[this.finishedHead++]!);
      if (old === undefined) continue;
      this.parents.delete(old.id);
      for (const c of old.children) if (this.parentOfChild.get(c) === old.id) this.parentOfChild.delete(c);
      this.evicted++;
      this.onEvict?.(old);
    }
    if (this.finishedHead > 65_536) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }
}
