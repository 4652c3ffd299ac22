/**
 * Orders by id for the OMS. Ids are handed out in increasing order and finished orders leave in
 * roughly that order, so most lookups hit a ring indexed by the id's low bits; an order whose slot
 * a newer id needed (a long-resting order) moves to a map. Cheaper per order than a hash map for
 * every insert, lookup and delete.
 */
import type { Order } from "./order.ts";

/** Orders keyed by id: a ring by low bits plus a map for displaced ones. */
export class OrderTable {
  private ring: (Order | undefined)[];
  private mask: number;
  private readonly overflow = new Map<number, Order>();
  private count = 0;

  /** `capacity` is rounded up to a power of two; the ring doubles when it holds more orders than slots. */
  constructor(capacity = 1024) {
    let cap = 64;
    while (cap < capacity) cap *= 2;
    this.ring = new Array<Order | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** Number of orders held. */
  get size(): number {
    return this.count;
  }

  /** The order with `id`, or undefined. */
  get(id: number): Order | undefined {
    const o = this.ring[id & this.mask];
    if (o !== undefined && o.id === id) return o;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id);
  }

  /** True when an order with `id` is held. */
  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Holds `order` (replacing one with the same id). */
  set(order: Order): void {
    const id = order.id;
    const i = id & this.mask;
    const cur = this.ring[i];
    if (cur !== undefined && cur.id === id) {
      this.ring[i] = order;
      return;
    }
    if (this.overflow.size > 0 && this.overflow.delete(id)) this.count--;
    if (cur !== undefined) this.overflow.set(cur.id, cur);
    this.ring[i] = order;
    this.count++;
    if (this.count > this.ring.length) this.grow();
  }

  /** Drops the order with `id`; false when none was held. */
  delete(id: number): boolean {
    const i = id & this.mask;
    const o = this.ring[i];
    if (o !== undefined && o.id === id) {
      this.ring[i] = undefined;
      this.count--;
      return true;
    }
    if (this.overflow.size > 0 && this.overflow.delete(id)) {
      this.count--;
      return true;
    }
    return false;
  }

  /** Every order held, by increasing id. */
  values(): Order[] {
    const out: Order[] = [];
    for (const o of this.ring) if (o !== undefined) out.push(o);
    for (const o of this.overflow.values()) out.push(o);
    return out.sort((a, b) => a.id - b.id);
  }

  private grow(): void {
    const all = this.values();
    const cap = this.ring.length * 2;
    this.ring = new Array<Order | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.overflow.clear();
    this.count = 0;
    for (const o of all) this.set(o);
  }
}
