/**
 * Moves one instrument's position to a target with marketable IOC limits at the touch, one order
 * at a time; the strategies of this library decide a target position and leave the orders to it.
 * It respects the trading state: "halted" sends nothing, "reducing" only shrinks the position
 * (a target that would add or flip is cut to flat or to the current size). After a refusal it
 * waits `backoffUs` before the next order. No allocation besides the intent literal per order.
 */
import { isTerminal, type BookView, type Instrument, type OrderView, type StrategyContext, type TSchema } from "../../sdk/index.ts";

/** Drives one instrument toward a target position. */
export class TargetExecutor {
  /** Id of the order in flight, or 0. */
  orderId = 0;
  /** Orders sent and refusals seen (for logs and tests). */
  sent = 0;
  rejected = 0;
  private blockedUntil = 0;

  constructor(
    readonly instrument: Instrument,
    readonly backoffUs: number,
  ) {}

  /** Rounds a signed size toward zero to the instrument's lot. */
  lots(units: number): number {
    const lot = this.instrument.lotSize;
    return Math.trunc(units / lot) * lot;
  }

  /** True while an order is in flight. */
  busy(): boolean {
    return this.orderId !== 0;
  }

  /** Sends at most one IOC that moves the position toward `target` (units); returns the order id or 0. */
  drive<P extends TSchema>(ctx: StrategyContext<P>, book: BookView, target: number, tag: string): number {
    if (this.orderId !== 0 || !book.valid || ctx.now() < this.blockedUntil) return 0;
    const id = this.instrument.id;
    const pos = ctx.position(id);
    const state = ctx.tradingState();
    if (state === "halted") return 0;
    let goal = this.lots(target);
    if (state === "reducing") goal = pos === 0 || Math.sign(goal) !== Math.sign(pos) ? 0 : Math.sign(pos) * Math.min(Math.abs(goal), Math.abs(pos));
    const delta = goal - pos;
    const size = Math.abs(delta);
    if (size < this.instrument.minSize || size < this.instrument.lotSize) return 0;
    const side = delta > 0 ? 1 : -1;
    const orderId = ctx.submit({ instrument: id, side, type: "limit", tif: "IOC", price: side > 0 ? book.ask : book.bid, size, tag });
    if (orderId === 0) return 0;
    this.sent++;
    const o = ctx.order(orderId);
    if (o !== undefined && o.status === "rejected") {
      this.rejected++;
      this.blockedUntil = ctx.now() + this.backoffUs;
      return orderId;
    }
    if (o === undefined || !isTerminal(o.status)) this.orderId = orderId;
    return orderId;
  }

  /** Feeds an order update; returns true when it ended the order in flight. */
  onOrder(o: OrderView, now: number): boolean {
    if (o.id !== this.orderId || !isTerminal(o.status)) return false;
    this.orderId = 0;
    if (o.status === "rejected") {
      this.rejected++;
      this.blockedUntil = now + this.backoffUs;
    }
    return true;
  }
}
