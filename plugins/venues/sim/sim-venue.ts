/**
 * The simulated venue: order and report latency (fixed plus seeded jitter), maker/taker fees,
 * every order type and time in force of the SDK, cancel and replace, matched against the market
 * the session replays or generates (see quote-matcher.ts). Deterministic for a given seed.
 */
import type { Quote, Trade } from "../../sdk/market.ts";
import type { Liquidity } from "../../sdk/orders.ts";
import type { ExecutionReport, VenueAdapter, VenueContext, VenueOrder, VenueOrderStatus, VenueStatus } from "../../sdk/venue.ts";
import { SimStateFile, type RememberedOrder } from "./state-file.ts";
import { Fifo } from "./fifo.ts";
import {
  isMarketable,
  onPrint,
  onTouch,
  queueAheadAt,
  stopTriggered,
  take,
  takeable,
  type MatchSink,
  type SimOrder,
  type Touch,
} from "./quote-matcher.ts";

/** Parameters of the simulated venue. */
export interface SimVenueParams {
  /** One-way latency from us to the venue, microseconds. */
  orderLatencyUs: number;
  /** One-way latency from the venue back to us, microseconds. */
  reportLatencyUs: number;
  /**
   * How late our market data is against the venue's, microseconds. We decide on data that is
   * this old, so an order reaches the venue this much later in the venue's market: the venue
   * models it by adding it to the order path (exact for matching outcomes).
   */
  feedDelayUs: number;
  /** Uniform extra latency 0..jitterUs, drawn from the deployment seed. */
  jitterUs: number;
  /** Maker fee in millionths of notional (negative is a rebate). */
  makerFeePpm: number;
  /** Taker fee in millionths of notional. */
  takerFeePpm: number;
  /** UTC hour at which DAY orders expire (FX: 21). */
  dayEndHourUtc: number;
  /** Displayed size assumed at a quote whose feed carries no size (0: keep the feed's size). */
  assumedQuoteSize?: number;
  /** The venue's own memory of orders and fills across restarts (see state-file.ts); "" for none. */
  stateFile?: string;
}

const HOUR_US = 3_600_000_000;
const REQ_SUBMIT = 0;
const REQ_CANCEL = 1;
const REQ_REPLACE = 2;

/** A request on its way to the venue: submit (order, expireTs in `a`), cancel, or replace (price `a`, size `b`). */
interface PendingRequest {
  kind: number;
  order: SimOrder | null;
  orderId: number;
  a: number;
  b: number;
}
const DAY_US = 24 * HOUR_US;

/** Simulated venue adapter. */
export class SimVenue implements VenueAdapter, MatchSink {
  private readonly touches: Touch[];
  private readonly prev: Touch[];
  private readonly resting: SimOrder[][];
  private readonly byId = new Map<number, SimOrder>();
  private rng: number;
  /** Arrival time of the last report sent (reports arrive in the order they were sent). */
  private lastReportAt = 0;
  /** When the last request reaches the venue: requests arrive in the order they were sent, as on one session. */
  private lastRequestAt = 0;
  /** The venue's memory across restarts (null without `stateFile`). */
  readonly state: SimStateFile | null;
  /**
   * Requests on their way to the venue and reports on their way back. Each kind arrives in the
   * order it was sent (arrival times never decrease, and timers due at the same time run in the
   * order scheduled), so every timer fired is for the oldest queued item: one shared callback per
   * timer instead of a closure per request or report.
   */
  private readonly requests = new Fifo<PendingRequest>();
  private readonly reports = new Fifo<ExecutionReport>();
  /** Request records for reuse once handled (no allocation per request in steady state). */
  private readonly spare: PendingRequest[] = [];
  private readonly onRequestArrives = (): void => this.handleRequest();
  private readonly onReportArrives = (): void => {
    const r = this.reports.shift();
    (r as { ts: number }).ts = this.ctx.now();
    this.ctx.report(r);
  };

  constructor(
    private readonly ctx: VenueContext,
    private readonly p: SimVenueParams,
  ) {
    const n = ctx.instruments.length;
    this.touches = Array.from({ length: n }, () => ({ bid: 0, ask: 0, bidSize: 0, askSize: 0, valid: false, takenBid: 0, takenAsk: 0 }));
    this.prev = Array.from({ length: n }, () => ({ bid: 0, ask: 0, bidSize: 0, askSize: 0, valid: false, takenBid: 0, takenAsk: 0 }));
    this.resting = Array.from({ length: n }, () => []);
    this.rng = (ctx.seed ^ 0x9e3779b9) >>> 0 || 1;
    this.state = p.stateFile !== undefined && p.stateFile !== "" ? new SimStateFile(p.stateFile) : null;
    if (this.state?.tornTail != null) ctx.alert("SIM_STATE_TORN_TAIL", `path=${this.state.path} cut a torn last line: ${this.state.tornTail}`);
    // Orders that were working when the session stopped keep working: a venue does not forget them.
    for (const o of this.state?.working() ?? []) this.resume(o);
  }

  /** What the venue knows of `orderIds`, of every order working at it and of every order above `afterId` (start-up reconciliation). */
  status(orderIds: readonly number[], afterId: number): VenueStatus | null {
    const state = this.state;
    if (state === null) return null;
    const ids = new Set(orderIds);
    for (const o of state.working()) ids.add(o.id);
    for (const id of state.orders.keys()) if (id > afterId) ids.add(id);
    const orders: VenueOrderStatus[] = [];
    for (const id of ids) {
      const o = state.orders.get(id);
      const instrument = o === undefined ? -1 : this.instrumentOf(o.symbol);
      if (o === undefined || instrument < 0) continue;
      orders.push({ orderId: o.id, instrument, side: o.side, type: o.type, tif: o.tif, price: o.price, size: o.size, filled: SimStateFile.filled(o), fills: o.fills, state: o.state });
    }
    const positions: { instrument: number; position: number }[] = [];
    for (const [symbol, position] of state.positions) {
      const instrument = this.instrumentOf(symbol);
      if (instrument >= 0) positions.push({ instrument, position });
    }
    return { orders, positions };
  }

  private instrumentOf(symbol: string): number {
    return this.ctx.instruments.findIndex((i) => i.symbol === symbol);
  }

  /** Puts an order the venue remembers as working back on its book. */
  private resume(o: RememberedOrder): void {
    const instrument = this.instrumentOf(o.symbol);
    if (instrument < 0) return;
    const order: SimOrder = {
      id: o.id, instrument, side: o.side, type: o.type, tif: o.tif, price: o.price, stopPrice: o.stopPrice,
      remaining: o.size - SimStateFile.filled(o), postOnly: o.postOnly, queueAhead: 0, triggered: o.triggered,
    };
    this.rest(order);
    if (o.expireTs > 0) this.scheduleExpiry(order, o.expireTs);
  }

  submit(o: VenueOrder): void {
    const order: SimOrder = {
      id: o.id,
      instrument: o.instrument,
      side: o.side,
      type: o.type,
      tif: o.tif,
      price: o.price,
      stopPrice: o.stopPrice,
      remaining: o.size,
      postOnly: o.postOnly,
      queueAhead: 0,
      triggered: o.type !== "stop" && o.type !== "stop-limit",
    };
    const expireTs = o.tif === "GTD" ? o.expireTs : o.tif === "DAY" ? this.dayEnd(this.ctx.now()) : 0;
    this.request(REQ_SUBMIT, order, order.id, expireTs, 0);
  }

  cancel(orderId: number): void {
    this.request(REQ_CANCEL, null, orderId, 0, 0);
  }

  replace(orderId: number, price: number, size: number): void {
    this.request(REQ_REPLACE, null, orderId, price, size);
  }

  /** Queues a request and schedules its arrival at the venue. */
  private request(kind: number, order: SimOrder | null, orderId: number, a: number, b: number): void {
    const r = this.spare.pop() ?? { kind: 0, order: null, orderId: 0, a: 0, b: 0 };
    r.kind = kind;
    r.order = order;
    r.orderId = orderId;
    r.a = a;
    r.b = b;
    this.requests.push(r);
    this.ctx.schedule(this.requestArrival(), this.onRequestArrives);
  }

  /** The oldest request in flight reaches the venue. */
  private handleRequest(): void {
    const r = this.requests.shift();
    const { kind, order: submitted, orderId, a, b } = r;
    r.order = null;
    this.spare.push(r);
    if (kind === REQ_SUBMIT) {
      this.arrive(submitted!, a);
      return;
    }
    const order = this.byId.get(orderId);
    if (order === undefined) {
      this.send({ kind: "cancel-rejected", orderId, ts: 0, reason: "UNKNOWN_ORDER: not working at the venue" });
      return;
    }
    if (kind === REQ_CANCEL) {
      this.remove(order);
      this.state?.end(orderId, "canceled");
      this.send({ kind: "canceled", orderId, ts: 0, reason: "canceled on request" });
      return;
    }
    const price = a;
    const size = b;
    const t = this.touches[order.instrument]!;
    if (price !== order.price || size > order.remaining) order.queueAhead = queueAheadAt(order.side, price, t);
    order.price = price;
    order.remaining = size;
    this.state?.replace(orderId, price, size);
    this.send({ kind: "replaced", orderId, ts: 0, price, size });
  }

  onQuote(q: Quote): void {
    const t = this.touches[q.instrument];
    if (t === undefined) return;
    const prev = this.prev[q.instrument]!;
    prev.bid = t.bid;
    prev.ask = t.ask;
    prev.bidSize = t.bidSize;
    prev.askSize = t.askSize;
    prev.valid = t.valid;
    t.bid = q.bid;
    t.ask = q.ask;
    const assumed = this.p.assumedQuoteSize ?? 0;
    t.bidSize = assumed > 0 && q.bidSize <= 0 ? assumed : q.bidSize;
    t.askSize = assumed > 0 && q.askSize <= 0 ? assumed : q.askSize;
    t.valid = true;
    t.takenBid = 0;
    t.takenAsk = 0;
    const list = this.resting[q.instrument]!;
    if (list.length === 0) return;
    // Iterate backwards: fills and triggers may remove entries.
    for (let i = list.length - 1; i >= 0; i--) {
      const o = list[i]!;
      if (!o.triggered) {
        if (stopTriggered(o, t)) this.trigger(o);
        continue;
      }
      onTouch(o, prev, t, this);
      if (o.remaining === 0) this.remove(o);
    }
  }

  onTrade(tr: Trade): void {
    const list = this.resting[tr.instrument];
    if (list === undefined) return;
    for (let i = list.length - 1; i >= 0; i--) {
      const o = list[i]!;
      if (!o.triggered) continue;
      onPrint(o, tr.price, tr.size, tr.side, this);
      if (o.remaining === 0) this.remove(o);
    }
  }

  /** MatchSink: a fill of one of our orders. */
  fill(order: SimOrder, price: number, size: number, liquidity: Liquidity): void {
    const ppm = liquidity === "maker" ? this.p.makerFeePpm : this.p.takerFeePpm;
    const fee = Math.round((price * size * ppm) / 1_000_000);
    this.state?.fill(order.id, { price, size, fee, liquidity, ts: this.ctx.now() });
    this.send({ kind: "fill", orderId: order.id, ts: 0, price, size, fee, liquidity });
  }

  /** MatchSink: an order ended without (more) fills. */
  done(order: SimOrder, kind: "canceled" | "rejected", reason: string): void {
    this.state?.end(order.id, kind);
    this.send(kind === "canceled" ? { kind, orderId: order.id, ts: 0, reason } : { kind, orderId: order.id, ts: 0, reason });
  }

  /** Number of our orders working at the venue. */
  get workingCount(): number {
    return this.byId.size;
  }

  private arrive(order: SimOrder, expireTs: number): void {
    const symbol = this.ctx.instruments[order.instrument]?.symbol;
    if (this.state !== null && symbol !== undefined) {
      this.state.order({
        id: order.id, symbol, side: order.side, type: order.type, tif: order.tif, price: order.price, stopPrice: order.stopPrice,
        size: order.remaining, postOnly: order.postOnly, triggered: order.triggered, expireTs,
      });
    }
    const t = this.touches[order.instrument];
    if (t === undefined) {
      this.done(order, "rejected", "UNKNOWN_INSTRUMENT");
      return;
    }
    if (!order.triggered) {
      this.accept(order, expireTs);
      if (stopTriggered(order, t)) this.trigger(order);
      return;
    }
    this.execute(order, expireTs, true);
  }

  /** Runs a (triggered) order against the touch; rests what is left when its TIF allows. */
  private execute(order: SimOrder, expireTs: number, fresh: boolean): void {
    const t = this.touches[order.instrument]!;
    const isMarket = order.type === "market" || order.type === "stop";
    const limit = isMarket ? 0 : order.price;
    const marketable = isMarket || isMarketable(order.side, order.price, t);
    if (marketable && order.postOnly) {
      this.done(order, "rejected", "POST_ONLY_WOULD_TAKE");
      return;
    }
    if (isMarket && !t.valid) {
      this.done(order, "rejected", "NO_MARKET: no quote at the venue");
      return;
    }
    if (order.tif === "FOK" && (!marketable || takeable(t, order.side, limit) < order.remaining)) {
      if (fresh) this.accept(order, 0);
      this.done(order, "canceled", "FOK_NOT_FILLABLE");
      return;
    }
    if (fresh) this.accept(order, isMarket || order.tif === "IOC" || order.tif === "FOK" ? 0 : expireTs);
    if (marketable) take(order, t, limit, this);
    if (order.remaining === 0) {
      this.remove(order);
      return;
    }
    if (isMarket || order.tif === "IOC" || order.tif === "FOK") {
      this.remove(order);
      this.done(order, "canceled", isMarket ? "MARKET_REMAINDER_UNFILLED" : "IOC_REMAINDER");
      return;
    }
    order.queueAhead = queueAheadAt(order.side, order.price, t);
    if (!this.byId.has(order.id)) this.rest(order);
  }

  private accept(order: SimOrder, expireTs: number): void {
    this.send({ kind: "accepted", orderId: order.id, ts: 0 });
    if (order.tif !== "IOC" && order.tif !== "FOK" && order.type !== "market") this.rest(order);
    if (expireTs > 0) this.scheduleExpiry(order, expireTs);
  }

  private scheduleExpiry(order: SimOrder, expireTs: number): void {
    this.ctx.schedule(expireTs, () => {
      if (!this.byId.has(order.id)) return;
      this.remove(order);
      this.state?.end(order.id, "expired");
      this.send({ kind: "expired", orderId: order.id, ts: 0 });
    });
  }

  /** The session is stopping: the venue's memory is rewritten as positions plus working orders. */
  stop(): void {
    this.state?.compact();
  }

  private rest(order: SimOrder): void {
    if (this.byId.has(order.id)) return;
    this.byId.set(order.id, order);
    this.resting[order.instrument]!.push(order);
  }

  private remove(order: SimOrder): void {
    if (!this.byId.delete(order.id)) return;
    const list = this.resting[order.instrument]!;
    const i = list.indexOf(order);
    if (i >= 0) list.splice(i, 1);
  }

  private trigger(order: SimOrder): void {
    order.triggered = true;
    order.type = order.type === "stop" ? "market" : "limit";
    this.state?.trigger(order.id, order.type);
    this.remove(order);
    this.execute(order, 0, false);
    if (order.remaining > 0 && order.type === "limit" && !this.byId.has(order.id)) this.rest(order);
  }

  /** Delivers a report after the report latency, stamped with its arrival time. Every caller builds a fresh report, so it is stamped in place rather than copied. */
  private send(r: ExecutionReport): void {
    // Reports travel to us on one connection: jitter never lets a later report overtake an earlier one.
    const at = Math.max(this.ctx.now() + this.latency(this.p.reportLatencyUs), this.lastReportAt);
    this.lastReportAt = at;
    this.reports.push(r);
    this.ctx.schedule(at, this.onReportArrives);
  }

  /** When a request sent now reaches the venue: after its latency, never before an earlier request. */
  private requestArrival(): number {
    const at = Math.max(this.ctx.now() + this.p.feedDelayUs + this.latency(this.p.orderLatencyUs), this.lastRequestAt);
    this.lastRequestAt = at;
    return at;
  }

  private latency(base: number): number {
    if (this.p.jitterUs <= 0) return base;
    // xorshift32 from the deployment seed: deterministic jitter.
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return base + (this.rng % (this.p.jitterUs + 1));
  }

  private dayEnd(now: number): number {
    const dayStart = now - (now % DAY_US);
    const end = dayStart + this.p.dayEndHourUtc * HOUR_US;
    return end > now ? end : end + DAY_US;
  }
}
