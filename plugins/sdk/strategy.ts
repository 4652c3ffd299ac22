/**
 * Strategy plugins: they read market data and features and emit order intents. They never talk to
 * a venue; the runtime's risk engine decides which intents become orders.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Instrument } from "./instrument.ts";
import type { Manifest } from "./manifest.ts";
import type { BookView, Quote, Trade } from "./market.ts";
import type { Fill, OrderIntent, OrderView } from "./orders.ts";
import type { TradingState } from "./trading-state.ts";
import type { AlgoRequest, ParentView } from "./algo.ts";

/** What the runtime offers a strategy; passed explicitly to every hook. */
export interface StrategyContext<P extends TSchema = TSchema> {
  /** Instance name from the deployment (unique per deployment). */
  readonly name: string;
  /** Params, already validated against the manifest's schema. */
  readonly params: Static<P>;
  /** Instruments the deployment assigned to this strategy. */
  readonly instruments: readonly Instrument[];
  /** Current time in microseconds from the kernel's clock. */
  now(): number;
  /** Current L1 book of an instrument. */
  book(instrument: number): BookView;
  /** Index of a named feature in the feature vector, or -1 when the engine does not compute it. */
  featureIndex(name: string): number;
  /** Current feature vector of an instrument (read-only view; index it with featureIndex). */
  features(instrument: number): Float64Array;
  /**
   * The deployment's model output for an instrument (in [-1, 1]; NaN before the first answer or
   * when the deployment runs no model). Optional: test harnesses may not provide it.
   */
  signal?(instrument: number): number;
  /** Signed position of this strategy in an instrument, in size units. */
  position(instrument: number): number;
  /** This strategy's orders that can still fill. */
  openOrders(instrument?: number): readonly OrderView[];
  /** An order of this strategy by id, or undefined. */
  order(orderId: number): OrderView | undefined;
  /**
   * Sends an intent through risk; returns the order id (check its status: risk may have rejected
   * it), or 0 when the trading state means risk could only refuse it (it is counted, not sent).
   */
  submit(intent: OrderIntent): number;
  /**
   * The deployment's trading state: "active", "reducing" (only orders that shrink a position pass)
   * or "halted" (no new order passes). A strategy should not try to add exposure unless "active".
   * @example
   * if (ctx.tradingState() !== "active") return; // no new entries
   */
  tradingState(): TradingState;
  /** Asks to cancel one of this strategy's orders. */
  cancel(orderId: number): void;
  /** Asks to cancel every open order of this strategy (in one instrument when given). */
  cancelAll(instrument?: number): void;
  /** Calls onTimer(ctx, token) after `afterUs` microseconds of kernel time. */
  setTimer(afterUs: number, token: number): void;
  /** Structured log line tagged with the strategy. */
  log(message: string, fields?: Record<string, unknown>): void;
  /**
   * Hands a parent order to one of the deployment's execution algorithms; returns the parent id
   * (check its status: it may have been rejected). Optional: absent where the runtime has no algorithms.
   */
  submitAlgo?(request: AlgoRequest): number;
  /** One of this strategy's parent orders, or undefined. */
  parent?(parentId: number): ParentView | undefined;
  /** Asks to cancel one of this strategy's parent orders (its open children are canceled). */
  cancelAlgo?(parentId: number): void;
}

/** Hooks a strategy implements; all synchronous, all optional. */
export interface StrategyHooks<P extends TSchema = TSchema> {
  onStart?(ctx: StrategyContext<P>): void;
  onQuote?(ctx: StrategyContext<P>, quote: Quote): void;
  onTrade?(ctx: StrategyContext<P>, trade: Trade): void;
  /** An order of this strategy changed status. */
  onOrder?(ctx: StrategyContext<P>, order: OrderView): void;
  onFill?(ctx: StrategyContext<P>, fill: Fill): void;
  onTimer?(ctx: StrategyContext<P>, token: number): void;
  /** The trading state changed (see `ctx.tradingState()`); called once per change, before the next event. */
  onTradingState?(ctx: StrategyContext<P>, state: TradingState): void;
  onStop?(ctx: StrategyContext<P>): void;
  /**
   * Hot swap, old version: returns the state the next version needs (plain data: numbers,
   * strings, arrays, objects). Called between two events, after the last event this version sees.
   */
  snapshot?(ctx: StrategyContext<P>): unknown;
  /**
   * Hot swap, new version: takes the previous version's snapshot before its first event; `from` is
   * the version that wrote it. Throw to refuse a state it cannot read: the swap is rolled back.
   */
  restore?(ctx: StrategyContext<P>, state: unknown, from: { readonly version: string }): void;
}

/** A strategy plugin: its manifest and a factory of hooks. */
export interface StrategyPlugin<P extends TSchema = TSchema> {
  readonly manifest: Manifest<P> & { readonly kind: "strategy" };
  create(ctx: StrategyContext<P>): StrategyHooks<P>;
}

/**
 * Declares a strategy plugin; an identity function that exists for type inference.
 * @example
 * export default defineStrategy({
 *   manifest: { name: "noop", version: "1.0.0", kind: "strategy", sdk: "^0.1.0", params: Type.Object({}) },
 *   create: () => ({ onQuote(ctx, q) {} }),
 * });
 */
export function defineStrategy<P extends TSchema>(plugin: StrategyPlugin<P>): StrategyPlugin<P> {
  return plugin;
}
