/**
 * Venue plugins: where orders go and where execution reports come from. A venue sees the market
 * events of its instruments (a simulated venue matches against them) and reports back through the
 * context; the runtime stamps, journals and applies every report.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Instrument } from "./instrument.ts";
import type { Manifest } from "./manifest.ts";
import type { Quote, Trade } from "./market.ts";
import type { Liquidity, OrderType, Side, TimeInForce } from "./orders.ts";

/** An order as it is sent to a venue. */
export interface VenueOrder {
  readonly id: number;
  readonly instrument: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Limit price in ticks (0 when none). */
  readonly price: number;
  /** Stop trigger in ticks (0 when none). */
  readonly stopPrice: number;
  readonly size: number;
  /** GTD expiry (0 when none). */
  readonly expireTs: number;
  readonly postOnly: boolean;
  /** Only reduces the position (the risk engine has checked it against the strategy's); absent means false. */
  readonly reduceOnly?: boolean;
  /** Time the runtime sent it. */
  readonly ts: number;
}

/** What a venue reports about one of our orders. */
export type ExecutionReport =
  | { readonly kind: "accepted"; readonly orderId: number; readonly ts: number }
  | { readonly kind: "rejected"; readonly orderId: number; readonly ts: number; readonly reason: string }
  | {
      readonly kind: "fill";
      readonly orderId: number;
      readonly ts: number;
      readonly price: number;
      readonly size: number;
      readonly fee: number;
      readonly liquidity: Liquidity;
    }
  | { readonly kind: "canceled"; readonly orderId: number; readonly ts: number; readonly reason: string }
  | { readonly kind: "cancel-rejected"; readonly orderId: number; readonly ts: number; readonly reason: string }
  | { readonly kind: "expired"; readonly orderId: number; readonly ts: number }
  | { readonly kind: "replaced"; readonly orderId: number; readonly ts: number; readonly price: number; readonly size: number };

/** A fill as a venue remembers it (reconciliation). */
export interface VenueFill {
  readonly price: number;
  readonly size: number;
  readonly fee: number;
  readonly liquidity: Liquidity;
  readonly ts: number;
}

/** What a venue knows of one of our orders, in its answer to a status request. */
export interface VenueOrderStatus {
  readonly orderId: number;
  readonly instrument: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Limit price in ticks (0 when none). */
  readonly price: number;
  /** Order size as the venue holds it now (after any replace). */
  readonly size: number;
  /** Cumulative filled size. */
  readonly filled: number;
  /** Every fill, oldest first, when the venue keeps them; otherwise `avgPrice` stands for them. */
  readonly fills?: readonly VenueFill[];
  /** Average fill price in ticks (when `fills` is absent). */
  readonly avgPrice?: number;
  readonly state: "working" | "filled" | "canceled" | "rejected" | "expired";
}

/** A venue's answer to a status request (start-up, reconnect). */
export interface VenueStatus {
  /** Every order the venue holds working for us, every asked-about order it knows, and those above the asked id it can tell. */
  readonly orders: readonly VenueOrderStatus[];
  /** Net position per instrument, when the venue reports positions. */
  readonly positions?: readonly { readonly instrument: number; readonly position: number }[];
  /** The instruments the answer covers (all when absent); open orders in others are sent again as before. */
  readonly instruments?: readonly number[];
  /** The open orders the answer covers (all in `instruments` when absent), e.g. those routed to the one provider that reconnected. */
  readonly orderIds?: readonly number[];
}

/** What the runtime offers a venue plugin. */
export interface VenueContext<P extends TSchema = TSchema> {
  readonly name: string;
  readonly params: Static<P>;
  readonly instruments: readonly Instrument[];
  /** Seed of the deployment, for any randomness a simulated venue uses. */
  readonly seed: number;
  now(): number;
  /** Runs `fn` when kernel time reaches `ts` (ordered with market events by ts, then sequence). */
  schedule(ts: number, fn: () => void): void;
  /** Hands an execution report to the runtime (at the current kernel time). */
  report(report: ExecutionReport): void;
  /**
   * Hands in a quote from the venue's own feed (a live venue); it is stamped with the kernel time
   * of arrival and dispatched like any market event. False when the runtime's queue is full.
   */
  quote(instrument: number, bid: number, ask: number, bidSize: number, askSize: number): boolean;
  /** Hands in a public trade from the venue's feed; side is the aggressor (+1, -1, 0). */
  trade(instrument: number, price: number, size: number, side: number): boolean;
  /** Raises an operator alert. */
  alert(code: string, message: string): void;
  /**
   * Books a perpetual's funding payment on an instrument, in its money units (positive received,
   * negative paid), into the account's P&L. Optional: a context without it books no funding.
   */
  funding?(instrument: number, amount: number): void;
  /**
   * Hands the runtime what the venue knows after a reconnect (`why` names the session); the runtime
   * compares it with its orders and positions as at start-up, alerting and journaling every
   * difference. Optional: a context without it does not reconcile after reconnects.
   */
  reconcile?(status: VenueStatus, why: string): void;
}

/** Hooks of a venue plugin. */
export interface VenueAdapter {
  /** Sends a new order (its round trip is the venue's business). */
  submit(order: VenueOrder): void;
  /** Asks to cancel an order. */
  cancel(orderId: number): void;
  /** Asks to change price and/or size of a working order. */
  replace?(orderId: number, price: number, size: number): void;
  /** Market data of the venue's instruments, before strategies see it. */
  onQuote?(quote: Quote): void;
  onTrade?(trade: Trade): void;
  /**
   * Says what the venue knows of `orderIds` (the orders the journal holds open), of every other
   * order it holds working for us and, where it can, of every order with an id above `afterId` (the
   * last the journal holds); the runtime compares it with the journal at start-up. Null when the
   * venue keeps no memory across restarts (the runtime then sends the open orders again).
   */
  status?(orderIds: readonly number[], afterId: number): VenueStatus | null | Promise<VenueStatus | null>;
  /** The session is stopping. */
  stop?(): void;
}

/** A venue plugin: its manifest and a factory of adapters. */
export interface VenuePlugin<P extends TSchema = TSchema> {
  readonly manifest: Manifest<P> & { readonly kind: "venue" };
  create(ctx: VenueContext<P>): VenueAdapter;
}

/**
 * Declares a venue plugin; an identity function that exists for type inference.
 * @example
 * export default defineVenue({ manifest: { ..., kind: "venue" }, create: (ctx) => ({ submit(o) {}, cancel(id) {} }) });
 */
export function defineVenue<P extends TSchema>(plugin: VenuePlugin<P>): VenuePlugin<P> {
  return plugin;
}
