/**
 * The trading core: the one owner of trading state in a session. It runs the per-event order of
 * work (market event -> book -> features -> venue -> strategies -> intents -> risk -> OMS -> venue;
 * execution report -> OMS -> portfolio -> post-trade risk -> strategies), journals every change,
 * and answers the admin plane's reads and commands. Everything here is synchronous.
 */
import type { LearningEvent } from "../learning/online/learning-event.ts";
import type { StrategyPlugin } from "../../plugins/sdk/strategy.ts";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { Fill, OrderIntent, OrderView } from "../../plugins/sdk/orders.ts";
import type { RuleLimitChange } from "../../plugins/sdk/risk.ts";
import { heldBy, type TradingState } from "../../plugins/sdk/trading-state.ts";
import type { ExecutionReport, VenueAdapter } from "../../plugins/sdk/venue.ts";
import { MarketEventKind, type MarketEvent } from "../data/sources/market-source.ts";
import { L1Books, QuoteVerdict } from "../data/l1-books.ts";
import { L2Book } from "../data/l2-book.ts";
import type { FeatureEngine } from "../features/feature-engine.ts";
import type { Alerts } from "../kernel/alerts.ts";
import type { EventLoop, MarketSink } from "../kernel/event-loop.ts";
import { LatencyHistogram } from "../kernel/latency-histogram.ts";
import { WindowedLatency } from "../kernel/windowed-latency.ts";
import { Oms } from "../execution/oms.ts";
import type { Order } from "../execution/order.ts";
import type { Portfolio } from "../portfolio/portfolio.ts";
import type { RiskEngine } from "../risk/engine.ts";
import { resolveLimits, type RiskLimitsConfig } from "../risk/limits.ts";
import type { StrategyHost } from "../strategy/host.ts";
import type { JournalRecord } from "../journal/records.ts";
import type { SnapshotState } from "../journal/snapshot.ts";
import { restoreInto } from "../portfolio/restore.ts";
import type { DecisionRing } from "../audit/decisions.ts";

/** Where the core sends journal records (the journal writer, or nothing in a pure backtest). */
export interface JournalSink {
  append(record: JournalRecord): void;
}

/** Listeners the admin plane and the store attach. */
export interface CoreListeners {
  order?(order: OrderView): void;
  fill?(fill: Fill): void;
  quote?(event: MarketEvent): void;
  trade?(event: MarketEvent): void;
  /** An equity sample: kernel time and the portfolio's P&L in the account currency (capital excluded). */
  equity?(ts: number, equity: number): void;
}

const ANOMALY_NAMES: Record<number, string> = {
  [QuoteVerdict.Crossed]: "DATA_CROSSED_QUOTE",
  [QuoteVerdict.Duplicate]: "DATA_DUPLICATE_QUOTE",
  [QuoteVerdict.OutOfOrder]: "DATA_OUT_OF_ORDER",
  [QuoteVerdict.Invalid]: "DATA_INVALID_QUOTE",
};

/** Session state and the pipeline. */
export class TradingCore implements MarketSink {
  readonly oms = new Oms();
  readonly books: L1Books;
  readonly tickToOrder = new LatencyHistogram();
  /** The same latencies over the last minute of wall time (status line, metrics). */
  readonly tickToOrderRecent = new WindowedLatency();
  venue!: VenueAdapter;
  journal: JournalSink | null = null;
  listeners: CoreListeners = {};
  /** Kernel events processed (the cause id orders carry). */
  eventSeq = 0;
  /** Market events whose quote was not applied, by reason. */
  readonly rejectsByReason = new Map<string, number>();
  /** OMS refusals of venue reports (should stay 0 with a correct venue). */
  omsErrors = 0;
  measureLatency = false;
  /** A pause between two quotes of an instrument longer than this is reported as DATA_GAP (µs). */
  gapUs = 300_000_000;
  /** A quote older than this at a stale check is reported as DATA_STALE_FEED (µs). */
  staleUs = 30_000_000;
  /** The model version and answer time orders are caused by (set when the deployment runs a model). */
  modelCause: (() => string) | null = null;
  /** Flush the journal before each order leaves (live venues: the order must never exist only outside). */
  writeAhead = false;
  /** Writes buffered journal records to the file (set by the session when it journals). */
  journalFlush: (() => boolean | void) | null = null;
  private inSubmit = false;
  private killSoon: { reason: string; by: string } | null = null;
  /** Called when the kill switch is engaged (true) or released (false). */
  onKillChange: ((engaged: boolean) => void) | null = null;
  /** Strategy intents not sent because the trading state meant risk could only refuse them, by reason. */
  readonly heldIntents = new Map<string, number>();
  /** The trading state strategies were last told (they start "active"). */
  private toldState: TradingState = "active";
  /** Performance hook for each fill: realised P&L, fee and notional in account currency. */
  onTrade: ((realised: number, fee: number, notional: number, closes: boolean) => void) | null = null;
  private eventStartNs = 0;
  private fillsHasher = new Bun.CryptoHasher("sha256");
  /** The last limits change as journaled ("" when the deployment's limits stand). */
  private limitsChange = "";
  private nextEquitySample = 0;
  private readonly versions = new Map<string, string>();
  private readonly l2: (L2Book | undefined)[] = [];
  /** True while the journal is replayed: nothing downstream is told. */
  private replaying = false;
  /** True while start-up reconciliation applies what the venue reports: journaled, strategies not told (they have not started). */
  private reconciling = false;
  /** The values behind the newest orders (book, features, model signal), for explanations; null when not kept. */
  decisions: DecisionRing | null = null;
  /** Open orders the venue already holds (start-up reconciliation): not sent again by resubmitOpen. */
  readonly atVenue = new Set<number>();
  /** 1 where the feature kernels run for an instrument (see the deployment's features.instruments). */
  readonly featureOn: Uint8Array;
  private readonly topBidPrices: Float64Array;
  private readonly topBidSizes: Float64Array;
  private readonly topAskPrices: Float64Array;
  private readonly topAskSizes: Float64Array;

  constructor(
    readonly instruments: readonly Instrument[],
    readonly loop: EventLoop,
    readonly features: FeatureEngine,
    readonly host: StrategyHost,
    readonly risk: RiskEngine,
    readonly portfolio: Portfolio,
    readonly alerts: Alerts,
    readonly accountCurrency: string,
    readonly equityEveryUs: number,
    readonly onEquity: (ts: number, equity: number) => void,
    books?: L1Books,
  ) {
    this.books = books ?? new L1Books(instruments.length);
    this.featureOn = new Uint8Array(instruments.length).fill(1);
    const k = features.depthLevels;
    this.topBidPrices = new Float64Array(k);
    this.topBidSizes = new Float64Array(k);
    this.topAskPrices = new Float64Array(k);
    this.topAskSizes = new Float64Array(k);
  }

  /** Records the plugin version behind orders of a strategy (for the audit trail). */
  setVersion(strategy: string, version: string): void {
    this.versions.set(strategy, version);
  }

  /** Kernel time. */
  now(): number {
    return this.loop.clock.now();
  }

  /** Market event entry point (from the event loop). */
  onMarket(ev: MarketEvent): void {
    this.eventSeq++;
    if (this.measureLatency) this.eventStartNs = Bun.nanoseconds();
    const kind = ev.kind;
    if (kind === MarketEventKind.Quote) this.quoteEvent(ev);
    else if (kind === MarketEventKind.Trade) this.tradeEvent(ev);
    else if (kind === MarketEventKind.BookDelta) this.bookDeltaEvent(ev);
    else this.dataAnomaly(QuoteVerdict.Invalid, ev.instrument);
    if (ev.ts >= this.nextEquitySample) this.sampleEquity(ev.ts);
    // Orders sent later (timers, reports) are not caused by this tick: they are not timed.
    this.eventStartNs = 0;
  }

  /** L2 book of an instrument, when its feed sends depth. */
  depth(instrument: number): L2Book | undefined {
    return this.l2[instrument];
  }

  private quoteEvent(ev: MarketEvent): void {
    const inst = ev.instrument;
    const before = this.books.books[inst];
    const prevTs = before !== undefined && before.valid ? before.ts : ev.ts;
    const verdict = this.books.applyQuote(inst, ev.ts, ev.bid, ev.ask, ev.bidSize, ev.askSize);
    if (verdict === QuoteVerdict.Applied && ev.ts - prevTs > this.gapUs) this.feedGap(inst, prevTs, ev.ts);
    if (verdict !== QuoteVerdict.Applied) {
      this.dataAnomaly(verdict, inst);
      return;
    }
    if (this.featureOn[inst] === 1) this.features.onQuote(inst, ev.ts, ev.bid, ev.ask, ev.bidSize, ev.askSize);
    this.portfolio.mark(inst, ev.bid, ev.ask);
    this.venue.onQuote?.(ev);
    this.host.onQuote(ev);
    this.listeners.quote?.(ev);
  }

  private tradeEvent(ev: MarketEvent): void {
    const inst = ev.instrument;
    if (!(ev.price > 0) || !(ev.size > 0) || this.books.books[inst] === undefined) {
      this.dataAnomaly(QuoteVerdict.Invalid, inst);
      return;
    }
    if (this.featureOn[inst] === 1) this.features.onTrade(inst, ev.ts, ev.price, ev.size, ev.side);
    this.venue.onTrade?.(ev);
    this.host.onTrade(ev);
    this.listeners.trade?.(ev);
  }

  /**
   * Applies a depth update to the instrument's L2 book; the feature engine sees the top levels,
   * and when the top of book changes, everything downstream sees it as a quote.
   */
  private bookDeltaEvent(ev: MarketEvent): void {
    const inst = ev.instrument;
    const l1 = this.books.books[inst];
    if (l1 === undefined || !(ev.price > 0) || ev.size < 0 || (ev.side !== 1 && ev.side !== -1) || ev.ts < l1.ts) {
      this.dataAnomaly(ev.ts < (l1?.ts ?? 0) ? QuoteVerdict.OutOfOrder : QuoteVerdict.Invalid, inst);
      return;
    }
    let book = this.l2[inst];
    if (book === undefined) {
      book = new L2Book();
      this.l2[inst] = book;
    }
    book.apply(ev.side, ev.price, ev.size);
    book.ts = ev.ts;
    // Several deltas at one ts may pass through a crossed or one-sided book: wait for a sane one.
    if (!book.uncrossed) return;
    const k = this.features.depthLevels;
    book.top(k, this.topBidPrices, this.topBidSizes, this.topAskPrices, this.topAskSizes);
    if (this.featureOn[inst] === 1) this.features.kernels.onBook(inst, ev.ts, this.topBidPrices, this.topBidSizes, this.topAskPrices, this.topAskSizes, k);
    const bid = book.bids.bestPrice();
    const ask = book.asks.bestPrice();
    const bidSize = book.bids.bestSize();
    const askSize = book.asks.bestSize();
    if (l1.valid && bid === l1.bid && ask === l1.ask && bidSize === l1.bidSize && askSize === l1.askSize) return;
    ev.bid = bid;
    ev.ask = ask;
    ev.bidSize = bidSize;
    ev.askSize = askSize;
    this.quoteEvent(ev);
  }

  /**
   * The trading state: "halted" while the kill switch is engaged or a risk plugin asks for it,
   * "reducing" while the loss breaker is tripped or a plugin asks for it, else "active".
   */
  get tradingState(): TradingState {
    return this.risk.tradingState;
  }

  /**
   * A risk plugin's trading-state request (see RiskContext.requestTradingState), or an operator's
   * release of it (`by`): journaled as a control record `trading-state` (subject the rule, reason
   * `{ state, reason, effective, by }` as JSON), alerted (RISK_TRADING_HALTED / _REDUCING / _ACTIVE), told to the
   * strategies; when the deployment becomes halted every working order is canceled. Returns false
   * when the rule already stood in `state`.
   */
  ruleTradingState(rule: string, state: TradingState, reason: string, by = ""): boolean {
    const before = this.tradingState;
    if (!this.risk.setRuleState(rule, state, reason, this.now())) return false;
    const effective = this.tradingState;
    this.journal?.append({ t: "control", kind: "trading-state", subject: rule, reason: JSON.stringify({ state, reason, effective, ...(by === "" ? {} : { by }) }), ts: this.now() });
    const severity = state === "halted" ? "critical" : state === "reducing" ? "warning" : "info";
    this.alerts.raise(this.now(), `RISK_TRADING_${state.toUpperCase()}`, severity, rule, `rule=${rule} state=${state} effective=${effective}${by === "" ? "" : ` by=${by}`} ${reason}`.trimEnd());
    if (effective === "halted" && before !== "halted") this.cancelAll(null);
    this.noticeTradingState();
    return true;
  }

  /**
   * Sends a strategy's intent through risk, unless the strategy is paused (held as STRATEGY_PAUSED)
   * or the trading state means risk could only refuse it: then it is counted in `heldIntents` under
   * that code, and 0 is returned (no order, no journal record, no log line).
   */
  submitFromStrategy(strategy: string, intent: OrderIntent): number {
    // A paused strategy still hears its fills and orders (it owns its position) but sends nothing.
    if (this.host.get(strategy)?.state === "paused") {
      this.heldIntents.set("STRATEGY_PAUSED", (this.heldIntents.get("STRATEGY_PAUSED") ?? 0) + 1);
      return 0;
    }
    const state = this.tradingState;
    if (state !== "active" && intent.instrument >= 0 && intent.instrument < this.instruments.length) {
      const held = heldBy(state, intent.side, intent.size, this.portfolio.position(intent.instrument)) === null ? null : this.risk.heldCode(state);
      if (held !== null) {
        this.heldIntents.set(held, (this.heldIntents.get(held) ?? 0) + 1);
        return 0;
      }
    }
    return this.submit(strategy, intent);
  }

  /** Tells the strategies when the trading state changed since they were last told. */
  noticeTradingState(): void {
    const state = this.tradingState;
    if (state === this.toldState || this.replaying) return;
    this.toldState = state;
    this.host.onTradingState(state);
  }

  /** Journals a limit a risk rule changed (control record `rule-limit`, subject the rule). */
  ruleLimitChange(rule: string, change: RuleLimitChange): void {
    const { instrument, limit, from, to, why } = change;
    this.journal?.append({ t: "control", kind: "rule-limit", subject: rule, reason: JSON.stringify({ instrument, limit, from, to, why }), ts: this.now() });
  }

  /** Sends an intent through risk; returns the order id (rejected orders keep their reason). */
  submit(strategy: string, intent: OrderIntent): number {
    const now = this.now();
    const verdict = this.risk.check(strategy, intent, now);
    const cause = { event: this.eventSeq, version: this.versions.get(strategy) ?? "manual", features: this.eventSeq, model: this.modelCause?.() ?? "" };
    const order = this.oms.create(strategy, intent, now, cause);
    this.decisions?.record(order.id, order.instrument);
    const rejected = verdict === null ? "" : `${verdict.code}: ${verdict.reason}`;
    if (verdict !== null) this.oms.rejectNew(order, rejected, now);
    this.journal?.append({
      t: "order",
      id: order.id,
      strategy,
      instrument: order.instrument,
      side: order.side,
      type: order.type,
      tif: order.tif,
      price: order.price,
      stopPrice: order.stopPrice,
      size: order.size,
      expireTs: order.expireTs,
      postOnly: order.postOnly,
      reduceOnly: order.reduceOnly,
      tag: order.tag,
      ts: now,
      event: cause.event,
      version: cause.version,
      features: cause.features,
      model: cause.model,
      rejected,
    });
    if (verdict === null) {
      // A live venue sees the order only after the journal holds it (write-ahead, no fsync here);
      // an order the journal could not write is not sent (refused here, kill switch engaged after).
      this.inSubmit = true;
      const written = this.writeAhead ? this.journalFlush?.() !== false : true;
      this.inSubmit = false;
      if (written) this.sendToVenue(order);
      else this.onReport({ kind: "rejected", orderId: order.id, ts: now, reason: "JOURNAL_WRITE_FAILED: the journal could not write the order" });
      if (this.killSoon !== null) {
        const k = this.killSoon;
        this.killSoon = null;
        if (!this.risk.killSwitch) this.engageKill(k.reason, k.by);
      }
    }
    this.listeners.order?.(order);
    return order.id;
  }

  /** Asks the venue to cancel an order of `strategy` (any strategy when null). */
  cancel(strategy: string | null, orderId: number): boolean {
    const order = this.oms.get(orderId);
    if (order === undefined || (strategy !== null && order.strategy !== strategy)) return false;
    if (!this.oms.requestCancel(orderId, this.now())) return false;
    this.journal?.append({ t: "cancel", orderId, ts: this.now() });
    this.listeners.order?.(order);
    this.venue.cancel(orderId);
    return true;
  }

  /** Cancels every open order of a strategy (all strategies when null), optionally in one instrument. */
  cancelAll(strategy: string | null, instrument?: number): number {
    const ids: number[] = [];
    for (const o of this.oms.openOrders()) {
      if ((strategy === null || o.strategy === strategy) && (instrument === undefined || o.instrument === instrument)) ids.push(o.id);
    }
    let n = 0;
    for (const id of ids) if (this.cancel(null, id)) n++;
    return n;
  }

  /** Applies a venue's execution report. */
  onReport(report: ExecutionReport): void {
    const outcome = this.oms.apply(report);
    if (!outcome.ok) {
      this.omsErrors++;
      this.alerts.raise(this.now(), outcome.code, "critical", `order ${report.orderId}`, outcome.reason);
      return;
    }
    if (!outcome.changed) return;
    const { order, fill } = outcome;
    this.journal?.append({ t: "report", report, fillId: fill?.id ?? 0 });
    if (fill !== null) this.applyFill(fill);
    this.listeners.order?.(order);
    if (!this.reconciling) this.host.onOrder(order.strategy, order);
  }

  /**
   * Applies what start-up reconciliation found: reports (journaled and applied like any report,
   * strategies not told) and orders the venue holds that the journal lacked (journaled as orders of
   * `strategy` with their venue id). Strategies are told only when `tell` (a reconciliation while
   * trading). Returns the OMS refusals, as `CODE: reason` lines.
   */
  applyReconciled(reports: readonly ExecutionReport[], tell = false): string[] {
    const refused: string[] = [];
    this.reconciling = !tell;
    try {
      for (const r of reports) {
        const before = this.omsErrors;
        this.onReport(r);
        if (this.omsErrors !== before) refused.push(`order=${r.orderId} report=${r.kind}`);
      }
    } finally {
      this.reconciling = false;
    }
    return refused;
  }

  /** Takes into the OMS a working order the venue holds that the journal does not (journaled as an order record). */
  adoptOrder(strategy: string, intent: OrderIntent, id: number): Order {
    const now = this.now();
    const cause = { event: this.eventSeq, version: "reconciled", features: this.eventSeq, model: "" };
    const order = this.oms.create(strategy, intent, now, cause, id);
    this.journal?.append({
      t: "order", id: order.id, strategy, instrument: order.instrument, side: order.side, type: order.type, tif: order.tif, price: order.price,
      stopPrice: order.stopPrice, size: order.size, expireTs: order.expireTs, postOnly: order.postOnly, reduceOnly: order.reduceOnly, tag: order.tag,
      ts: now, event: cause.event, version: cause.version, features: cause.features, model: "", rejected: "",
    });
    this.atVenue.add(order.id);
    this.listeners.order?.(order);
    return order;
  }

  /** Books a venue's funding payment (money units of the instrument, received > 0) into the portfolio; journaled. */
  onFunding(instrument: number, amount: number): void {
    const inst = this.instruments[instrument];
    if (inst === undefined || !Number.isSafeInteger(amount)) {
      this.alerts.raise(this.now(), "FUNDING_INVALID", "critical", `instrument ${instrument}`, `amount=${amount}: not booked`);
      return;
    }
    if (amount === 0) return;
    this.portfolio.applyFunding(instrument, amount);
    this.journal?.append({ t: "control", kind: "funding", subject: inst.symbol, reason: String(amount), ts: this.now() });
  }

  /** Engages the kill switch: refuses new orders and cancels every working one. */
  engageKill(reason: string, by: string): void {
    this.risk.engageKill(`${reason} by=${by}`);
    this.onKillChange?.(true);
    this.journal?.append({ t: "control", kind: "kill", subject: by, reason, ts: this.now() });
    this.alerts.raise(this.now(), "KILL_SWITCH", "critical", "risk", `kill switch engaged by=${by} reason=${reason}`);
    this.cancelAll(null);
    this.noticeTradingState();
  }

  /** Engages the kill switch now, or right after the order being submitted when called from inside a submit (a write-ahead flush). */
  engageKillSoon(reason: string, by: string): void {
    if (this.inSubmit) this.killSoon = { reason, by };
    else if (!this.risk.killSwitch) this.engageKill(reason, by);
  }

  /** Whether the kill switch is engaged. */
  get killEngaged(): boolean {
    return this.risk.killSwitch;
  }

  /** Releases the kill switch. */
  releaseKill(by: string): void {
    this.risk.releaseKill();
    this.onKillChange?.(false);
    this.journal?.append({ t: "control", kind: "release", subject: by, reason: "", ts: this.now() });
    this.alerts.raise(this.now(), "KILL_SWITCH_RELEASED", "warning", "risk", `kill switch released by=${by}`);
    this.noticeTradingState();
  }

  /**
   * Applies new risk limits (validated by the caller), journaled as a control record so a restart
   * keeps them and the audit trail shows who changed what.
   */
  applyLimits(limits: RiskLimitsConfig, overrides: Readonly<Record<string, Partial<RiskLimitsConfig>>>, by: string): void {
    this.risk.setLimits(limits, resolveLimits(this.instruments, limits, overrides));
    this.limitsChange = JSON.stringify({ limits, instruments: overrides });
    this.journal?.append({ t: "control", kind: "limits", subject: by, reason: this.limitsChange, ts: this.now() });
    this.alerts.raise(this.now(), "RISK_LIMITS_CHANGED", "info", "risk", `limits changed by=${by}`);
  }

  /** Restarts a quarantined strategy with fresh hooks; journaled. False when it was not quarantined or fails again at once. */
  restartStrategy(strategy: string, by: string): boolean {
    if (!this.host.restart(strategy)) return false;
    this.journal?.append({ t: "control", kind: "resume", subject: strategy, reason: `restart by=${by}`, ts: this.now() });
    this.alerts.raise(this.now(), "PLUGIN_RESTARTED", "warning", strategy, `strategy=${strategy} restarted by=${by}`);
    return true;
  }

  /** The plugin reference last deployed for each strategy while running (restored from the journal; a restart deploys it again). */
  readonly deployed = new Map<string, string>();

  /**
   * Deploys a new version of a strategy's plugin in the running session (hot swap between two
   * events); its working orders are handed over or cancelled. Journaled with the plugin reference
   * and both versions; null on success, else why (the old version keeps running). `replay` (a
   * restart coming back on the deployed version) starts it fresh and journals nothing.
   */
  deployStrategy(strategy: string, next: StrategyPlugin, ref: string, orders: "hand-over" | "cancel", by: string, replay = false): string | null {
    const slot = this.host.get(strategy);
    if (slot === undefined) return `no strategy ${strategy}`;
    const from = slot.plugin.manifest.version;
    const failure = this.host.swap(strategy, next, !replay);
    if (replay) {
      if (failure === null) this.setVersion(strategy, next.manifest.version);
      return failure;
    }
    if (failure !== null) {
      this.alerts.raise(this.now(), "PLUGIN_DEPLOY_FAILED", "warning", strategy, `strategy=${strategy} plugin=${ref} ${failure} (rolled back to ${from})`);
      return failure;
    }
    if (orders === "cancel") this.cancelAll(strategy);
    this.setVersion(strategy, next.manifest.version);
    this.deployed.set(strategy, ref);
    this.journal?.append({ t: "control", kind: "deploy", subject: strategy, reason: JSON.stringify({ plugin: ref, from, to: next.manifest.version, orders, by }), ts: this.now() });
    this.alerts.raise(this.now(), "PLUGIN_DEPLOYED", "info", strategy, `strategy=${strategy} plugin=${ref} version=${from}->${next.manifest.version} orders=${orders} by=${by}`);
    return null;
  }

  /** Strategies the watchdog moved into an isolate (restored from the journal; a restart runs them isolated). */
  readonly isolated = new Set<string>();

  /**
   * Moves an in-process strategy whose overruns reached its limit into `next`, an isolate of the
   * same plugin, between two events: its state is handed over (snapshot/restore) and its working
   * orders stay its own. Journaled as a `deploy` control record by the watchdog (`isolated: true`),
   * alert PLUGIN_ISOLATED; null on success, else why (the caller quarantines it then).
   */
  isolateStrategy(strategy: string, next: StrategyPlugin, ref: string, why: string): string | null {
    const slot = this.host.get(strategy);
    if (slot === undefined) return `no strategy ${strategy}`;
    const version = slot.plugin.manifest.version;
    const failure = this.host.swap(strategy, next, true);
    if (failure !== null) return failure;
    this.isolated.add(strategy);
    this.deployed.set(strategy, ref);
    this.journal?.append({ t: "control", kind: "deploy", subject: strategy, reason: JSON.stringify({ plugin: ref, from: version, to: version, orders: "hand-over", by: "watchdog", isolated: true, why }), ts: this.now() });
    this.alerts.raise(this.now(), "PLUGIN_ISOLATED", "warning", strategy, `strategy=${strategy} plugin=${ref} moved into an isolate, state and orders handed over: ${why}`);
    return null;
  }

  /** The live and shadow model references after the last promotion (restored from the journal; a restart starts them so). */
  promotedModels: { live: string; shadow: string } | null = null;

  /** Online learning's version events (journaled; a restart reads them back). */
  readonly learningLog: LearningEvent[] = [];

  /** Journals one online-learning version event and raises its alert (rollbacks and rejections warn). */
  learningEvent(algo: string, e: LearningEvent): void {
    this.learningLog.push(e);
    this.journal?.append({ t: "control", kind: "learning", subject: algo, reason: JSON.stringify(e), ts: this.now() });
    const code = e.status === "accepted" ? "POLICY_UPDATED" : e.status === "rejected" ? "POLICY_UPDATE_REJECTED" : "POLICY_ROLLED_BACK";
    this.alerts.raise(this.now(), code, e.status === "accepted" ? "info" : "warning", algo, `algo=${algo} version=${e.version} status=${e.status} live=${e.live}${e.reason === undefined ? "" : ` ${e.reason}`}`);
  }

  /** Journals and announces a model promotion (the model set has already swapped live and shadow). */
  modelPromoted(live: string, shadow: string, by: string): void {
    this.promotedModels = { live, shadow };
    this.journal?.append({ t: "control", kind: "promote", subject: "models", reason: JSON.stringify({ live, shadow, from: shadow, to: live, by }), ts: this.now() });
    this.alerts.raise(this.now(), "MODEL_PROMOTED", "info", "models", `live=${live} (was ${shadow}, now the shadow) by=${by}`);
  }

  /** Pauses or resumes a strategy; false when there is no such strategy or it is quarantined. */
  setPaused(strategy: string, paused: boolean, by: string): boolean {
    const slot = this.host.get(strategy);
    if (slot === undefined || slot.state === "quarantined") return false;
    slot.state = paused ? "paused" : "running";
    this.journal?.append({ t: "control", kind: paused ? "pause" : "resume", subject: strategy, reason: `by=${by}`, ts: this.now() });
    return true;
  }

  /** Reacts to a strategy's quarantine (called by the host). */
  quarantined(strategy: string, policy: "cancel-all" | "leave", failure: string): void {
    this.journal?.append({ t: "control", kind: "quarantine", subject: strategy, reason: failure, ts: this.now() });
    this.alerts.raise(this.now(), "PLUGIN_QUARANTINED", "critical", strategy, `strategy=${strategy} ${failure} policy=${policy}`);
    if (policy === "cancel-all") this.cancelAll(strategy);
  }

  /**
   * Raises DATA_STALE_FEED for each instrument whose last quote is older than the stale limit at
   * kernel time `now` (the real-time runner calls this about once a second). Returns how many are stale.
   */
  checkStale(now: number): number {
    let stale = 0;
    for (const book of this.books.books) {
      if (!book.valid || now - book.ts <= this.staleUs) continue;
      stale++;
      const symbol = this.instruments[book.instrument]?.symbol ?? `#${book.instrument}`;
      this.alerts.raise(now, "DATA_STALE_FEED", "warning", symbol, `instrument=${symbol} last_quote_age_s=${((now - book.ts) / 1e6).toFixed(1)} limit_s=${this.staleUs / 1e6}`);
    }
    return stale;
  }

  /** Hex SHA-256 over every fill applied so far, in order. */
  fillsHash(): string {
    return this.fillsHasher.copy().digest("hex");
  }

  /** Unfilled size of open orders on one side of an instrument. */
  working(instrument: number, side: 1 | -1): number {
    let n = 0;
    for (const o of this.oms.openOrders()) if (o.instrument === instrument && o.side === side) n += o.remaining;
    return n;
  }

  /** Open orders of a strategy (optionally one instrument). */
  openOrdersOf(strategy: string, instrument?: number): Order[] {
    const out: Order[] = [];
    for (const o of this.oms.openOrders()) if (o.strategy === strategy && (instrument === undefined || o.instrument === instrument)) out.push(o);
    return out;
  }

  /**
   * Rebuilds state from journal records, without talking to the venue, the strategies or the
   * listeners (they already saw these events; strategies read their positions from the context).
   * Kernel time moves to the last record's time.
   */
  restore(records: readonly JournalRecord[]): void {
    this.replaying = true;
    try {
      for (const r of records) this.restoreOne(r);
    } finally {
      this.replaying = false;
    }
  }

  /**
   * The state a journal snapshot carries (see journal/snapshot.ts); `records` is how many records
   * the journal holds before it and `lastTs` the time of the last one. Not for the hot path.
   */
  snapshotState(records: number, lastTs: number): SnapshotState {
    const orders: SnapshotState["orders"] = [];
    for (const o of this.oms.openOrders()) {
      orders.push({
        id: o.id, strategy: o.strategy, instrument: o.instrument, side: o.side, type: o.type, tif: o.tif, price: o.price, stopPrice: o.stopPrice,
        size: o.size, expireTs: o.expireTs, postOnly: o.postOnly, reduceOnly: o.reduceOnly, tag: o.tag, createdTs: o.createdTs, updatedTs: o.updatedTs,
        status: o.status, filled: o.filled, notionalFilled: o.notionalFilled, reason: o.reason,
        cause: { event: o.cause.event, version: o.cause.version, features: o.cause.features, model: o.cause.model ?? "" },
      });
    }
    return {
      records,
      lastTs,
      orders,
      lastOrderId: this.oms.orderIds.current,
      lastFillId: this.oms.fillIds.current,
      ordersCreated: this.oms.created,
      ordersRefused: this.oms.refused,
      portfolio: this.portfolio.snapshot(),
      kill: { engaged: this.risk.killSwitch, reason: this.risk.killReason },
      limits: this.limitsChange,
      strategies: this.host.slots.map((s) => {
        const deployed = this.deployed.get(s.name);
        const st = deployed === undefined ? { name: s.name, state: s.state } : { name: s.name, state: s.state, deployed };
        return this.isolated.has(s.name) ? { ...st, isolated: true } : st;
      }),
      fillsHash: this.fillsHash(),
      fillCount: this.portfolio.fillCount,
      ...(this.promotedModels === null ? {} : { models: { ...this.promotedModels } }),
      ...(this.learningLog.length === 0 ? {} : { learning: this.learningLog.map((e) => ({ ...e })) }),
    };
  }

  /**
   * Restores a checked snapshot into this freshly built core (before any tail is replayed): open
   * orders, id counters, portfolio, kill switch, limits and strategy states. Finished orders stay
   * in the journal. The fills hash continues as a chain from the snapshot's hash.
   */
  restoreSnapshot(s: SnapshotState): void {
    this.loop.clock.advance(s.lastTs);
    for (const o of s.orders) {
      const intent: OrderIntent = {
        instrument: o.instrument, side: o.side, type: o.type as OrderIntent["type"], size: o.size, price: o.price || undefined,
        stopPrice: o.stopPrice || undefined, tif: o.tif as OrderIntent["tif"], expireTs: o.expireTs || undefined, postOnly: o.postOnly,
        reduceOnly: o.reduceOnly, tag: o.tag,
      };
      const order = this.oms.create(o.strategy, intent, o.createdTs, o.cause, o.id);
      order.status = o.status as Order["status"];
      order.filled = o.filled;
      order.notionalFilled = o.notionalFilled;
      order.updatedTs = o.updatedTs;
      order.reason = o.reason;
      this.oms.changes++;
    }
    this.oms.orderIds.observe(s.lastOrderId);
    this.oms.fillIds.observe(s.lastFillId);
    this.oms.created = s.ordersCreated;
    this.oms.refused = s.ordersRefused;
    restoreInto(this.portfolio, s.portfolio, false);
    if (s.kill.engaged) this.risk.engageKill(s.kill.reason);
    if (s.limits !== "") {
      const change = JSON.parse(s.limits) as { limits: RiskLimitsConfig; instruments: Record<string, Partial<RiskLimitsConfig>> };
      this.risk.setLimits(change.limits, resolveLimits(this.instruments, change.limits, change.instruments));
      this.limitsChange = s.limits;
    }
    for (const st of s.strategies) {
      const slot = this.host.get(st.name);
      if (slot !== undefined) slot.state = st.state as typeof slot.state;
      if (st.deployed !== undefined) this.deployed.set(st.name, st.deployed);
      if (st.isolated === true) this.isolated.add(st.name);
    }
    if (s.models !== undefined) this.promotedModels = { ...s.models };
    if (s.learning !== undefined) this.learningLog.splice(0, this.learningLog.length, ...s.learning);
    this.fillsHasher = new Bun.CryptoHasher("sha256").update(`snapshot:${s.fillsHash};`);
  }

  private restoreOne(r: JournalRecord): void {
    if (r.t === "snapshot") return;
    this.loop.clock.advance(r.t === "report" ? r.report.ts : r.ts);
    switch (r.t) {
        case "order": {
          const intent: OrderIntent = {
            instrument: r.instrument,
            side: r.side,
            type: r.type,
            size: r.size,
            price: r.price || undefined,
            stopPrice: r.stopPrice || undefined,
            tif: r.tif,
            expireTs: r.expireTs || undefined,
            postOnly: r.postOnly,
            reduceOnly: r.reduceOnly,
            tag: r.tag,
          };
          const order = this.oms.create(r.strategy, intent, r.ts, { event: r.event, version: r.version, features: r.features, model: r.model ?? "" }, r.id);
          if (r.rejected !== "") this.oms.rejectNew(order, r.rejected, r.ts);
          break;
        }
        case "report": {
          const outcome = this.oms.apply(r.report, r.fillId || undefined);
          if (!outcome.ok) throw new Error(`JOURNAL_CORRUPT: replay refused ${outcome.code} ${outcome.reason}`);
          if (outcome.fill !== null) this.applyFill(outcome.fill);
          break;
        }
        case "cancel":
          this.oms.requestCancel(r.orderId, r.ts);
          break;
        case "control":
          // As engageKill stores it, so a restart shows the same reason as the session did.
          if (r.kind === "kill") this.risk.engageKill(`${r.reason} by=${r.subject}`);
          else if (r.kind === "release") this.risk.releaseKill();
          else if (r.kind === "limits") {
            const change = JSON.parse(r.reason) as { limits: RiskLimitsConfig; instruments: Record<string, Partial<RiskLimitsConfig>> };
            this.risk.setLimits(change.limits, resolveLimits(this.instruments, change.limits, change.instruments));
            this.limitsChange = r.reason;
          }
          // A rule's trading-state request is not restored: the rule decides again from the market after a restart.
          else if (r.kind === "trading-state" || r.kind === "rule-limit") break;
          else if (r.kind === "deploy") {
            const d = JSON.parse(r.reason) as { plugin: string; isolated?: boolean };
            this.deployed.set(r.subject, d.plugin);
            if (d.isolated === true) this.isolated.add(r.subject);
          }
          else if (r.kind === "funding") {
            const inst = this.instruments.find((x) => x.symbol === r.subject);
            if (inst === undefined) throw new Error(`JOURNAL_CORRUPT: funding on unknown instrument ${r.subject}`);
            this.portfolio.applyFunding(inst.id, Number(r.reason));
          }
          else if (r.kind === "learning") this.learningLog.push(JSON.parse(r.reason) as LearningEvent);
          else if (r.kind === "promote") {
            const m = JSON.parse(r.reason) as { live: string; shadow: string };
            this.promotedModels = { live: m.live, shadow: m.shadow };
          }
          else {
            const slot = this.host.get(r.subject);
            if (slot !== undefined) slot.state = r.kind === "quarantine" ? "quarantined" : r.kind === "pause" ? "paused" : "running";
          }
          break;
    }
  }

  /** Sends every open order to the venue again (after a restart, the simulated venue starts empty). */
  resubmitOpen(): number {
    let n = 0;
    const open = [...this.oms.openOrders()];
    for (const o of open) {
      if (this.atVenue.has(o.id)) {
        // Still working at the venue: only a cancel that was in flight is asked again.
        if (o.status === "pending-cancel") this.venue.cancel(o.id);
        continue;
      }
      // The order goes back to the venue; one whose cancel was in flight is canceled again after it.
      this.sendToVenue(o);
      if (o.status === "pending-cancel") this.venue.cancel(o.id);
      n++;
    }
    return n;
  }

  /** Sends one open order to the venue again (reconciliation after a reconnect found the venue lost it); false when it is not open. */
  sendAgain(orderId: number): boolean {
    const o = this.oms.get(orderId);
    if (o === undefined || o.status === "filled" || o.status === "canceled" || o.status === "rejected" || o.status === "expired") return false;
    this.sendToVenue(o);
    if (o.status === "pending-cancel") this.venue.cancel(o.id);
    return true;
  }

  private sendToVenue(order: Order): void {
    if (this.eventStartNs !== 0) {
      const now = Bun.nanoseconds();
      this.tickToOrder.record(now - this.eventStartNs);
      this.tickToOrderRecent.record(now - this.eventStartNs, now);
    }
    this.venue.submit({
      id: order.id,
      instrument: order.instrument,
      side: order.side,
      type: order.type,
      tif: order.tif,
      price: order.price,
      stopPrice: order.stopPrice,
      size: order.remaining,
      expireTs: order.expireTs,
      postOnly: order.postOnly,
      reduceOnly: order.reduceOnly,
      ts: this.now(),
    });
  }

  private applyFill(fill: Fill): void {
    const realisedBefore = this.portfolio.realised(fill.instrument);
    this.portfolio.applyFill(fill);
    this.fillsHasher.update(`${fill.id},${fill.orderId},${fill.instrument},${fill.side},${fill.price},${fill.size},${fill.fee},${fill.ts};`);
    if (this.replaying) return;
    if (this.onTrade !== null) {
      const inst = this.instruments[fill.instrument]!;
      const scale = 10 ** (inst.priceDecimals + inst.sizeDecimals);
      const realised = this.portfolio.realised(fill.instrument) - realisedBefore;
      try {
        const toAccount = (money: number) => this.portfolio.convert(money / scale, inst.quote, this.accountCurrency);
        this.onTrade(toAccount(realised), toAccount(fill.fee), toAccount(fill.price * fill.size), realised !== 0);
      } catch {
        // No conversion rate yet: the trade still counts in the portfolio, not in the report.
      }
    }
    this.listeners.fill?.(fill);
    if (!this.reconciling) this.host.onFill(fill.strategy, fill);
  }

  private sampleEquity(ts: number): void {
    this.nextEquitySample = ts - (ts % this.equityEveryUs) + this.equityEveryUs;
    let equity: number;
    try {
      equity = this.portfolio.equity(this.accountCurrency);
    } catch {
      return; // No conversion rate yet for some currency: sample later.
    }
    this.onEquity(ts, equity);
    this.listeners.equity?.(ts, equity);
    const tripped = this.risk.onEquity(ts, equity);
    if (tripped !== null) {
      this.alerts.raise(ts, "RISK_BREAKER", "critical", "risk", `loss breaker tripped ${tripped}`);
      this.cancelAll(null);
    }
    // The breaker trips here and re-arms at a new UTC day.
    this.noticeTradingState();
  }

  private feedGap(instrument: number, fromTs: number, toTs: number): void {
    this.rejectsByReason.set("DATA_GAP", (this.rejectsByReason.get("DATA_GAP") ?? 0) + 1);
    const symbol = this.instruments[instrument]?.symbol ?? `#${instrument}`;
    this.alerts.raise(toTs, "DATA_GAP", "info", symbol, `instrument=${symbol} gap_s=${((toTs - fromTs) / 1e6).toFixed(1)} from_ts=${fromTs} limit_s=${this.gapUs / 1e6}`);
  }

  private dataAnomaly(verdict: QuoteVerdict, instrument: number): void {
    const name = ANOMALY_NAMES[verdict] ?? "DATA_ANOMALY";
    this.rejectsByReason.set(name, (this.rejectsByReason.get(name) ?? 0) + 1);
    const symbol = this.instruments[instrument]?.symbol ?? `#${instrument}`;
    if (verdict !== QuoteVerdict.Duplicate) this.alerts.raise(this.now(), name, "warning", symbol, `instrument=${symbol} first seen at ts=${this.now()}`);
  }
}
