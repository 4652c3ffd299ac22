/**
 * What the streams send, rendered on the loop's thread: the bounded queues the core's listeners
 * push onto, the trades and alerts batches, the market-data quote of one book and the hello a
 * client gets first. Shared by the in-thread hub and the one that feeds the worker front.
 */
import type { Fill, OrderView } from "../../../plugins/sdk/orders.ts";
import type { Alert } from "../../kernel/alerts.ts";
import type { Session } from "../../session/build.ts";
import { alertJson, fillJson, orderJson, priceText, sizeText } from "../views.ts";
import type { StreamName } from "./client.ts";

/** Most events in one message (a long queue goes out as several). */
export const MAX_BATCH = 500;

/** An order state change or a fill as queued for /ws/trades. */
export type TradeEvent = { order: OrderView; status: string; filled: number; updatedTs: number; reason: string } | { fill: Fill };

/** Bounded FIFO that counts what it had to drop. */
export class BoundedQueue<T> {
  items: T[] = [];
  dropped = 0;
  constructor(private readonly max: number) {}
  /** Appends, or counts a drop when full. */
  push(item: T): void {
    if (this.items.length >= this.max) {
      this.dropped++;
      return;
    }
    this.items.push(item);
  }
  /** Takes everything queued and the drop count, leaving the queue empty. */
  take(): { items: T[]; dropped: number } {
    const out = { items: this.items, dropped: this.dropped };
    this.items = [];
    this.dropped = 0;
    return out;
  }
}

/** The /ws/trades messages of one flush: batches of at most MAX_BATCH events, the drop count on the first. */
export function tradeBatches(session: Session, items: readonly TradeEvent[], dropped: number): object[] {
  const instruments = session.instruments;
  const events = items.map((e) =>
    "fill" in e
      ? { type: "fill", fill: fillJson(instruments, e.fill) }
      : { type: "order", order: { ...orderJson(instruments, e.order), status: e.status, filled: sizeText(instruments[e.order.instrument]!, e.filled), updatedTs: e.updatedTs, reason: e.reason } },
  );
  const out: object[] = [];
  for (let i = 0; i === 0 || i < events.length; i += MAX_BATCH) {
    out.push({ stream: "trades", type: "batch", dropped: i === 0 ? dropped : 0, events: events.slice(i, i + MAX_BATCH) });
  }
  return out;
}

/** The /ws/alerts message of one flush. */
export function alertBatch(items: readonly Alert[], dropped: number): object {
  return { stream: "alerts", type: "batch", dropped, events: items.map(alertJson) };
}

/** The market-data quote of instrument `id`'s book as it is now. */
export function quoteOf(session: Session, id: number): { instrument: string; bid: string; ask: string; bidSize: string; askSize: string; ts: number } {
  const b = session.core.books.books[id]!;
  const inst = session.instruments[id]!;
  return { instrument: inst.symbol, bid: priceText(inst, b.bid), ask: priceText(inst, b.ask), bidSize: sizeText(inst, b.bidSize), askSize: sizeText(inst, b.askSize), ts: b.ts };
}

/** The first message of a stream; trades start from the open orders as they are now. */
export function helloMessage(session: Session, stream: StreamName, role: string): Record<string, unknown> {
  const hello: Record<string, unknown> = { stream, type: "hello", role, kernelTs: session.core.now() };
  // Later batches may repeat older states of these orders (queued before this), which a client
  // recognises by `updatedTs`.
  if (stream === "trades") hello.openOrders = [...session.core.oms.openOrders()].map((o) => orderJson(session.instruments, o));
  return hello;
}

/**
 * Hooks the core's order and fill listeners (keeping any already set) and the alert subscription
 * onto the queues, each push O(1) and only while the stream has clients; returns the unhook.
 */
export function listenForStreams(session: Session, trades: BoundedQueue<TradeEvent>, alerts: BoundedQueue<Alert>, wantTrades: () => boolean, wantAlerts: () => boolean): () => void {
  const core = session.core;
  const prev = { order: core.listeners.order, fill: core.listeners.fill };
  const onOrder = (o: OrderView) => {
    if (wantTrades()) trades.push({ order: o, status: o.status, filled: o.filled, updatedTs: o.updatedTs, reason: o.reason });
  };
  const onFill = (f: Fill) => {
    if (wantTrades()) trades.push({ fill: f });
  };
  core.listeners.order = prev.order === undefined ? onOrder : (o) => (prev.order!(o), onOrder(o));
  core.listeners.fill = prev.fill === undefined ? onFill : (f) => (prev.fill!(f), onFill(f));
  const unsubscribe = core.alerts.subscribe((a) => {
    if (wantAlerts()) alerts.push(a);
  });
  return () => {
    core.listeners.order = prev.order;
    core.listeners.fill = prev.fill;
    unsubscribe();
  };
}
