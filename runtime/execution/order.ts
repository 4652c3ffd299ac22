/** The OMS's mutable order record; strategies and operators see it through OrderView. */
import type { OrderIntent, OrderStatus, OrderType, OrderView, Side, TimeInForce } from "../../plugins/sdk/orders.ts";

/** Why an order exists: the event, strategy version and feature snapshot behind it (for the audit). */
export interface OrderCause {
  /** Sequence number of the kernel event being processed when the intent was made (0 for manual). */
  readonly event: number;
  /** Version of the plugin that made it (or "manual"). */
  readonly version: string;
  /** Feature snapshot id: the event sequence whose features the strategy read. */
  readonly features: number;
  /** Model version and the kernel time of the answer the strategy could read ("" when no model). */
  readonly model?: string;
}

/** An order as the OMS keeps it. */
export class Order implements OrderView {
  status: OrderStatus = "pending";
  filled = 0;
  updatedTs: number;
  reason = "";
  price: number;
  size: number;
  /** Money spent or received so far (sum of price * size of fills). */
  notionalFilled = 0;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly stopPrice: number;
  readonly instrument: number;
  readonly side: Side;
  readonly expireTs: number;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly tag: string;

  constructor(
    readonly id: number,
    readonly strategy: string,
    intent: OrderIntent,
    readonly createdTs: number,
    readonly cause: OrderCause,
  ) {
    this.instrument = intent.instrument;
    this.side = intent.side;
    this.type = intent.type;
    this.tif = intent.tif ?? (intent.type === "market" ? "IOC" : "GTC");
    this.price = intent.price ?? 0;
    this.stopPrice = intent.stopPrice ?? 0;
    this.size = intent.size;
    this.expireTs = intent.expireTs ?? 0;
    this.postOnly = intent.postOnly ?? false;
    this.reduceOnly = intent.reduceOnly ?? false;
    this.tag = intent.tag ?? "";
    this.updatedTs = createdTs;
  }

  /** Size still to fill. */
  get remaining(): number {
    return this.size - this.filled;
  }

  /** Plain copy for logs, APIs and tests. */
  toJSON(): OrderView & { tag: string; cause: OrderCause } {
    return {
      id: this.id,
      strategy: this.strategy,
      instrument: this.instrument,
      side: this.side,
      type: this.type,
      tif: this.tif,
      price: this.price,
      stopPrice: this.stopPrice,
      size: this.size,
      filled: this.filled,
      status: this.status,
      createdTs: this.createdTs,
      updatedTs: this.updatedTs,
      reason: this.reason,
      tag: this.tag,
      cause: this.cause,
    };
  }
}
