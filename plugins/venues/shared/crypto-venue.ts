/**
 * What the crypto venue adapters (`binance`, `coinbase`) share: orders go to the exchange's order
 * side or, in a paper session (`execution: sim`), to the sim venue matching against the
 * exchange's market; market events feed the sim venue; start-up status comes from whichever holds
 * the orders. A subclass sets `sim` or `orders` and `ready` in its constructor.
 */
import type { Quote, Trade } from "../../sdk/market.ts";
import type { VenueAdapter, VenueContext, VenueOrder, VenueStatus } from "../../sdk/venue.ts";
import type { SimVenue } from "../sim/sim-venue.ts";

/** An exchange's order side as the adapter drives it. */
export interface LiveOrders {
  submit(order: VenueOrder): void;
  cancel(orderId: number): void;
  status(orderIds: readonly number[], afterId: number): Promise<VenueStatus>;
  stop(): void;
}

/** Sim-or-live delegation of a crypto venue adapter. */
export abstract class CryptoVenue<O extends LiveOrders> implements VenueAdapter {
  /** The sim venue of a paper session (null when orders go to the exchange). */
  sim: SimVenue | null = null;
  /** The exchange's order side (null in a paper session). */
  orders: O | null = null;
  /** Resolves when start-up (clock, exchange rules, user stream) has been attempted. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    protected readonly ctx: VenueContext,
    /** Why a replace is refused at the exchange (the reason after `UNSUPPORTED: `). */
    private readonly noReplace: string,
  ) {}

  submit(order: VenueOrder): void {
    if (this.sim !== null) this.sim.submit(order);
    else this.orders!.submit(order);
  }

  cancel(orderId: number): void {
    if (this.sim !== null) this.sim.cancel(orderId);
    else this.orders!.cancel(orderId);
  }

  replace(orderId: number, price: number, size: number): void {
    if (this.sim !== null) this.sim.replace(orderId, price, size);
    else this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: `UNSUPPORTED: ${this.noReplace}` });
  }

  onQuote(q: Quote): void {
    this.sim?.onQuote(q);
  }

  onTrade(t: Trade): void {
    this.sim?.onTrade(t);
  }

  /** Start-up reconciliation: the exchange's view of our orders by client id (after start-up), or the sim venue's. */
  async status(orderIds: readonly number[], afterId: number): Promise<VenueStatus | null> {
    if (this.sim !== null) return this.sim.status(orderIds, afterId);
    await this.ready;
    return this.orders!.status(orderIds, afterId);
  }

  /** Stops the market side; the order side stops with it. */
  stop(): void {
    this.stopMarket();
    this.orders?.stop();
  }

  /** Stops what the subclass runs besides the order side (market data, other connections). */
  protected abstract stopMarket(): void;
}
