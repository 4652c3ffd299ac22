/** The runtime's implementation of the SDK's StrategyContext for one strategy instance. */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { BookView } from "../../plugins/sdk/market.ts";
import type { OrderIntent, OrderView } from "../../plugins/sdk/orders.ts";
import type { StrategyContext } from "../../plugins/sdk/strategy.ts";
import type { Capability } from "../../plugins/sdk/manifest.ts";
import type { TradingState } from "../../plugins/sdk/trading-state.ts";
import { KestrelError } from "../errors/codes.ts";
import type { AlgoRequest, ParentView } from "../../plugins/sdk/algo.ts";

/** What a strategy context needs from the trading core. */
export interface StrategyServices {
  now(): number;
  book(instrument: number): BookView;
  featureIndex(name: string): number;
  features(instrument: number): Float64Array;
  positionOf(strategy: string, instrument: number): number;
  signal(instrument: number): number;
  openOrdersOf(strategy: string, instrument?: number): OrderView[];
  orderOf(strategy: string, orderId: number): OrderView | undefined;
  submit(strategy: string, intent: OrderIntent): number;
  cancel(strategy: string, orderId: number): void;
  cancelAll(strategy: string, instrument?: number): void;
  setTimer(strategy: string, afterUs: number, token: number): void;
  log(strategy: string, message: string, fields?: Record<string, unknown>): void;
  tradingState(): TradingState;
  /** Execution algorithms (absent when the session has none). */
  submitAlgo?(strategy: string, request: AlgoRequest): number;
  parentOf?(strategy: string, parentId: number): ParentView | undefined;
  cancelAlgo?(strategy: string, parentId: number): void;
  /** The OMS's change count (absent where orders are not kept in an OMS). */
  ordersEpoch?(): number;
  /** A count that moves with every market event of `instrument` (its book and features change only then). */
  marketSeq?(instrument: number): number;
  /** A count that moves with every change of any position. */
  positionsEpoch?(): number;
}

/**
 * StrategyContext bound to one strategy instance. Calls that need a capability the manifest does
 * not declare throw PLUGIN_CAPABILITY, which quarantines the strategy like any other throw.
 */
export class RuntimeStrategyContext implements StrategyContext {
  private orders: boolean;
  private timers: boolean;

  constructor(
    readonly name: string,
    public params: never,
    readonly instruments: readonly Instrument[],
    private readonly s: StrategyServices,
    capabilities: readonly Capability[] = ["orders", "timers", "features"],
  ) {
    this.orders = capabilities.includes("orders");
    this.timers = capabilities.includes("timers");
  }

  /** Binds the context to a new plugin version's params and capabilities (hot swap). */
  rebind(params: never, capabilities: readonly Capability[]): void {
    this.params = params;
    this.orders = capabilities.includes("orders");
    this.timers = capabilities.includes("timers");
  }

  private need(allowed: boolean, capability: Capability, call: string): void {
    if (!allowed) throw new KestrelError("PLUGIN_CAPABILITY", `strategy=${this.name} call=${call} needs capability=${capability} (declare it in the manifest)`);
  }
  now(): number {
    return this.s.now();
  }
  book(instrument: number): BookView {
    return this.s.book(instrument);
  }
  featureIndex(name: string): number {
    return this.s.featureIndex(name);
  }
  features(instrument: number): Float64Array {
    return this.s.features(instrument);
  }
  signal(instrument: number): number {
    return this.s.signal(instrument);
  }
  position(instrument: number): number {
    return this.s.positionOf(this.name, instrument);
  }
  openOrders(instrument?: number): readonly OrderView[] {
    return this.s.openOrdersOf(this.name, instrument);
  }
  order(orderId: number): OrderView | undefined {
    return this.s.orderOf(this.name, orderId);
  }
  submit(intent: OrderIntent): number {
    this.need(this.orders, "orders", "submit");
    return this.s.submit(this.name, intent);
  }
  cancel(orderId: number): void {
    this.need(this.orders, "orders", "cancel");
    this.s.cancel(this.name, orderId);
  }
  cancelAll(instrument?: number): void {
    this.need(this.orders, "orders", "cancelAll");
    this.s.cancelAll(this.name, instrument);
  }
  setTimer(afterUs: number, token: number): void {
    this.need(this.timers, "timers", "setTimer");
    this.s.setTimer(this.name, afterUs, token);
  }
  log(message: string, fields?: Record<string, unknown>): void {
    this.s.log(this.name, message, fields);
  }
  tradingState(): TradingState {
    return this.s.tradingState();
  }
  /** A count that moves whenever any order changes (not part of the SDK: for the isolate's mirror); NaN when unknown. */
  ordersEpoch(): number {
    return this.s.ordersEpoch?.() ?? Number.NaN;
  }
  /** A count that moves with every market event of `instrument` (not part of the SDK: for the isolate's mirror); NaN when unknown. */
  marketSeq(instrument: number): number {
    return this.s.marketSeq?.(instrument) ?? Number.NaN;
  }
  /** A count that moves whenever any position changes (not part of the SDK: for the isolate's mirror); NaN when unknown. */
  positionsEpoch(): number {
    return this.s.positionsEpoch?.() ?? Number.NaN;
  }
  submitAlgo(request: AlgoRequest): number {
    this.need(this.orders, "orders", "submitAlgo");
    if (this.s.submitAlgo === undefined) throw new KestrelError("ALGO_NOT_CONFIGURED", `strategy=${this.name} algo=${request.algo} (the deployment has no execution.algos)`);
    return this.s.submitAlgo(this.name, request);
  }
  parent(parentId: number): ParentView | undefined {
    return this.s.parentOf?.(this.name, parentId);
  }
  cancelAlgo(parentId: number): void {
    this.need(this.orders, "orders", "cancelAlgo");
    this.s.cancelAlgo?.(this.name, parentId);
  }
}
