/**
 * The `fix44` venue: several FIX liquidity providers at once behind the SDK's venue interface.
 * Their quotes are consolidated into one top of book handed to the runtime; each order is routed
 * to one provider (best price on the side it takes), and its execution reports come back as the
 * runtime's reports, de-duplicated by ExecID so a resend after a reconnect never fills twice.
 */
import type { VenueAdapter, VenueContext, VenueOrder, VenueOrderStatus, VenueStatus } from "../../sdk/venue.ts";
import type { FixVenueParams } from "./venue-params.ts";
import { ConsolidatedBook } from "./consolidated-book.ts";
import { FixVenueCore, type FixSessionSpec } from "./core.ts";
import type { FixExecutionReport, FixOrder, SendResult } from "./app/types.ts";

interface Route {
  readonly provider: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  /** ClOrdID the provider knows the order by now (changes with each cancel/replace). */
  clOrdId: string;
  size: number;
  cancels: number;
}

const CLORDID = /^K(\d+)(?:\.|$)/;
/** How long start-up reconciliation waits for the sessions to log on, and then for each answer, ms. */
const LOGON_WAIT_MS = 10_000;
const ANSWER_WAIT_MS = 5_000;

/** An OrderMassStatusRequest waiting for its reports. */
interface StatusAsk {
  readonly session: string;
  readonly reports: FixExecutionReport[];
  done: boolean;
}

/** A reconciliation after a session logged on again: its status and positions answers. */
interface ReconnectAsk {
  readonly session: string;
  readonly status: StatusAsk;
  /** Net position per symbol; null while the RequestForPositions is unanswered, undefined when not asked or refused. */
  positions: Map<string, number> | null | undefined;
  /** The highest order id sent before the request: later orders cannot be in the answer. */
  readonly upTo: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** SDK venue adapter over FixVenueCore. */
export class FixVenue implements VenueAdapter {
  private readonly core: FixVenueCore;
  private readonly book: ConsolidatedBook;
  private readonly providerIndex = new Map<string, number>();
  private readonly instrumentIndex = new Map<string, number>();
  private readonly symbols: string[];
  private readonly quotes: Set<string>[];
  private readonly up = new Set<string>();
  private readonly routes = new Map<number, Route>();
  private readonly seenExec = new Set<string>();
  private readonly statusAsks = new Map<string, StatusAsk>();
  private statusSeq = 0;
  /** Set once start-up reconciliation has asked: every later logon of a session is reconciled. */
  private startupDone = false;
  private lastSent = 0;
  private readonly reconnects = new Map<string, ReconnectAsk>();
  /** Answers to RequestForPositions by PosReqID (null: refused or unreadable). */
  private readonly positionAnswers = new Map<string, Map<string, number> | null>();

  constructor(
    private readonly ctx: VenueContext<never>,
    private readonly p: FixVenueParams,
  ) {
    this.symbols = ctx.instruments.map((i) => i.symbol);
    ctx.instruments.forEach((i) => this.instrumentIndex.set(i.symbol, i.id));
    p.sessions.forEach((s, i) => this.providerIndex.set(s.name, i));
    this.quotes = p.sessions.map((s) => new Set(s.symbols));
    this.book = new ConsolidatedBook(p.sessions.length, ctx.instruments.length);
    const sessions: FixSessionSpec[] = p.sessions.map((s) => ({ ...s, host: s.host ?? "127.0.0.1", heartBtIntSec: s.heartBtIntSec ?? 30 }));
    this.core = new FixVenueCore(
      { sessions, instruments: ctx.instruments.map((i) => ({ symbol: i.symbol, priceDecimals: i.priceDecimals, sizeDecimals: i.sizeDecimals })) },
      {
        quote: (q) => {
          const provider = this.providerIndex.get(q.session);
          const inst = this.instrumentIndex.get(q.symbol);
          if (provider === undefined || inst === undefined) return;
          this.book.set(provider, inst, q.bidPrice, q.bidSize, q.askPrice, q.askSize);
          this.publish(inst);
        },
        execution: (r) => this.onExecution(r),
        cancelReject: (r) => {
          const id = orderIdOf(r.origClOrdId) ?? orderIdOf(r.clOrdId);
          if (id !== undefined) ctx.report({ kind: "cancel-rejected", orderId: id, ts: ctx.now(), reason: `FIX_CANCEL_REJECT: reason=${r.reason} text=${r.text ?? ""}` });
        },
        reject: (r) => {
          ctx.alert("FIX_VENUE_REJECT", `session=${r.session} level=${r.level} ref_seq=${r.refSeqNum} ref_type=${r.refMsgType ?? ""} reason=${r.reason} text=${r.text ?? ""}`);
          // A provider that does not support RequestForPositions says so: positions are not compared.
          if (r.refMsgType === "AN") this.core.refusePositions(r.session, `FIX_VENUE_POSITIONS_UNSUPPORTED: reason=${r.reason} text=${r.text ?? ""}`);
        },
        positions: (session, reqId, answer) => {
          if (answer.problem !== null) ctx.alert("FIX_VENUE_POSITIONS_FAILED", `session=${session} ${answer.problem}`);
          if (reqId.startsWith("ps-")) this.positionAnswers.set(reqId, answer.problem === null ? answer.positions : null);
          const ask = this.reconnects.get(session);
          if (ask !== undefined && ask.positions === null && reqId.startsWith(`pr-${session}-`)) {
            ask.positions = answer.problem === null ? answer.positions : undefined;
            this.finishReconnect(ask);
          }
        },
        event: (session, e) => {
          if (e.code === "FIX_SESSION_LOGON") {
            this.up.add(session);
            if (this.startupDone) this.reconcileAfterLogon(session);
          }
          if (e.code === "FIX_SESSION_DISCONNECTED" || e.code === "FIX_SESSION_LOGOUT") {
            this.up.delete(session);
            const provider = this.providerIndex.get(session);
            if (provider !== undefined) {
              this.book.clear(provider);
              for (let i = 0; i < this.symbols.length; i++) this.publish(i);
            }
            ctx.alert("FIX_VENUE_SESSION_DOWN", `session=${session} code=${e.code}`);
          }
        },
      },
    );
    this.core.start();
  }

  /** Providers whose session is logged on. */
  get connected(): ReadonlySet<string> {
    return this.up;
  }

  submit(o: VenueOrder): void {
    const symbol = this.symbols[o.instrument];
    if (symbol === undefined) return this.reject(o.id, "UNKNOWN_INSTRUMENT");
    if (o.type !== "limit" && o.type !== "market") return this.reject(o.id, `UNSUPPORTED_ORDER_TYPE: type=${o.type} (the FIX venue sends limit and market orders)`);
    if (o.tif === "GTD") return this.reject(o.id, "UNSUPPORTED_TIF: tif=GTD");
    const provider = this.route(o.instrument, o.side, symbol);
    if (provider === null) return this.reject(o.id, `FIX_VENUE_SESSION_DOWN: no logged-on provider quotes ${symbol}`);
    const side = o.side === 1 ? "buy" : "sell";
    const order: FixOrder = {
      clOrdId: `K${o.id}`,
      symbol,
      side,
      type: o.type,
      quantity: o.size,
      ...(o.type === "limit" ? { price: o.price } : {}),
      timeInForce: o.tif === "IOC" ? "ioc" : o.tif === "FOK" ? "fok" : o.tif === "DAY" ? "day" : "gtc",
    };
    const sent = this.core.sendOrder(provider, order);
    if (!sent.ok) return this.reject(o.id, `${sent.code}: ${sent.reason}`);
    this.routes.set(o.id, { provider, symbol, side, clOrdId: order.clOrdId, size: o.size, cancels: 0 });
    if (o.id > this.lastSent) this.lastSent = o.id;
  }

  cancel(orderId: number): void {
    const r = this.routes.get(orderId);
    if (r === undefined) {
      this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: "UNKNOWN_ORDER: not sent to a provider" });
      return;
    }
    const clOrdId = `K${orderId}.c${++r.cancels}`;
    const sent: SendResult = this.core.cancelOrder(r.provider, { clOrdId, origClOrdId: r.clOrdId, symbol: r.symbol, side: r.side, quantity: r.size });
    if (!sent.ok) this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: `${sent.code}: ${sent.reason}` });
  }

  replace(orderId: number, price: number, size: number): void {
    const r = this.routes.get(orderId);
    if (r === undefined) {
      this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: "UNKNOWN_ORDER: not sent to a provider" });
      return;
    }
    const clOrdId = `K${orderId}.r${++r.cancels}`;
    const sent = this.core.replaceOrder(r.provider, { clOrdId, origClOrdId: r.clOrdId, symbol: r.symbol, side: r.side, type: "limit", quantity: size, price });
    if (!sent.ok) this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: `${sent.code}: ${sent.reason}` });
  }

  stop(): void {
    for (const a of this.reconnects.values()) clearTimeout(a.timer);
    this.reconnects.clear();
    void this.core.stop();
  }

  /**
   * After a session logs on again: asks the provider for the status of all orders (and for
   * positions when it supports RequestForPositions); when both answers are in, hands the runtime
   * the orders routed to that provider (the resend of missed reports, queued before the answers
   * by sequence number, has been applied by then) so it can compare them with its own.
   */
  private reconcileAfterLogon(session: string): void {
    const previous = this.reconnects.get(session);
    if (previous !== undefined) clearTimeout(previous.timer);
    const reqId = `ms-${Date.now()}-${++this.statusSeq}`;
    const status: StatusAsk = { session, reports: [], done: false };
    const sent = this.core.requestMassStatus(session, reqId);
    if (!sent.ok) {
      this.reconnects.delete(session);
      this.ctx.alert("FIX_VENUE_STATUS_FAILED", `session=${session} trigger=reconnect ${sent.code}: ${sent.reason}`);
      return;
    }
    this.statusAsks.set(reqId, status);
    const spec = this.p.sessions[this.providerIndex.get(session)!]!;
    let positions: Map<string, number> | null | undefined;
    if (spec.positions === true) {
      const p = this.core.requestPositions(session, `pr-${session}-${reqId}`, spec.account ?? spec.senderCompID);
      positions = p.ok ? null : undefined;
      if (!p.ok) this.ctx.alert("FIX_VENUE_POSITIONS_FAILED", `session=${session} ${p.code}: ${p.reason}`);
    }
    const timer = setTimeout(() => {
      if (this.reconnects.get(session) !== ask) return;
      this.reconnects.delete(session);
      this.statusAsks.delete(reqId);
      this.ctx.alert("FIX_VENUE_STATUS_FAILED", `session=${session} trigger=reconnect reason=no complete answer in ${ANSWER_WAIT_MS} ms (status=${status.done} positions=${ask.positions !== null})`);
    }, ANSWER_WAIT_MS);
    const ask: ReconnectAsk = { session, status, positions, upTo: this.lastSent, timer };
    this.reconnects.set(session, ask);
  }

  /** Hands the runtime a reconnect's answers once all are in. */
  private finishReconnect(ask: ReconnectAsk): void {
    if (!ask.status.done || ask.positions === null || this.reconnects.get(ask.session) !== ask) return;
    clearTimeout(ask.timer);
    this.reconnects.delete(ask.session);
    const spec = this.p.sessions[this.providerIndex.get(ask.session)!]!;
    const instruments = spec.symbols.map((sym) => this.instrumentIndex.get(sym)!);
    const orders = this.statusOrders(ask.status);
    const orderIds: number[] = [];
    for (const [id, r] of this.routes) if (r.provider === ask.session && id <= ask.upTo) orderIds.push(id);
    // Positions are compared where this provider is the only one trading the symbol.
    const positions: { instrument: number; position: number }[] = [];
    if (ask.positions !== undefined) {
      for (const sym of spec.symbols) {
        if (this.p.sessions.some((s) => s.name !== ask.session && s.symbols.includes(sym))) continue;
        positions.push({ instrument: this.instrumentIndex.get(sym)!, position: ask.positions.get(sym) ?? 0 });
      }
    }
    this.ctx.reconcile?.({ orders, instruments, orderIds, ...(ask.positions !== undefined ? { positions } : {}) }, `session=${ask.session}`);
  }

  /** Our orders in a mass status answer; working ones are routed to the provider holding them from then on. */
  private statusOrders(ask: StatusAsk): VenueOrderStatus[] {
    const orders: VenueOrderStatus[] = [];
    for (const r of ask.reports) {
      const id = orderIdOf(r.clOrdId) ?? orderIdOf(r.origClOrdId ?? "");
      const instrument = this.instrumentIndex.get(r.symbol);
      if (r.totNumReports === 0 || id === undefined || instrument === undefined) continue;
      const state = STATUS_STATE[r.ordStatus] ?? "working";
      const side = r.side === "buy" ? 1 : -1;
      orders.push({ orderId: id, instrument, side, type: r.price > 0 ? "limit" : "market", tif: "GTC", price: r.price, size: r.orderQty, filled: r.cumQty, avgPrice: r.avgPrice, state });
      if (state === "working") {
        const route = this.routes.get(id);
        if (route === undefined || route.provider !== ask.session) this.routes.set(id, { provider: ask.session, symbol: r.symbol, side: r.side, clOrdId: r.clOrdId, size: r.orderQty, cancels: route?.cancels ?? 0 });
      }
    }
    return orders;
  }

  /**
   * Start-up reconciliation: waits for the sessions to log on (the resend of reports missed while
   * down comes first), asks each logged-on provider for the status of all its orders
   * (OrderMassStatusRequest) and answers with our orders among them, average prices standing for
   * their fills. Working orders are routed to the provider holding them from then on. Instruments
   * only quoted by providers that did not log on or answer are left out of the answer.
   */
  async status(_orderIds: readonly number[], _afterId: number): Promise<VenueStatus> {
    const deadline = Date.now() + LOGON_WAIT_MS;
    while (this.up.size < this.p.sessions.length && Date.now() < deadline) await Bun.sleep(20);
    // From here on every logon is a reconnect to reconcile (also a first logon after the wait).
    this.startupDone = true;
    const asks: StatusAsk[] = [];
    const positionAsks = new Map<string, string>();
    for (const s of this.p.sessions) {
      if (!this.up.has(s.name)) continue;
      const reqId = `ms-${Date.now()}-${++this.statusSeq}`;
      const ask: StatusAsk = { session: s.name, reports: [], done: false };
      this.statusAsks.set(reqId, ask);
      const sent = this.core.requestMassStatus(s.name, reqId);
      if (sent.ok) asks.push(ask);
      else this.ctx.alert("FIX_VENUE_STATUS_FAILED", `session=${s.name} ${sent.code}: ${sent.reason}`);
      if (s.positions === true) {
        const pr = `ps-${s.name}-${reqId}`;
        const p = this.core.requestPositions(s.name, pr, s.account ?? s.senderCompID);
        if (p.ok) positionAsks.set(s.name, pr);
        else this.ctx.alert("FIX_VENUE_POSITIONS_FAILED", `session=${s.name} ${p.code}: ${p.reason}`);
      }
    }
    const answerBy = Date.now() + ANSWER_WAIT_MS;
    const unanswered = () => asks.some((a) => !a.done) || [...positionAsks.values()].some((id) => !this.positionAnswers.has(id));
    while (unanswered() && Date.now() < answerBy) await Bun.sleep(10);
    const orders: VenueOrderStatus[] = [];
    const covered = new Set<number>();
    for (const ask of asks) {
      if (!ask.done) {
        this.ctx.alert("FIX_VENUE_STATUS_FAILED", `session=${ask.session} reason=no complete answer to OrderMassStatusRequest in ${ANSWER_WAIT_MS} ms`);
        continue;
      }
      const spec = this.p.sessions[this.providerIndex.get(ask.session)!]!;
      for (const sym of spec.symbols) covered.add(this.instrumentIndex.get(sym)!);
      orders.push(...this.statusOrders(ask));
    }
    // A symbol's position is compared when every provider trading it answered RequestForPositions.
    const positions: { instrument: number; position: number }[] = [];
    for (const sym of this.symbols) {
      const traders = this.p.sessions.filter((s) => s.symbols.includes(sym));
      const answers = traders.map((s) => (positionAsks.has(s.name) ? this.positionAnswers.get(positionAsks.get(s.name)!) : undefined));
      if (traders.length === 0 || answers.some((a) => a === undefined || a === null)) continue;
      positions.push({ instrument: this.instrumentIndex.get(sym)!, position: answers.reduce((n, a) => n + (a!.get(sym) ?? 0), 0) });
    }
    for (const id of positionAsks.values()) this.positionAnswers.delete(id);
    return { orders, instruments: [...covered], ...(positionAsks.size > 0 ? { positions } : {}) };
  }

  private onExecution(r: FixExecutionReport): void {
    if (r.kind === "status") {
      const ask = r.massStatusReqId === undefined ? undefined : this.statusAsks.get(r.massStatusReqId);
      if (ask === undefined) return;
      ask.reports.push(r);
      if (r.lastRptRequested || r.totNumReports === 0 || (r.totNumReports > 0 && ask.reports.length >= r.totNumReports)) {
        ask.done = true;
        this.statusAsks.delete(r.massStatusReqId!);
        const reconnect = this.reconnects.get(ask.session);
        if (reconnect !== undefined && reconnect.status === ask) this.finishReconnect(reconnect);
      }
      return;
    }
    const id = orderIdOf(r.clOrdId) ?? orderIdOf(r.origClOrdId ?? "");
    if (id === undefined) {
      this.ctx.alert("FIX_VENUE_UNKNOWN_ORDER", `session=${r.session} clOrdId=${r.clOrdId} execId=${r.execId}`);
      return;
    }
    // A resent report (PossDup, or a resend after reconnect) is applied once.
    const key = `${r.session}|${r.execId}`;
    if (this.seenExec.has(key)) return;
    this.seenExec.add(key);
    const route = this.routes.get(id);
    if (route !== undefined && r.kind !== "rejected") route.clOrdId = r.clOrdId;
    const ts = this.ctx.now();
    switch (r.kind) {
      case "new":
        this.ctx.report({ kind: "accepted", orderId: id, ts });
        break;
      case "partial-fill":
      case "fill":
        if (r.lastQty > 0) this.ctx.report({ kind: "fill", orderId: id, ts, price: r.lastPrice, size: r.lastQty, fee: 0, liquidity: "taker" });
        break;
      case "canceled":
        this.ctx.report({ kind: "canceled", orderId: id, ts, reason: r.text ?? "canceled by provider" });
        break;
      case "replaced":
        if (route !== undefined) route.size = r.orderQty;
        this.ctx.report({ kind: "replaced", orderId: id, ts, price: r.price, size: r.orderQty });
        break;
      case "rejected":
        this.ctx.report({ kind: "rejected", orderId: id, ts, reason: `FIX_ORDER_REJECTED: ${r.text ?? ""}` });
        break;
      case "expired":
        this.ctx.report({ kind: "expired", orderId: id, ts });
        break;
      default:
        break;
    }
  }

  private route(instrument: number, side: 1 | -1, symbol: string): string | null {
    const eligible = (p: number) => this.up.has(this.p.sessions[p]!.name) && this.quotes[p]!.has(symbol);
    let p = this.p.routing === "best-price" ? this.book.bestProvider(instrument, side, eligible) : -1;
    if (p < 0) p = this.p.sessions.findIndex((_, i) => eligible(i));
    return p < 0 ? null : this.p.sessions[p]!.name;
  }

  private publish(instrument: number): void {
    const [bid, bidSize] = this.book.bestBid(instrument);
    const [ask, askSize] = this.book.bestAsk(instrument);
    if (bid > 0 && ask > 0) this.ctx.quote(instrument, bid, ask, bidSize, askSize);
  }

  private reject(orderId: number, reason: string): void {
    this.ctx.report({ kind: "rejected", orderId, ts: this.ctx.now(), reason });
  }
}

/** Order state from OrdStatus (39) in a status report. */
const STATUS_STATE: Record<string, VenueOrderStatus["state"]> = { "0": "working", "1": "working", "6": "working", A: "working", E: "working", "2": "filled", "4": "canceled", "8": "rejected", C: "expired", "3": "canceled" };

function orderIdOf(clOrdId: string): number | undefined {
  const m = CLORDID.exec(clOrdId);
  return m === null ? undefined : Number(m[1]);
}
