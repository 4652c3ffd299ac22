/**
 * The exchange double's order handling: one account's orders matched against the replayed book.
 * A marketable order takes liquidity at the book's levels (the replayed market is not changed by
 * our fills), the rest rests and fills as maker when the market later trades through its price.
 * Each change is an executionReport as Binance's user data stream sends it.
 */
import type { BinanceBook } from "../../../../runtime/data/formats/binance-book.ts";

/** An order at the double. */
export interface DoubleOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly type: "LIMIT" | "MARKET" | "LIMIT_MAKER";
  readonly tif: "GTC" | "IOC" | "FOK";
  /** Ticks (0 for market). */
  readonly price: number;
  /** Units. */
  readonly qty: number;
  executed: number;
  quoteExecuted: number;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "EXPIRED";
  readonly time: number;
  updateTime: number;
  /** USD-M: the position the order works on (BOTH in one-way mode). */
  readonly positionSide?: "BOTH" | "LONG" | "SHORT";
  /** USD-M one-way mode: the order may only reduce the position. */
  readonly reduceOnly?: boolean;
}

/** A trade of ours at the double. */
export interface DoubleTrade {
  readonly id: number;
  readonly orderId: number;
  readonly price: number;
  readonly qty: number;
  /** Commission in the quote asset, at 8 decimals. */
  readonly commission8: number;
  readonly maker: boolean;
  readonly time: number;
}

/** An execution event the double publishes on the user data stream. */
export interface ExecEvent {
  readonly order: DoubleOrder;
  readonly execType: "NEW" | "CANCELED" | "REJECTED" | "TRADE" | "EXPIRED";
  readonly trade: DoubleTrade | null;
  readonly cancelClientId: string;
  readonly time: number;
}

/** Fees and scales of the double's symbol. */
export interface MatchingConfig {
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  readonly makerFeePpm: number;
  readonly takerFeePpm: number;
}

/** One account's orders and trades at the double. */
export class DoubleMatching {
  readonly orders = new Map<number, DoubleOrder>();
  readonly byClientId = new Map<string, DoubleOrder>();
  readonly trades: DoubleTrade[] = [];
  private nextOrderId = 1_000_000;
  private nextTradeId = 5_000_000;

  constructor(
    private readonly cfg: MatchingConfig,
    private readonly book: BinanceBook,
    private readonly publish: (e: ExecEvent) => void,
  ) {}

  /** Places an order; returns it, or a Binance error when refused before it exists. */
  place(o: Omit<DoubleOrder, "orderId" | "executed" | "quoteExecuted" | "status" | "updateTime">): DoubleOrder | { code: number; msg: string } {
    const existing = this.byClientId.get(o.clientOrderId);
    if (existing !== undefined && (existing.status === "NEW" || existing.status === "PARTIALLY_FILLED")) return { code: -2010, msg: "Duplicate order sent." };
    const order: DoubleOrder = { ...o, orderId: this.nextOrderId++, executed: 0, quoteExecuted: 0, status: "NEW", updateTime: o.time };
    if (o.type === "LIMIT_MAKER" && this.marketable(order)) return { code: -2010, msg: "Order would immediately match and take." };
    this.orders.set(order.orderId, order);
    this.byClientId.set(order.clientOrderId, order);
    this.publish({ order, execType: "NEW", trade: null, cancelClientId: "", time: o.time });
    if (o.tif === "FOK" && this.fillable(order) < order.qty) return this.expire(order, o.time);
    this.take(order, o.time);
    if (order.status === "FILLED") return order;
    if (o.type === "MARKET" || o.tif === "IOC" || o.tif === "FOK") return this.expire(order, o.time);
    return order;
  }

  /** Cancels an open order; null when it is not open. */
  cancel(order: DoubleOrder, cancelClientId: string, time: number): DoubleOrder | null {
    if (order.status !== "NEW" && order.status !== "PARTIALLY_FILLED") return null;
    order.status = "CANCELED";
    order.updateTime = time;
    this.publish({ order, execType: "CANCELED", trade: null, cancelClientId, time });
    return order;
  }

  /** Fills resting orders the market now trades through (after each replayed depth update). */
  onBook(time: number): void {
    for (const order of this.orders.values()) {
      if (order.status !== "NEW" && order.status !== "PARTIALLY_FILLED") continue;
      const available = this.fillable(order);
      if (available <= 0) continue;
      this.fill(order, order.price, Math.min(available, order.qty - order.executed), true, time);
    }
  }

  /** Open orders. */
  open(): DoubleOrder[] {
    return [...this.orders.values()].filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED");
  }

  private marketable(o: DoubleOrder): boolean {
    const best = o.side === "BUY" ? this.book.bestAsk() : this.book.bestBid();
    if (best !== best) return false;
    return o.type === "MARKET" || (o.side === "BUY" ? best <= o.price : best >= o.price);
  }

  /** Size available at or better than the order's price. */
  private fillable(o: DoubleOrder): number {
    let total = 0;
    for (const [p, s] of this.levels(o)) total += s;
    return total;
  }

  /** The contra side's levels the order may trade with, best first. */
  private levels(o: DoubleOrder): [number, number][] {
    const side = o.side === "BUY" ? this.book.asks.levels : this.book.bids.levels;
    const out: [number, number][] = [];
    for (const [p, s] of side) {
      if (o.type !== "MARKET" && (o.side === "BUY" ? p > o.price : p < o.price)) continue;
      out.push([p, s]);
    }
    return out.sort((a, b) => (o.side === "BUY" ? a[0] - b[0] : b[0] - a[0]));
  }

  private take(order: DoubleOrder, time: number): void {
    for (const [p, s] of this.levels(order)) {
      const left = order.qty - order.executed;
      if (left <= 0) break;
      this.fill(order, p, Math.min(left, s), false, time);
    }
  }

  /** Fills a resting order as maker at its price, as if the market traded through it (a test's injected fill); false when it is not open. */
  fillResting(order: DoubleOrder, qty: number, time: number): boolean {
    if ((order.status !== "NEW" && order.status !== "PARTIALLY_FILLED") || order.type === "MARKET") return false;
    this.fill(order, order.price, Math.min(qty, order.qty - order.executed), true, time);
    return true;
  }

  private fill(order: DoubleOrder, price: number, qty: number, maker: boolean, time: number): void {
    const ppm = BigInt(maker ? this.cfg.makerFeePpm : this.cfg.takerFeePpm);
    // Notional at priceDecimals + sizeDecimals, commission rounded to 8 decimals (Binance's precision).
    const notional = BigInt(price) * BigInt(qty);
    const shift = this.cfg.priceDecimals + this.cfg.sizeDecimals - 8;
    const commission8 = Number(shift >= 0 ? (notional * ppm) / (1_000_000n * 10n ** BigInt(shift)) : (notional * ppm * 10n ** BigInt(-shift)) / 1_000_000n);
    const trade: DoubleTrade = { id: this.nextTradeId++, orderId: order.orderId, price, qty, commission8, maker, time };
    this.trades.push(trade);
    order.executed += qty;
    order.quoteExecuted += price * qty;
    order.status = order.executed === order.qty ? "FILLED" : "PARTIALLY_FILLED";
    order.updateTime = time;
    this.publish({ order, execType: "TRADE", trade, cancelClientId: "", time });
  }

  private expire(order: DoubleOrder, time: number): DoubleOrder {
    order.status = "EXPIRED";
    order.updateTime = time;
    this.publish({ order, execType: "EXPIRED", trade: null, cancelClientId: "", time });
    return order;
  }
}
