/**
 * One strategy's position on one instrument as FIFO lots. A fill first closes opposite lots
 * oldest-first, realising `(exit - entry) * size * side` of each lot, then opens a lot with the rest.
 * Applying a fill is split into `plan` (computes every new total with overflow checks, mutates
 * nothing) and `commit` (writes the planned totals and edits the lots), so a fill that would overflow
 * is refused before any state changes.
 */
import type { Fill, Side } from "../../plugins/sdk/orders.ts";
import { addExact, mulExact, subExact } from "./exact-math.ts";
import { LotQueue } from "./lot-queue.ts";

/** FIFO lots and running totals of one strategy on one instrument. */
export class PositionBook {
  readonly lots = new LotQueue();
  /** Side of every open lot: +1 long, -1 short, 0 flat. */
  side: Side | 0 = 0;
  /** Open size in units (sum of lot sizes, never negative). */
  qty = 0;
  /** Sum over open lots of entry price times size, in money units. */
  cost = 0;
  /** Realised P&L in money units of the instrument, before fees. */
  realised = 0;
  /** Fees paid in money units (negative totals are net rebates). */
  fees = 0;

  // Planned totals, valid between `plan` and `commit`; NaN marks an overflow.
  /** Side after the planned fill. */
  planSide: Side | 0 = 0;
  /** Open size after the planned fill. */
  planQty = 0;
  /** Cost of the open lots after the planned fill. */
  planCost = 0;
  /** Realised P&L after the planned fill. */
  planRealised = 0;
  /** Fees after the planned fill. */
  planFees = 0;
  /** Realised P&L of the planned fill alone. */
  planRealisedDelta = 0;
  /** Size the planned fill closes (0 if it only opens). */
  planClosedSize = 0;
  private planClosedLots = 0;
  private planOldestSize = 0;
  private planOpenSize = 0;

  constructor(
    readonly strategy: string,
    readonly instrument: number,
  ) {}

  /** Signed position in units: +long, -short. */
  get position(): number {
    return this.side * this.qty + 0;
  }

  /** Computes the totals after `fill`; returns false if any would leave the safe-integer range. */
  plan(fill: Fill): boolean {
    let rest = fill.size;
    let realised = 0;
    let closedCost = 0;
    let closedLots = 0;
    let oldestSize = 0;
    if (this.side === -fill.side) {
      const lots = this.lots;
      const n = lots.length;
      for (let i = 0; i < n && rest > 0; i++) {
        const entry = lots.priceAt(i);
        const size = lots.sizeAt(i);
        const take = size < rest ? size : rest;
        realised = addExact(realised, mulExact(mulExact(subExact(fill.price, entry), take), this.side));
        closedCost = addExact(closedCost, mulExact(entry, take));
        rest -= take;
        if (take === size) closedLots++;
        else oldestSize = size - take;
      }
    }
    const closed = fill.size - rest;
    this.planRealisedDelta = realised;
    this.planClosedSize = closed;
    this.planRealised = addExact(this.realised, realised);
    this.planFees = addExact(this.fees, fill.fee);
    this.planCost = addExact(subExact(this.cost, closedCost), rest > 0 ? mulExact(fill.price, rest) : 0);
    this.planQty = addExact(this.qty - closed, rest);
    this.planSide = this.planQty === 0 ? 0 : rest > 0 ? fill.side : this.side;
    this.planClosedLots = closedLots;
    this.planOldestSize = oldestSize;
    this.planOpenSize = rest;
    return !Number.isNaN(this.planRealised + this.planFees + this.planCost + this.planQty);
  }

  /** Applies the last planned fill (which must be `fill`). */
  commit(fill: Fill): void {
    const lots = this.lots;
    if (this.planClosedLots > 0) lots.drop(this.planClosedLots);
    if (this.planOldestSize > 0) lots.setOldestSize(this.planOldestSize);
    if (this.planOpenSize > 0) lots.push(fill.price, this.planOpenSize, fill.ts, fill.id);
    this.side = this.planSide;
    this.qty = this.planQty;
    this.cost = this.planCost;
    this.realised = this.planRealised;
    this.fees = this.planFees;
  }

  /**
   * Unrealised P&L at liquidation value: a long is sold at the bid, a short bought back at the ask.
   * Returns NaN if the result would leave the safe-integer range.
   */
  unrealised(bid: number, ask: number): number {
    if (this.side === 1) return subExact(mulExact(bid, this.qty), this.cost);
    if (this.side === -1) return subExact(this.cost, mulExact(ask, this.qty));
    return 0;
  }
}
