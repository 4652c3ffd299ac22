/**
 * Orders, intents and fills: the vocabulary strategies, risk rules and venues share.
 * Prices are integer ticks, sizes integer units, money integer minor units (see instrument.ts).
 */

/** Buy is +1, sell is -1, so signed quantity is `side * size`. */
export type Side = 1 | -1;
export const BUY: Side = 1;
export const SELL: Side = -1;

/** Kinds of order the runtime and its venues support. */
export type OrderType = "market" | "limit" | "stop" | "stop-limit";

/** How long an order stays working. */
export type TimeInForce = "GTC" | "IOC" | "FOK" | "GTD" | "DAY";

/** What a strategy asks for; only the risk engine turns it into an order. */
export interface OrderIntent {
  readonly instrument: number;
  readonly side: Side;
  readonly type: OrderType;
  /** Size in units, > 0. */
  readonly size: number;
  /** Limit price in ticks (limit, stop-limit). */
  readonly price?: number;
  /** Trigger price in ticks (stop, stop-limit). */
  readonly stopPrice?: number;
  /** Defaults to GTC for resting types and IOC for market orders. */
  readonly tif?: TimeInForce;
  /** Expiry in microseconds since epoch, for GTD. */
  readonly expireTs?: number;
  /** Reject instead of taking liquidity. */
  readonly postOnly?: boolean;
  /** Reject (or reduce) if it would increase the position. */
  readonly reduceOnly?: boolean;
  /** Free text carried into the audit trail. */
  readonly tag?: string;
}

/** Lifecycle states of an order; transitions are checked by the OMS. */
export type OrderStatus =
  | "pending" // accepted by risk, not yet acknowledged by the venue
  | "working" // acknowledged and resting (or a stop waiting for its trigger)
  | "partially-filled"
  | "filled"
  | "pending-cancel"
  | "canceled"
  | "rejected"
  | "expired";

/** A snapshot of an order as strategies and operators see it. */
export interface OrderView {
  readonly id: number;
  readonly strategy: string;
  readonly instrument: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly price: number;
  readonly stopPrice: number;
  readonly size: number;
  readonly filled: number;
  readonly status: OrderStatus;
  readonly createdTs: number;
  readonly updatedTs: number;
  readonly reason: string;
}

/** Which side of the match we were on. */
export type Liquidity = "maker" | "taker";

/** One execution of one of our orders. */
export interface Fill {
  readonly id: number;
  readonly orderId: number;
  readonly strategy: string;
  readonly instrument: number;
  readonly side: Side;
  readonly price: number;
  readonly size: number;
  /** Fee in money units of the instrument (negative is a rebate). */
  readonly fee: number;
  readonly liquidity: Liquidity;
  readonly ts: number;
}

/** True when no more fills can arrive for an order in this status. */
export function isTerminal(status: OrderStatus): boolean {
  return status === "filled" || status === "canceled" || status === "rejected" || status === "expired";
}
