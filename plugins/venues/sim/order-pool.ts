/**
 * Reused order records of the simulated venue: an order's record goes back to the pool once the
 * order is done at the venue (filled, canceled, rejected, expired) and nothing holds it any more,
 * and the next order submitted takes it, so steady order churn allocates no record per order.
 */
import type { OrderType, Side, TimeInForce } from "../../sdk/orders.ts";
import type { SimOrder } from "./quote-matcher.ts";

/** A SimOrder record the venue owns and reuses; `resting` is true while it is on the venue's book. */
export interface PooledSimOrder extends SimOrder {
  id: number;
  instrument: number;
  side: Side;
  tif: TimeInForce;
  stopPrice: number;
  postOnly: boolean;
  resting: boolean;
}

/** Free order records, handed out most recently returned first. */
export class SimOrderPool {
  private readonly free: PooledSimOrder[] = [];
  /** Records made since the pool was created (for tests and benches: flat under steady churn). */
  made = 0;

  /** A record set to a new order's fields, not resting. */
  take(id: number, instrument: number, side: Side, type: OrderType, tif: TimeInForce, price: number, stopPrice: number, remaining: number, postOnly: boolean, triggered: boolean): PooledSimOrder {
    let o = this.free.pop();
    if (o === undefined) {
      this.made++;
      // Every field set in one literal, in one order: one shape for all records.
      o = { id: 0, instrument: 0, side: 1, type: "limit", tif: "GTC", price: 0, stopPrice: 0, remaining: 0, postOnly: false, queueAhead: 0, triggered: false, resting: false };
    }
    o.id = id;
    o.instrument = instrument;
    o.side = side;
    o.type = type;
    o.tif = tif;
    o.price = price;
    o.stopPrice = stopPrice;
    o.remaining = remaining;
    o.postOnly = postOnly;
    o.queueAhead = 0;
    o.triggered = triggered;
    o.resting = false;
    return o;
  }

  /** Returns a record nothing holds any more (the caller's promise); its id is cleared. */
  give(o: PooledSimOrder): void {
    o.id = 0;
    this.free.push(o);
  }

  /** Free records held. */
  get size(): number {
    return this.free.length;
  }
}
