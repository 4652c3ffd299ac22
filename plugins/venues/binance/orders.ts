/**
 * Order entry on Binance spot: new orders and cancels over signed REST with client order ids
 * (`K<order id>`, so a retry is idempotent and every report maps back to our order), execution
 * reports from the user data stream (listen key kept alive), and reconciliation over REST —
 * order status and trades — after the user stream reconnects or when an answer is uncertain.
 * Each trade is reported once (by trade id) and a terminal state only after the trades before it,
 * so nothing is lost or doubled whichever path reports it first. Exchange filters (tick size, step
 * size, min quantity, min notional) from exchangeInfo are checked before an order is sent.
 */
import type { Instrument } from "../../sdk/instrument.ts";
import type { VenueContext, VenueFill, VenueOrder, VenueOrderStatus, VenueStatus } from "../../sdk/venue.ts";
import type { BinanceRest, RestResult } from "./rest/client.ts";
import type { BinanceWsApi } from "./rest/ws-api.ts";
import { checkIncrements, precheck, type CheckNames } from "../shared/order-checks.ts";
import { KeptSocket } from "./stream/socket.ts";
import { formatDecimal, parseDecimal, parseDecimalRounded } from "./wire/decimal.ts";
import { parseUserFrame, type ExecutionReportEvent } from "./wire/messages.ts";

/** An instrument's exchange filters in its integer units. */
export interface SymbolFilters {
  readonly tickTicks: number;
  readonly stepUnits: number;
  readonly minQtyUnits: number;
  /** Min notional in money units (ticks x units). */
  readonly minNotional: number;
  readonly baseAsset: string;
  readonly quoteAsset: string;
}

interface OrderState {
  readonly id: number;
  readonly instrument: number;
  readonly clientId: string;
  readonly size: number;
  exchangeId: number;
  accepted: boolean;
  terminal: boolean;
  filled: number;
  readonly trades: Set<number>;
  reconciling: Promise<void> | null;
  /** Settles when the new-order request has been answered (a cancel waits for it). */
  placed: Promise<void>;
}

/** REST paths of a market: spot (`/api/v3`) or USD-M futures (`/fapi/v1`). */
export interface OrderPaths {
  readonly exchangeInfo: string;
  readonly order: string;
  readonly trades: string;
  readonly listenKey: string;
  readonly openOrders: string;
}

/** Spot's paths. */
export const SPOT_PATHS: OrderPaths = { exchangeInfo: "/api/v3/exchangeInfo", order: "/api/v3/order", trades: "/api/v3/myTrades", listenKey: "/api/v3/userDataStream", openOrders: "/api/v3/openOrders" };

/** USD-M futures' paths. */
export const USDM_PATHS: OrderPaths = { exchangeInfo: "/fapi/v1/exchangeInfo", order: "/fapi/v1/order", trades: "/fapi/v1/userTrades", listenKey: "/fapi/v1/listenKey", openOrders: "/fapi/v1/openOrders" };

/** Counters of the order side. */
export interface OrderCounters {
  sent: number;
  fills: number;
  duplicateTrades: number;
  reconciles: number;
  userReconnects: number;
  fundingPayments: number;
  /** Orders a reconnect found open and unchanged in openOrders (no per-order query). */
  openListed: number;
}

const CLIENT_ID = /^K(\d+)$/;

/** Orders of one session on Binance spot. */
export class BinanceOrders {
  readonly counters: OrderCounters = { sent: 0, fills: 0, duplicateTrades: 0, reconciles: 0, userReconnects: 0, fundingPayments: 0, openListed: 0 };
  /** USD-M: funding booked per instrument since the session started, money units (received > 0). */
  readonly funding: number[];
  private readonly fundingSeen = new Set<number>();
  private fundingSince = 0;
  private fundingPoll: Promise<void> | null = null;
  private fundingAgain = false;
  private fundingUnbooked = false;
  readonly filters: (SymbolFilters | null)[];
  private readonly orders = new Map<number, OrderState>();
  private readonly socket: KeptSocket;
  private listenKey: string | null = null;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private readonly bySymbol = new Map<string, Instrument>();
  private opened: (() => void) | null = null;
  private readonly paths: OrderPaths;
  /** While start-up status runs, user stream frames of orders not yet taken back wait here. */
  private restoring: string[] | null = null;

  constructor(
    private readonly ctx: VenueContext,
    private readonly rest: BinanceRest,
    private readonly o: { wsUrl: string; keepAliveMs: number; reconnectMinMs: number; reconnectMaxMs: number; touch: (i: number) => { bid: number; ask: number }; wsApi?: BinanceWsApi | null; futures?: boolean; hedge?: boolean },
  ) {
    this.paths = o.futures === true ? USDM_PATHS : SPOT_PATHS;
    this.filters = ctx.instruments.map(() => null);
    this.funding = ctx.instruments.map(() => 0);
    for (const i of ctx.instruments) this.bySymbol.set(i.symbol.toUpperCase(), i);
    this.socket = new KeptSocket(
      {
        url: async () => {
          const key = await this.ensureListenKey();
          return key === null ? null : `${o.wsUrl}/ws/${key}`;
        },
        open: () => {
          if (this.socket.opens > 1) this.counters.userReconnects++;
          this.opened?.();
          // Funding settled while the stream was down is read from the income history.
          if (this.o.futures === true && this.socket.opens > 1) void this.pollFunding();
          // Reports of orders sent while the stream was down (or not yet up) come from REST.
          if ([...this.orders.values()].some((st) => !st.terminal)) void this.reconcileAll(this.socket.opens > 1 ? "user stream reconnected" : "user stream opened");
        },
        message: (text) => this.onUserFrame(text),
        close: (reason) => {
          if (!this.stopped) ctx.alert("BINANCE_STREAM_DOWN", `stream=user ${reason}; reconnecting, open orders reconcile over REST on reconnect`);
        },
      },
      o.reconnectMinMs,
      o.reconnectMaxMs,
    );
  }

  /** Loads exchangeInfo and opens the user data stream. */
  async start(): Promise<void> {
    // Funding paid before the session is not this session's.
    this.fundingSince = Date.now() + this.rest.offsetMs;
    for (const inst of this.ctx.instruments) {
      const r = await this.rest.get<any>(this.paths.exchangeInfo, this.o.futures === true ? {} : { symbol: inst.symbol });
      if (!r.ok) {
        this.ctx.alert("BINANCE_START_FAILED", `symbol=${inst.symbol} exchangeInfo: status=${r.status} code=${r.code} msg=${r.msg}`);
        continue;
      }
      const f = parseFilters(r.value, inst);
      if (typeof f === "string") this.ctx.alert("BINANCE_INSTRUMENT_MISMATCH", `symbol=${inst.symbol} ${f}; orders on it are refused`);
      else this.filters[inst.id] = f;
    }
    const open = new Promise<void>((resolve) => (this.opened = resolve));
    this.socket.start();
    this.keepAlive = setInterval(() => void this.renewListenKey(), this.o.keepAliveMs);
    // Ready once the user stream is up (or after 5 s: orders sent before it opens are reconciled then).
    await Promise.race([open, Bun.sleep(5_000)]);
  }

  /** Closes the user stream. */
  stop(): void {
    this.stopped = true;
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.socket.stop();
  }

  /** True when the user data stream is connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends a new order. */
  submit(o: VenueOrder): void {
    const ok = precheck(this.ctx, o, this.filters, BINANCE_CHECKS);
    if (typeof ok === "string") return this.reject(o.id, ok);
    const { inst, rules: f } = ok;
    const refused = checkFilters(o, f, this.o.touch(o.instrument));
    if (refused !== null) return this.reject(o.id, refused);
    const clientId = `K${o.id}`;
    const params: Record<string, string | number> = { symbol: inst.symbol, side: o.side === 1 ? "BUY" : "SELL" };
    if (o.type === "market") params.type = "MARKET";
    else if (o.postOnly && this.o.futures === true) {
      // USD-M has no LIMIT_MAKER: post-only is the GTX time in force.
      params.type = "LIMIT";
      params.timeInForce = "GTX";
    } else if (o.postOnly) params.type = "LIMIT_MAKER";
    else {
      params.type = "LIMIT";
      params.timeInForce = o.tif;
    }
    if (this.o.futures === true) {
      // Hedge mode names the position an order works on (a reduce-only order closes the other side's);
      // one-way mode marks reduce-only orders (Binance refuses reduceOnly in hedge mode, -1106).
      if (this.o.hedge === true) params.positionSide = (o.side === 1) !== (o.reduceOnly === true) ? "LONG" : "SHORT";
      else if (o.reduceOnly === true) params.reduceOnly = "true";
    }
    params.quantity = formatDecimal(o.size, inst.sizeDecimals);
    if (o.type === "limit") params.price = formatDecimal(o.price, inst.priceDecimals);
    params.newClientOrderId = clientId;
    params.newOrderRespType = "ACK";
    const st: OrderState = { id: o.id, instrument: o.instrument, clientId, size: o.size, exchangeId: -1, accepted: false, terminal: false, filled: 0, trades: new Set(), reconciling: null, placed: Promise.resolve() };
    this.orders.set(o.id, st);
    this.counters.sent++;
    st.placed = this.send<{ orderId: number }>("order.place", "POST", params).then((r) => {
      if (r.ok) {
        st.exchangeId = r.value.orderId;
        this.accept(st);
        return;
      }
      // No answer, or an exchange error: the order may or may not exist; ask.
      if (r.code === "BINANCE_NETWORK" || r.status >= 500 || r.code === -2010 && /Duplicate/i.test(r.msg)) {
        void this.reconcile(st, `new order answer uncertain: ${r.code} ${r.msg}`);
        return;
      }
      const code = r.code === "BINANCE_BACKOFF" || r.status === 429 || r.status === 418 ? "BINANCE_RATE_LIMITED" : "BINANCE_ORDER_REJECTED";
      this.terminal(st, { kind: "rejected", orderId: st.id, ts: this.ctx.now(), reason: `${code}: status=${r.status} code=${r.code} msg=${r.msg}` });
    });
  }

  /** Asks to cancel an order. */
  cancel(orderId: number): void {
    const st = this.orders.get(orderId);
    if (st === undefined || st.terminal) {
      this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: `BINANCE_UNKNOWN_ORDER: ${st === undefined ? "not sent" : "already done"}` });
      return;
    }
    const symbol = this.ctx.instruments[st.instrument]!.symbol;
    // A cancel never overtakes its order: it is sent once the new-order request has been answered.
    void st.placed.then(async () => {
      if (st.terminal) return;
      const r = await this.send<{ status: string; executedQty: string }>("order.cancel", "DELETE", { symbol, origClientOrderId: st.clientId });
      if (r.ok) {
        // Trades the user stream has not told us about yet come first, then the cancel.
        const executed = parseDecimal(r.value.executedQty, this.ctx.instruments[st.instrument]!.sizeDecimals);
        if (executed !== st.filled) await this.reconcile(st, "cancel answer shows unreported trades");
        else this.terminal(st, { kind: "canceled", orderId: st.id, ts: this.ctx.now(), reason: "BINANCE_CANCELED: on request" });
        return;
      }
      await this.reconcile(st, `cancel refused: ${r.code} ${r.msg}`);
      if (!st.terminal) this.ctx.report({ kind: "cancel-rejected", orderId: st.id, ts: this.ctx.now(), reason: `BINANCE_CANCEL_REJECTED: status=${r.status} code=${r.code} msg=${r.msg}` });
    });
  }

  /** Reconciles every order that is not done yet (after a user stream outage). */
  async reconcileAll(why: string): Promise<void> {
    const open = [...this.orders.values()].filter((s) => !s.terminal);
    this.ctx.alert("BINANCE_RECONCILE", `reason="${why}" open_orders=${open.length}`);
    // One openOrders request per instrument: an order still open there with no new quantity needs
    // no more; every other one (finished, partly filled, or unknown to the list) is read by client id.
    const quiet = new Set<OrderState>();
    for (const inst of this.ctx.instruments) {
      if (!open.some((s) => s.instrument === inst.id)) continue;
      const r = await this.rest.signed<{ clientOrderId: string; orderId: number; executedQty: string }[]>("GET", this.paths.openOrders, { symbol: inst.symbol });
      if (!r.ok || !Array.isArray(r.value)) continue;
      for (const x of r.value) {
        const m = CLIENT_ID.exec(String(x?.clientOrderId));
        const st = m === null ? undefined : this.orders.get(Number(m[1]));
        if (st === undefined || st.terminal || st.instrument !== inst.id) continue;
        if (parseDecimal(x.executedQty, inst.sizeDecimals) !== st.filled) continue;
        st.exchangeId = x.orderId;
        this.accept(st);
        quiet.add(st);
      }
    }
    this.counters.openListed += quiet.size;
    await Promise.all(open.filter((s) => !quiet.has(s)).map((s) => this.reconcile(s, why)));
  }

  /**
   * What the exchange knows of our orders at start-up: each order the journal holds open, read by
   * its client id `K<id>`, and every open `K<id>` order (one the journal may not hold), with their
   * trades. Working ones are taken back into this session's book (their trades counted as
   * reported), so later reports and cancels find them; user stream frames that arrive meanwhile
   * wait and are applied after. An instrument whose orders cannot be read is left out of the
   * answer with an alert (the runtime then treats its open orders as before reconciliation).
   */
  async status(orderIds: readonly number[], _afterId: number): Promise<VenueStatus> {
    this.restoring = [];
    const orders: VenueOrderStatus[] = [];
    const covered: number[] = [];
    try {
      for (const inst of this.ctx.instruments) {
        if (this.filters[inst.id] === null) {
          this.ctx.alert("BINANCE_STATUS_FAILED", `symbol=${inst.symbol} exchangeInfo not loaded; its orders are not reconciled at start-up`);
          continue;
        }
        const read = await this.statusOf(inst, orderIds);
        if (typeof read === "string") {
          this.ctx.alert("BINANCE_STATUS_FAILED", `symbol=${inst.symbol} ${read}; its orders are not reconciled at start-up`);
          continue;
        }
        covered.push(inst.id);
        orders.push(...read);
      }
    } finally {
      const waiting = this.restoring;
      this.restoring = null;
      for (const text of waiting) this.onUserFrame(text);
    }
    return { orders, instruments: covered };
  }

  private async statusOf(inst: Instrument, orderIds: readonly number[]): Promise<VenueOrderStatus[] | string> {
    const open = await this.retried(() => this.rest.signed<any[]>("GET", this.paths.openOrders, { symbol: inst.symbol }));
    if (!open.ok || !Array.isArray(open.value)) return `openOrders: status=${open.ok ? 200 : open.status} code=${open.ok ? "" : open.code} msg=${open.ok ? "not a list" : open.msg}`;
    const ids = new Set(orderIds);
    for (const x of open.value) {
      const m = CLIENT_ID.exec(String(x?.clientOrderId));
      if (m !== null) ids.add(Number(m[1]));
    }
    const out: VenueOrderStatus[] = [];
    for (const id of [...ids].sort((a, b) => a - b)) {
      const r = await this.retried(() => this.rest.signed<any>("GET", this.paths.order, { symbol: inst.symbol, origClientOrderId: `K${id}` }));
      // Another instrument's order, or one the exchange never had.
      if (!r.ok && r.code === -2013) continue;
      if (!r.ok) return `order K${id}: status=${r.status} code=${r.code} msg=${r.msg}`;
      const v = r.value;
      const size = parseDecimal(v.origQty, inst.sizeDecimals);
      const filled = parseDecimal(v.executedQty, inst.sizeDecimals);
      const price = v.type === "MARKET" ? 0 : parseDecimal(v.price, inst.priceDecimals);
      const state = STATE_OF[String(v.status)];
      if (!(size > 0) || filled !== filled || price !== price || state === undefined) return `order K${id}: unreadable answer origQty=${v.origQty} executedQty=${v.executedQty} price=${v.price} status=${v.status}`;
      const fills: VenueFill[] = [];
      const tradeIds = new Set<number>();
      if (filled > 0) {
        const t = await this.retried(() => this.rest.signed<any[]>("GET", this.paths.trades, { symbol: inst.symbol, orderId: v.orderId }));
        if (!t.ok || !Array.isArray(t.value)) return `trades of K${id}: status=${t.ok ? 200 : t.status} msg=${t.ok ? "not a list" : t.msg}`;
        for (const tr of [...t.value].sort((a, b) => a.id - b.id)) {
          const p = parseDecimal(tr.price, inst.priceDecimals);
          const q = parseDecimal(tr.qty, inst.sizeDecimals);
          const fee = feeMoney(tr.commission, tr.commissionAsset, p, inst, this.filters[inst.id]);
          if (p !== p || !(q > 0)) return `trade ${tr.id} of K${id}: unreadable price=${tr.price} qty=${tr.qty}`;
          fills.push({ price: p, size: q, fee: fee ?? 0, liquidity: (tr.isMaker ?? tr.maker) === true ? "maker" : "taker", ts: this.ctx.now() });
          tradeIds.add(tr.id);
        }
      }
      const tif = v.type === "MARKET" ? "IOC" : v.timeInForce === "IOC" || v.timeInForce === "FOK" ? v.timeInForce : "GTC";
      out.push({ orderId: id, instrument: inst.id, side: v.side === "BUY" ? 1 : -1, type: v.type === "MARKET" ? "market" : "limit", tif, price, size, filled, fills, state });
      if (state === "working" && !this.orders.has(id)) {
        // Taken back: its trades so far are in the answer, later ones come from the stream.
        this.orders.set(id, { id, instrument: inst.id, clientId: `K${id}`, size, exchangeId: v.orderId, accepted: true, terminal: false, filled, trades: tradeIds, reconciling: null, placed: Promise.resolve() });
      }
    }
    return out;
  }

  /** A REST read retried (backing off) while the answer is a network error, a 5xx or a rate limit. */
  private async retried<T>(call: () => Promise<RestResult<T>>): Promise<RestResult<T>> {
    let r = await call();
    for (let attempt = 1; attempt < 10 && !r.ok && r.code !== -2013 && (r.status === 0 || r.status >= 500 || r.status === 429 || r.status === 418); attempt++) {
      await Bun.sleep(Math.max(this.rest.backoffLeft(), 100 * attempt));
      r = await call();
    }
    return r;
  }

  /** Handles one user data stream frame (public for tests and the benchmark). */
  onUserFrame(text: string): void {
    const ev = parseUserFrame(text);
    if (typeof ev === "string") {
      this.ctx.alert("BINANCE_BAD_MESSAGE", `stream=user ${ev}`);
      return;
    }
    if (ev.kind === "accountUpdate") {
      if (ev.reason === "FUNDING_FEE" && this.o.futures === true) void this.pollFunding();
      return;
    }
    if (ev.kind !== "executionReport") return;
    const cid = ev.execType === "CANCELED" && ev.origClientOrderId !== "" ? ev.origClientOrderId : ev.clientOrderId;
    const m = CLIENT_ID.exec(cid);
    const st = m === null ? undefined : this.orders.get(Number(m[1]));
    if (st === undefined && m !== null && this.restoring !== null) {
      // Start-up status is still taking orders back: applied once it has.
      this.restoring.push(text);
      return;
    }
    if (st === undefined) {
      this.ctx.alert("BINANCE_UNKNOWN_ORDER", `clientOrderId=${cid} execType=${ev.execType} orderId=${ev.orderId}`);
      return;
    }
    st.exchangeId = ev.orderId;
    const ts = this.ctx.now();
    switch (ev.execType) {
      case "NEW":
        this.accept(st);
        break;
      case "TRADE":
        this.trade(st, ev.tradeId, ev.lastPrice, ev.lastQty, ev.commission, ev.commissionAsset, ev.maker);
        break;
      case "CANCELED":
        this.terminal(st, { kind: "canceled", orderId: st.id, ts, reason: "BINANCE_CANCELED" });
        break;
      case "EXPIRED":
        this.terminal(st, { kind: "expired", orderId: st.id, ts });
        break;
      case "REJECTED":
        this.terminal(st, { kind: "rejected", orderId: st.id, ts, reason: `BINANCE_ORDER_REJECTED: reason=${ev.rejectReason}` });
        break;
      default:
        this.ctx.alert("BINANCE_UNHANDLED_EXEC", `clientOrderId=${cid} execType=${ev.execType}`);
    }
  }

  /** New orders, cancels and status queries go over the WebSocket API when it is configured and connected, else over REST. */
  private send<T>(method: "order.place" | "order.cancel" | "order.status", verb: string, params: Record<string, string | number>): Promise<RestResult<T>> {
    const ws = this.o.wsApi;
    if (ws !== null && ws !== undefined && ws.connected) return ws.signed<T>(method, params);
    return this.rest.signed<T>(verb, this.paths.order, params);
  }

  private accept(st: OrderState): void {
    if (st.accepted || st.terminal) return;
    st.accepted = true;
    this.ctx.report({ kind: "accepted", orderId: st.id, ts: this.ctx.now() });
  }

  private trade(st: OrderState, tradeId: number, priceText: string, qtyText: string, commission: string, asset: string, maker: boolean): void {
    if (st.trades.has(tradeId)) {
      this.counters.duplicateTrades++;
      return;
    }
    const inst = this.ctx.instruments[st.instrument]!;
    const price = parseDecimal(priceText, inst.priceDecimals);
    const size = parseDecimal(qtyText, inst.sizeDecimals);
    if (price !== price || size !== size || size <= 0) {
      this.ctx.alert("BINANCE_BAD_MESSAGE", `trade=${tradeId} order=${st.id} price=${priceText} qty=${qtyText} not exact at the instrument's decimals`);
      return;
    }
    if (st.terminal) {
      this.ctx.alert("BINANCE_LATE_TRADE", `trade=${tradeId} order=${st.id} arrived after the order was reported done`);
      return;
    }
    st.trades.add(tradeId);
    this.accept(st);
    const f = this.filters[st.instrument];
    const fee = feeMoney(commission, asset, price, inst, f);
    if (fee === null) this.ctx.alert("BINANCE_FEE_ASSET", `trade=${tradeId} commission=${commission} ${asset} is neither the base nor the quote asset; booked as 0`);
    st.filled += size;
    this.counters.fills++;
    this.ctx.report({ kind: "fill", orderId: st.id, ts: this.ctx.now(), price, size, fee: fee ?? 0, liquidity: maker ? "maker" : "taker" });
    if (st.filled >= st.size) st.terminal = true;
  }

  private terminal(st: OrderState, report: Parameters<VenueContext["report"]>[0]): void {
    if (st.terminal) return;
    st.terminal = true;
    this.ctx.report(report);
  }

  private reject(orderId: number, reason: string): void {
    this.ctx.report({ kind: "rejected", orderId, ts: this.ctx.now(), reason });
  }

  /** Brings one order in line with the exchange: its trades first, then its status. */
  private reconcile(st: OrderState, why: string): Promise<void> {
    if (st.reconciling !== null) return st.reconciling;
    this.counters.reconciles++;
    st.reconciling = this.reconcileOnce(st, why).finally(() => (st.reconciling = null));
    return st.reconciling;
  }

  private async reconcileOnce(st: OrderState, why: string): Promise<void> {
    // An order whose new-order request is still in flight may not be at the exchange yet.
    await st.placed;
    if (st.terminal) return;
    const inst = this.ctx.instruments[st.instrument]!;
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      const wait = this.rest.backoffLeft();
      if (wait > 0) await Bun.sleep(wait);
      const r = await this.send<{ orderId: number; status: string; executedQty: string }>("order.status", "GET", { symbol: inst.symbol, origClientOrderId: st.clientId });
      if (!r.ok && r.code === -2013) {
        this.terminal(st, { kind: "rejected", orderId: st.id, ts: this.ctx.now(), reason: `BINANCE_ORDER_UNKNOWN: the exchange has no order ${st.clientId} (${why})` });
        return;
      }
      if (!r.ok) {
        await Bun.sleep(100 * (attempt + 1));
        continue;
      }
      st.exchangeId = r.value.orderId;
      const executed = parseDecimal(r.value.executedQty, inst.sizeDecimals);
      if (executed > st.filled) {
        // Spot names the maker flag isMaker, USD-M maker.
        const t = await this.rest.signed<{ id: number; price: string; qty: string; commission: string; commissionAsset: string; isMaker?: boolean; maker?: boolean }[]>("GET", this.paths.trades, { symbol: inst.symbol, orderId: st.exchangeId });
        if (!t.ok) {
          await Bun.sleep(100 * (attempt + 1));
          continue;
        }
        for (const tr of [...t.value].sort((a, b) => a.id - b.id)) this.trade(st, tr.id, tr.price, tr.qty, tr.commission, tr.commissionAsset, tr.isMaker ?? tr.maker === true);
      }
      const ts = this.ctx.now();
      switch (r.value.status) {
        case "NEW":
        case "PARTIALLY_FILLED":
          this.accept(st);
          break;
        case "CANCELED":
          this.terminal(st, { kind: "canceled", orderId: st.id, ts, reason: "BINANCE_CANCELED (reconciled)" });
          break;
        case "EXPIRED":
        case "EXPIRED_IN_MATCH":
          this.accept(st);
          this.terminal(st, { kind: "expired", orderId: st.id, ts });
          break;
        case "REJECTED":
          this.terminal(st, { kind: "rejected", orderId: st.id, ts, reason: "BINANCE_ORDER_REJECTED (reconciled)" });
          break;
        default:
          break;
      }
      return;
    }
  }

  /**
   * Reads funding payments from `GET /fapi/v1/income` (FUNDING_FEE since the session started; an
   * ACCOUNT_UPDATE of a cross position names no symbol) and books each new one once, by `tranId`.
   * One read at a time; a request during one reads again after it.
   */
  pollFunding(): Promise<void> {
    if (this.fundingPoll !== null) {
      this.fundingAgain = true;
      return this.fundingPoll;
    }
    this.fundingPoll = (async () => {
      do {
        this.fundingAgain = false;
        await this.readFunding();
      } while (this.fundingAgain && !this.stopped);
    })().finally(() => (this.fundingPoll = null));
    return this.fundingPoll;
  }

  private async readFunding(): Promise<void> {
    for (let attempt = 0; attempt < 10 && !this.stopped; attempt++) {
      const wait = this.rest.backoffLeft();
      if (wait > 0) await Bun.sleep(wait);
      const r = await this.rest.signed<{ symbol: string; income: string; asset: string; time: number; tranId: number }[]>("GET", "/fapi/v1/income", { incomeType: "FUNDING_FEE", startTime: this.fundingSince, limit: 1000 });
      if (!r.ok || !Array.isArray(r.value)) {
        await Bun.sleep(100 * (attempt + 1));
        continue;
      }
      for (const x of [...r.value].sort((a, b) => a.time - b.time || a.tranId - b.tranId)) {
        const inst = this.bySymbol.get(String(x?.symbol).toUpperCase());
        // Funding of other symbols on the account is not this deployment's.
        if (inst === undefined || this.fundingSeen.has(x.tranId)) continue;
        const quote = this.filters[inst.id]?.quoteAsset ?? inst.quote;
        const money = parseDecimalRounded(x.income, inst.priceDecimals + inst.sizeDecimals);
        if (x.asset !== quote || money !== money) {
          this.ctx.alert("BINANCE_BAD_MESSAGE", `funding tranId=${x.tranId} income=${x.income} ${x.asset}: not a number in ${quote}; not booked`);
          this.fundingSeen.add(x.tranId);
          continue;
        }
        this.fundingSeen.add(x.tranId);
        this.funding[inst.id]! += money;
        this.counters.fundingPayments++;
        if (this.ctx.funding !== undefined) this.ctx.funding(inst.id, money);
        else if (!this.fundingUnbooked) {
          this.fundingUnbooked = true;
          this.ctx.alert("BINANCE_FUNDING_UNBOOKED", `symbol=${inst.symbol} funding ${x.income} ${x.asset}: this runtime books no funding; counted by the venue only`);
        }
      }
      return;
    }
    this.ctx.alert("BINANCE_FUNDING_UNREAD", "funding income could not be read after 10 tries; read again on the next funding event or reconnect");
  }

  private async ensureListenKey(): Promise<string | null> {
    if (this.listenKey !== null) return this.listenKey;
    const r = await this.rest.keyed<{ listenKey: string }>("POST", this.paths.listenKey);
    if (!r.ok) {
      this.ctx.alert("BINANCE_LISTEN_KEY", `create failed: status=${r.status} code=${r.code} msg=${r.msg}`);
      return null;
    }
    this.listenKey = r.value.listenKey;
    return this.listenKey;
  }

  private async renewListenKey(): Promise<void> {
    if (this.listenKey === null) return;
    const r = await this.rest.keyed("PUT", this.paths.listenKey, { listenKey: this.listenKey });
    if (r.ok) return;
    this.ctx.alert("BINANCE_LISTEN_KEY", `keep-alive failed: status=${r.status} code=${r.code} msg=${r.msg}; a new key is made on reconnect`);
    if (r.code === -1125) this.listenKey = null;
  }
}

/** Binance order status to the SDK's order state. */
const STATE_OF: Record<string, VenueOrderStatus["state"]> = { NEW: "working", PARTIALLY_FILLED: "working", FILLED: "filled", CANCELED: "canceled", PENDING_CANCEL: "working", REJECTED: "rejected", EXPIRED: "expired", EXPIRED_IN_MATCH: "expired" };

/** Reads an instrument's filters from exchangeInfo, in its integer units; a string says why they do not fit. */
export function parseFilters(info: any, inst: Instrument): SymbolFilters | string {
  const s = Array.isArray(info?.symbols) ? info.symbols.find((x: any) => x?.symbol === inst.symbol) : undefined;
  if (s === undefined) return "exchangeInfo does not list the symbol";
  const byType = new Map<string, any>((s.filters ?? []).map((f: any) => [f.filterType, f]));
  const price = byType.get("PRICE_FILTER");
  const lot = byType.get("LOT_SIZE");
  const notional = byType.get("NOTIONAL") ?? byType.get("MIN_NOTIONAL");
  // Spot writes minNotional, USD-M's MIN_NOTIONAL writes notional.
  const minText = notional?.minNotional ?? notional?.notional;
  const tickTicks = parseDecimal(price?.tickSize, inst.priceDecimals);
  const stepUnits = parseDecimal(lot?.stepSize, inst.sizeDecimals);
  const minQtyUnits = parseDecimal(lot?.minQty, inst.sizeDecimals);
  const minNotional = notional === undefined ? 0 : parseDecimal(minText, inst.priceDecimals + inst.sizeDecimals);
  if (!(tickTicks >= 1)) return `tickSize=${price?.tickSize} is finer than priceDecimals=${inst.priceDecimals}`;
  if (!(stepUnits >= 1)) return `stepSize=${lot?.stepSize} is finer than sizeDecimals=${inst.sizeDecimals}`;
  if (minQtyUnits !== minQtyUnits || minNotional !== minNotional) return `minQty=${lot?.minQty} minNotional=${minText} not exact at the instrument's decimals`;
  return { tickTicks, stepUnits, minQtyUnits, minNotional, baseAsset: String(s.baseAsset), quoteAsset: String(s.quoteAsset) };
}

/** How Binance's checks are named in rejections. */
const BINANCE_CHECKS: CheckNames = {
  notReady: "BINANCE_NOT_READY",
  notLoaded: "exchangeInfo not loaded or not matching",
  key: "symbol",
  types: "Binance: limit and market",
  code: "BINANCE_FILTER",
  sizeStep: "filter=LOT_SIZE",
  sizeMin: "filter=LOT_SIZE",
  priceStep: "filter=PRICE_FILTER",
  priceStepWord: "tick",
  minValue: "filter=NOTIONAL",
  value: "notional",
};

/** Why an order breaks a filter (null when it passes). */
export function checkFilters(o: VenueOrder, f: SymbolFilters, touch: { bid: number; ask: number }): string | null {
  return checkIncrements(o, { sizeStep: f.stepUnits, sizeMin: f.minQtyUnits, priceStep: f.tickTicks, minValue: f.minNotional }, touch, BINANCE_CHECKS);
}

/** A commission in money units of the instrument (quote asset at price x size decimals); null for a third asset. */
function feeMoney(commission: string, asset: string, price: number, inst: Instrument, f: SymbolFilters | null | undefined): number | null {
  const quote = f?.quoteAsset ?? inst.quote;
  const base = f?.baseAsset ?? inst.base;
  if (asset === quote || asset === "") {
    // Exact where the money unit is fine enough (spot: 1e-10); USD-M's coarser unit (BTCUSDT 1e-4) rounds half away from zero.
    const v = parseDecimalRounded(commission, inst.priceDecimals + inst.sizeDecimals);
    return v === v ? v : null;
  }
  if (asset === base) {
    const units = parseDecimal(commission, inst.sizeDecimals);
    return units === units ? units * price : null;
  }
  return null;
}
