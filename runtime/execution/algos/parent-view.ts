/** Read-only view of a parent order for algorithms, strategies and operators. */
import type { ParentView } from "../../../plugins/sdk/algo.ts";
import type { Side } from "../../../plugins/sdk/orders.ts";
import type { ParentOrder } from "../parents/parent-order.ts";

/** ParentView over a live ParentOrder (reads through, never copies). */
export class LiveParentView implements ParentView {
  constructor(private readonly p: ParentOrder) {}
  get id(): number {
    return this.p.id;
  }
  get algo(): string {
    return this.p.spec.algo;
  }
  get strategy(): string {
    return this.p.spec.strategy;
  }
  get instrument(): number {
    return this.p.spec.instrument;
  }
  get side(): Side {
    return this.p.spec.side;
  }
  get quantity(): number {
    return this.p.quantity;
  }
  get limitPrice(): number {
    return this.p.limitPrice;
  }
  get filled(): number {
    return this.p.filled;
  }
  get remaining(): number {
    return this.p.remaining;
  }
  get working(): number {
    return this.p.working;
  }
  get openChildren(): number {
    return this.p.openChildren;
  }
  get exitFilled(): number {
    return this.p.exitFilled;
  }
  get avgPrice(): number {
    return this.p.avgPrice;
  }
  get status(): string {
    return this.p.status;
  }
  get createdTs(): number {
    return this.p.createdTs;
  }
}
