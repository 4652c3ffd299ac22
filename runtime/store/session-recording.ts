/**
 * Attaches a `TickRecorder` to a trading core's listeners, so that a backtest, paper or live
 * session records its quotes, orders, order state changes and fills with no change to the core.
 * Listeners already set (e.g. the admin streams) keep being called first. Each listener call
 * only stores integers, except the first sight of an order id or a reason text.
 */
import type { Fill, OrderView } from "../../plugins/sdk/orders.ts";
import type { MarketEvent } from "../data/sources/market-source.ts";
import type { TickRecorder } from "./recorder.ts";
import { ORDER_STATE_CODE, ORDER_TYPE_CODE } from "./schema.ts";

/** The part of the trading core the recorder hooks: its listeners and the current event id. */
export interface RecordableCore {
  listeners: {
    order?(order: OrderView): void;
    fill?(fill: Fill): void;
    quote?(event: MarketEvent): void;
  };
  readonly eventSeq: number;
}

/** Hooks the core's quote, order and fill listeners to the recorder; returns a function that unhooks them. `strategies` gives each strategy name its id. */
export function attachRecorder(core: RecordableCore, recorder: TickRecorder, strategies: readonly string[]): () => void {
  const strategyId = new Map(strategies.map((s, i) => [s, i]));
  const prev = { ...core.listeners };
  const seen = new Set<number>();
  const onQuote = (ev: MarketEvent): void => recorder.recordQuote(ev.ts, ev.instrument, ev.bid, ev.ask, ev.bidSize, ev.askSize);
  const onOrder = (o: OrderView): void => {
    if (!seen.has(o.id)) {
      seen.add(o.id);
      recorder.recordOrder(o.createdTs, o.id, o.instrument, strategyId.get(o.strategy) ?? -1, o.side, ORDER_TYPE_CODE[o.type], o.price, o.size, core.eventSeq);
    }
    recorder.recordOrderState(o.updatedTs, o.id, ORDER_STATE_CODE[o.status], o.filled, o.reason === "" ? 0 : recorder.label(o.reason));
    if (o.status === "filled" || o.status === "canceled" || o.status === "rejected" || o.status === "expired") seen.delete(o.id);
  };
  const onFill = (f: Fill): void =>
    recorder.recordFill(f.ts, f.orderId, f.id, f.instrument, strategyId.get(f.strategy) ?? -1, f.side, f.price, f.size, f.fee, f.liquidity === "maker" ? 1 : -1);
  core.listeners.quote = prev.quote === undefined ? onQuote : (e) => (prev.quote!(e), onQuote(e));
  core.listeners.order = prev.order === undefined ? onOrder : (o) => (prev.order!(o), onOrder(o));
  core.listeners.fill = prev.fill === undefined ? onFill : (f) => (prev.fill!(f), onFill(f));
  return () => {
    core.listeners.quote = prev.quote;
    core.listeners.order = prev.order;
    core.listeners.fill = prev.fill;
  };
}
