/**
 * Order entry on Coinbase Advanced Trade: new orders (`POST /api/v3/brokerage/orders`) with a
 * client order id per order, so a retry after an uncertain answer is idempotent (Coinbase answers
 * a repeated client order id with the order it already has); cancels (`POST .../orders/batch_cancel`);
 * order events from the `user` channel (its own connection, JWT in the subscribe message, sequence
 * numbers checked). The user channel carries an order's cumulative quantity and status, not its
 * fills, so each increase fetches the order's fills over REST (`GET .../orders/historical/fills`) and
 * reports every fill once by trade id; a terminal state is reported only after the fills before it.
 * After a reconnect or a sequence gap every unfinished order is re-read over REST. Product
 * increments (base, price, minimum sizes) come from `GET .../products/{product_id}`.
 */
import type { Instrument } from "../../sdk/instrument.ts";
import type { ExecutionReport, VenueContext, VenueFill, VenueOrder, VenueOrderStatus, VenueStatus } from "../../sdk/venue.ts";
import { formatDecimal, parseDecimal } from "../binance/wire/decimal.ts";
import { KeptSocket } from "../binance/stream/socket.ts";
import { checkIncrements, precheck, type CheckNames } from "../shared/order-checks.ts";
import type { CoinbaseRest, RestResult } from "./rest/client.ts";
import { parseEnvelope, parseUserOrders, type UserOrder } from "./wire/messages.ts";

/** A product's increments in the instrument's integer units. */
export interface ProductRules {
  readonly baseStep: number;
  readonly priceStep: number;
  readonly baseMin: number;
  /** Smallest order value in money units (ticks x units). */
  readonly quoteMin: number;
}

interface OrderState {
  readonly id: number;
  readonly instrument: number;
  readonly clientId: string;
  readonly size: number;
  exchangeId: string | null;
  accepted: boolean;
  terminal: boolean;
  filled: number;
  /** What the exchange last said: cumulative base filled (units) and status. */
  exchangeFilled: number;
  exchangeStatus: string;
  readonly trades: Set<string>;
  placed: Promise<void>;
  syncing: boolean;
  dirty: boolean;
}

/** Counters of the order side. */
export interface OrderCounters {
  sent: number;
  retries: number;
  fills: number;
  duplicateFills: number;
  fillQueries: number;
  refreshes: number;
  userReconnects: number;
  userGaps: number;
  /** Orders a reconnect found open and unchanged in the open-orders list (no per-order read). */
  openListed: number;
}

/** Options of the order side. */
export interface OrdersOptions {
  readonly wsUserUrl: string;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** Prefix of this session's client order ids (the order id follows). */
  readonly clientIdPrefix: string;
  readonly touch: (i: number) => { bid: number; ask: number };
}

const TERMINAL = new Set(["FILLED", "CANCELLED", "EXPIRED", "FAILED"]);

/** A client order id of this plugin, any session: `k<session start, base 36>-<order id>`. */
const SESSION_CLIENT_ID = /^k[0-9a-z]+-(\d+)$/;

/** Coinbase order status to the SDK's order state. */
const STATE_OF: Record<string, VenueOrderStatus["state"]> = { PENDING: "working", OPEN: "working", QUEUED: "working", CANCEL_QUEUED: "working", FILLED: "filled", CANCELLED: "canceled", EXPIRED: "expired", FAILED: "rejected" };

/** Orders of one session on Coinbase Advanced Trade. */
export class CoinbaseOrders {
  readonly counters: OrderCounters = { sent: 0, retries: 0, fills: 0, duplicateFills: 0, fillQueries: 0, refreshes: 0, userReconnects: 0, userGaps: 0, openListed: 0 };
  readonly rules: (ProductRules | null)[];
  private readonly orders = new Map<number, OrderState>();
  private readonly byClientId = new Map<string, OrderState>();
  private readonly socket: KeptSocket;
  private expectedSeq = -1;
  private stopped = false;
  private opened: (() => void) | null = null;
  /** While start-up status runs, user channel frames wait here (orders are being taken back). */
  private restoring: string[] | null = null;

  constructor(
    private readonly ctx: VenueContext,
    private readonly rest: CoinbaseRest,
    private readonly o: OrdersOptions,
  ) {
    this.rules = ctx.instruments.map(() => null);
    this.socket = new KeptSocket(
      {
        url: async () => o.wsUserUrl,
        open: () => {
          this.expectedSeq = -1;
          if (this.socket.opens > 1) this.counters.userReconnects++;
          for (const channel of ["heartbeats", "user"]) {
            const msg: Record<string, unknown> = { type: "subscribe", channel, jwt: this.rest.wsJwt() };
            if (channel === "user") msg.product_ids = ctx.instruments.map((i) => i.symbol);
            this.socket.send(JSON.stringify(msg));
          }
          this.opened?.();
          if (this.unfinished().length > 0) void this.refreshAll(this.socket.opens > 1 ? "user stream reconnected" : "user stream opened");
        },
        message: (text) => this.onUserFrame(text),
        close: (reason) => {
          if (!this.stopped) ctx.alert("COINBASE_STREAM_DOWN", `stream=user ${reason}; reconnecting, open orders are re-read over REST on reconnect`);
        },
      },
      o.reconnectMinMs,
      o.reconnectMaxMs,
    );
  }

  /** Loads product increments and opens the user channel. */
  async start(): Promise<void> {
    for (const inst of this.ctx.instruments) {
      const r = await this.rest.get<any>(`/api/v3/brokerage/products/${inst.symbol}`);
      if (!r.ok) {
        this.ctx.alert("COINBASE_START_FAILED", `product=${inst.symbol} products: status=${r.status} error=${r.code} msg=${r.msg}`);
        continue;
      }
      const rules = parseProduct(r.value, inst);
      if (typeof rules === "string") this.ctx.alert("COINBASE_INSTRUMENT_MISMATCH", `product=${inst.symbol} ${rules}; orders on it are refused`);
      else this.rules[inst.id] = rules;
    }
    const open = new Promise<void>((resolve) => (this.opened = resolve));
    this.socket.start();
    await Promise.race([open, Bun.sleep(5_000)]);
  }

  /** Closes the user channel. */
  stop(): void {
    this.stopped = true;
    this.socket.stop();
  }

  /** True when the user channel is connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends a new order. */
  submit(o: VenueOrder): void {
    const ok = precheck(this.ctx, o, this.rules, COINBASE_CHECKS);
    if (typeof ok === "string") return this.reject(o.id, ok);
    const { inst, rules } = ok;
    if (o.postOnly && (o.type !== "limit" || o.tif !== "GTC")) return this.reject(o.id, `UNSUPPORTED: post-only needs a GTC limit order (tif=${o.tif})`);
    const refused = checkRules(o, rules, this.o.touch(o.instrument));
    if (refused !== null) return this.reject(o.id, refused);
    const base_size = formatDecimal(o.size, inst.sizeDecimals);
    const limit_price = formatDecimal(o.price, inst.priceDecimals);
    const order_configuration =
      o.type === "market"
        ? { market_market_ioc: { base_size } }
        : o.tif === "IOC"
          ? { sor_limit_ioc: { base_size, limit_price } }
          : o.tif === "FOK"
            ? { limit_limit_fok: { base_size, limit_price } }
            : { limit_limit_gtc: { base_size, limit_price, post_only: o.postOnly } };
    const clientId = `${this.o.clientIdPrefix}${o.id}`;
    const st: OrderState = { id: o.id, instrument: o.instrument, clientId, size: o.size, exchangeId: null, accepted: false, terminal: false, filled: 0, exchangeFilled: 0, exchangeStatus: "", trades: new Set(), placed: Promise.resolve(), syncing: false, dirty: false };
    this.orders.set(o.id, st);
    this.byClientId.set(clientId, st);
    this.counters.sent++;
    st.placed = this.place(st, { client_order_id: clientId, product_id: inst.symbol, side: o.side === 1 ? "BUY" : "SELL", order_configuration });
  }

  /** Asks to cancel an order (after its new-order request has been answered). */
  cancel(orderId: number): void {
    const st = this.orders.get(orderId);
    if (st === undefined || st.terminal) {
      this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: `COINBASE_UNKNOWN_ORDER: ${st === undefined ? "not sent" : "already done"}` });
      return;
    }
    void st.placed.then(async () => {
      if (st.terminal || st.exchangeId === null) return;
      const r = await this.rest.post<{ results: { success: boolean; failure_reason: string; order_id: string }[] }>("/api/v3/brokerage/orders/batch_cancel", { order_ids: [st.exchangeId] });
      const res = r.ok ? r.value.results?.[0] : undefined;
      // Either way the order's state (and any fills first) comes from the exchange.
      await this.refresh(st, "cancel answered");
      if (st.terminal) return;
      const why = r.ok ? `failure_reason=${res?.failure_reason ?? "no result"}` : `status=${r.status} error=${r.code} msg=${r.msg}`;
      if (res?.success === true) return; // Accepted: the user channel will say CANCELLED.
      this.ctx.report({ kind: "cancel-rejected", orderId: st.id, ts: this.ctx.now(), reason: `COINBASE_CANCEL_REJECTED: ${why}` });
    });
  }

  /** Re-reads every unfinished order over REST (after a user channel outage or gap). */
  async refreshAll(why: string): Promise<void> {
    const open = this.unfinished();
    this.ctx.alert("COINBASE_RECONCILE", `reason="${why}" open_orders=${open.length}`);
    // One list of the open orders settles those still open with nothing new; every other one is read by itself.
    const quiet = new Set<OrderState>();
    const listed = await this.listOrders(["OPEN"]);
    if (listed !== null) {
      for (const x of listed) {
        const st = this.byClientId.get(String(x?.client_order_id));
        if (st === undefined || st.terminal) continue;
        const cum = parseDecimal(x.filled_size, this.ctx.instruments[st.instrument]!.sizeDecimals);
        if (cum !== st.filled) continue;
        st.exchangeId ??= String(x.order_id);
        this.accept(st);
        quiet.add(st);
      }
    }
    this.counters.openListed += quiet.size;
    await Promise.all(open.filter((s) => !quiet.has(s)).map((s) => this.refresh(s, why)));
  }

  /**
   * What the exchange knows of our orders at start-up, found by client order id in the order list
   * of our products: each order the journal holds open (`<prefix><id>` of any session of this
   * plugin, the newest if several) and every open order of that form above `afterId`, with its
   * fills. Working ones are taken back into this session's book (their fills counted as
   * reported); user channel frames meanwhile wait and are applied after. If the list cannot be
   * read the answer covers no instrument, with an alert.
   */
  async status(orderIds: readonly number[], afterId: number): Promise<VenueStatus> {
    this.restoring = [];
    try {
      const listed = await this.listOrders([]);
      if (listed === null) {
        this.ctx.alert("COINBASE_STATUS_FAILED", "the order list could not be read; open orders are not reconciled at start-up");
        return { orders: [], instruments: [] };
      }
      const wanted = new Set(orderIds);
      const newest = new Map<number, any>();
      for (const x of listed) {
        const m = SESSION_CLIENT_ID.exec(String(x?.client_order_id));
        if (m === null) continue;
        const id = Number(m[1]);
        if (!wanted.has(id) && !(id > afterId && x.status === "OPEN")) continue;
        const seen = newest.get(id);
        if (seen === undefined || String(x.created_time) > String(seen.created_time)) newest.set(id, x);
      }
      const orders: VenueOrderStatus[] = [];
      const covered = new Set<number>();
      for (const inst of this.ctx.instruments) covered.add(inst.id);
      for (const [id, x] of [...newest].sort((a, b) => a[0] - b[0])) {
        const inst = this.ctx.instruments.find((i) => i.symbol === x.product_id);
        if (inst === undefined) continue;
        const read = await this.statusOf(id, x, inst);
        if (typeof read === "string") {
          this.ctx.alert("COINBASE_STATUS_FAILED", `product=${inst.symbol} ${read}; its open orders are not reconciled at start-up`);
          covered.delete(inst.id);
          continue;
        }
        orders.push(read);
      }
      return { orders: orders.filter((o) => covered.has(o.instrument)), instruments: [...covered] };
    } finally {
      const waiting = this.restoring;
      this.restoring = null;
      for (const text of waiting) this.onUserFrame(text);
    }
  }

  private async statusOf(id: number, x: any, inst: Instrument): Promise<VenueOrderStatus | string> {
    const cfg = x.order_configuration ?? {};
    const kind = Object.keys(cfg)[0] ?? "";
    const c = cfg[kind] ?? {};
    const size = parseDecimal(c.base_size, inst.sizeDecimals);
    const price = kind === "market_market_ioc" ? 0 : parseDecimal(c.limit_price, inst.priceDecimals);
    const filled = parseDecimal(x.filled_size, inst.sizeDecimals);
    const state = STATE_OF[String(x.status)];
    if (!(size > 0) || price !== price || filled !== filled || state === undefined) return `order client_order_id=${x.client_order_id}: unreadable (${kind} base_size=${c.base_size} limit_price=${c.limit_price} filled_size=${x.filled_size} status=${x.status})`;
    const fills: VenueFill[] = [];
    const trades = new Set<string>();
    if (filled > 0) {
      const read = await this.readFills(String(x.order_id));
      if (read === null) return `fills of client_order_id=${x.client_order_id} could not be read`;
      for (const f of read) {
        const p = parseDecimal(f?.price, inst.priceDecimals);
        const q = parseDecimal(f?.size, inst.sizeDecimals);
        const fee = moneyRounded(f?.commission, inst.priceDecimals + inst.sizeDecimals);
        if (p !== p || !(q > 0)) return `fill trade_id=${f?.trade_id} unreadable price=${f?.price} size=${f?.size}`;
        fills.push({ price: p, size: q, fee: fee === fee ? fee : 0, liquidity: f.liquidity_indicator === "MAKER" ? "maker" : "taker", ts: this.ctx.now() });
        trades.add(String(f.trade_id));
      }
    }
    const tif = kind === "market_market_ioc" || kind === "sor_limit_ioc" ? "IOC" : kind === "limit_limit_fok" ? "FOK" : "GTC";
    const clientId = String(x.client_order_id);
    if (state === "working" && !this.orders.has(id)) {
      const st: OrderState = { id, instrument: inst.id, clientId, size, exchangeId: String(x.order_id), accepted: true, terminal: false, filled, exchangeFilled: filled, exchangeStatus: "OPEN", trades, placed: Promise.resolve(), syncing: false, dirty: false };
      this.orders.set(id, st);
      this.byClientId.set(clientId, st);
    }
    return { orderId: id, instrument: inst.id, side: x.side === "BUY" ? 1 : -1, type: kind === "market_market_ioc" ? "market" : "limit", tif, price, size, filled, fills, state };
  }

  /** Lists our products' orders (of the given statuses; all when empty), every page; null when it cannot be read. */
  private async listOrders(statuses: readonly string[]): Promise<any[] | null> {
    const out: any[] = [];
    let cursor = "";
    for (let page = 0; page < 100; page++) {
      const q: Record<string, string | string[]> = { product_ids: this.ctx.instruments.map((i) => i.symbol), limit: "1000" };
      if (statuses.length > 0) q.order_status = [...statuses];
      if (cursor !== "") q.cursor = cursor;
      const r = await this.retried(() => this.rest.get<{ orders: any[]; has_next?: boolean; cursor?: string }>("/api/v3/brokerage/orders/historical/batch", q));
      if (!r.ok || !Array.isArray(r.value?.orders)) return null;
      out.push(...r.value.orders);
      cursor = r.value.has_next === true ? String(r.value.cursor ?? "") : "";
      if (cursor === "") return out;
    }
    return out;
  }

  /** An order's fills, every page, oldest first; null when they cannot be read. */
  private async readFills(exchangeId: string): Promise<any[] | null> {
    let cursor = "";
    const fills: any[] = [];
    do {
      this.counters.fillQueries++;
      const q: Record<string, string> = { order_ids: exchangeId };
      if (cursor !== "") q.cursor = cursor;
      const r = await this.retried(() => this.rest.get<{ fills: any[]; cursor?: string }>("/api/v3/brokerage/orders/historical/fills", q));
      if (!r.ok || !Array.isArray(r.value.fills)) return null;
      fills.push(...r.value.fills);
      cursor = String(r.value.cursor ?? "");
    } while (cursor !== "");
    return fills.sort((a, b) => String(a.trade_time).localeCompare(String(b.trade_time)));
  }

  /** A REST read retried (backing off) while the answer is a network error, a 5xx or a rate limit. */
  private async retried<T>(call: () => Promise<RestResult<T>>): Promise<RestResult<T>> {
    let r = await call();
    for (let attempt = 1; attempt < 10 && !r.ok && (r.status === 0 || r.status >= 500 || r.status === 429) && !this.stopped; attempt++) {
      await Bun.sleep(Math.max(this.rest.backoffLeft(), 100 * attempt));
      r = await call();
    }
    return r;
  }

  /** Handles one user channel frame (public for tests). */
  onUserFrame(text: string): void {
    if (this.restoring !== null) {
      this.restoring.push(text);
      return;
    }
    const env = parseEnvelope(text);
    if (typeof env === "string") {
      this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=user ${env}`);
      return;
    }
    if ("error" in env) {
      this.ctx.alert("COINBASE_SUBSCRIBE_ERROR", `stream=user message=${env.error}`);
      return;
    }
    if (this.expectedSeq >= 0 && env.seq < this.expectedSeq) return;
    if (this.expectedSeq >= 0 && env.seq > this.expectedSeq) {
      this.counters.userGaps++;
      void this.refreshAll(`user channel gap: expected_seq=${this.expectedSeq} got_seq=${env.seq}`);
    }
    this.expectedSeq = env.seq + 1;
    if (env.channel !== "user") return;
    for (const ev of env.events) {
      const orders = parseUserOrders(ev);
      if (typeof orders === "string") {
        this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=user seq=${env.seq} ${orders}`);
        continue;
      }
      for (const u of orders) this.onUserOrder(u, ev.type === "snapshot");
    }
  }

  private onUserOrder(u: UserOrder, snapshot: boolean): void {
    const st = this.byClientId.get(u.clientOrderId);
    if (st === undefined) {
      // Orders of other sessions or tools on the account are not ours to report.
      if (!snapshot && u.clientOrderId.startsWith(this.o.clientIdPrefix)) this.ctx.alert("COINBASE_UNKNOWN_ORDER", `client_order_id=${u.clientOrderId} order_id=${u.orderId} status=${u.status}`);
      return;
    }
    const inst = this.ctx.instruments[st.instrument]!;
    const cum = parseDecimal(u.cumulativeQuantity, inst.sizeDecimals);
    if (cum !== cum) {
      this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=user order=${st.id} cumulative_quantity=${u.cumulativeQuantity} not exact at sizeDecimals=${inst.sizeDecimals}`);
      return;
    }
    st.exchangeId = u.orderId;
    this.observe(st, u.status, cum);
    void this.sync(st);
  }

  private observe(st: OrderState, status: string, cum: number): void {
    if (cum > st.exchangeFilled) st.exchangeFilled = cum;
    // A terminal state is final; an older event never takes it back.
    if (!TERMINAL.has(st.exchangeStatus)) st.exchangeStatus = status;
  }

  private unfinished(): OrderState[] {
    return [...this.orders.values()].filter((s) => !s.terminal);
  }

  /** Sends the new order, resending the same request (same client order id) while the answer is uncertain. */
  private async place(st: OrderState, body: unknown): Promise<void> {
    for (let attempt = 0; attempt < 10 && !this.stopped; attempt++) {
      if (attempt > 0) {
        this.counters.retries++;
        await Bun.sleep(Math.min(2000, 50 * 2 ** attempt));
      }
      const r = await this.rest.post<any>("/api/v3/brokerage/orders", body);
      if (st.terminal) return;
      if (r.ok && r.value?.success === true && typeof r.value.success_response?.order_id === "string") {
        st.exchangeId = r.value.success_response.order_id;
        this.accept(st);
        void this.sync(st);
        return;
      }
      if (r.ok) {
        const e = r.value?.error_response ?? {};
        this.terminal(st, { kind: "rejected", orderId: st.id, ts: this.ctx.now(), reason: `COINBASE_ORDER_REJECTED: error=${e.error ?? "?"} reason=${e.new_order_failure_reason ?? e.preview_failure_reason ?? ""} msg=${e.message ?? ""}`.trim() });
        return;
      }
      if (r.code === "COINBASE_NETWORK" || r.status >= 500 || r.code === "COINBASE_BAD_JSON") continue;
      const code = r.status === 429 || r.code === "COINBASE_BACKOFF" ? "COINBASE_RATE_LIMITED" : r.status === 401 ? "COINBASE_UNAUTHENTICATED" : "COINBASE_ORDER_REJECTED";
      this.terminal(st, { kind: "rejected", orderId: st.id, ts: this.ctx.now(), reason: `${code}: status=${r.status} error=${r.code} msg=${r.msg}` });
      return;
    }
    this.ctx.alert("COINBASE_ORDER_UNCERTAIN", `order=${st.id} client_order_id=${st.clientId}: no answer after 10 tries; reported rejected, the user channel will show it if it exists`);
    this.terminal(st, { kind: "rejected", orderId: st.id, ts: this.ctx.now(), reason: "COINBASE_ORDER_UNCERTAIN: no answer to the new order" });
  }

  /** Reads the order over REST, then brings its reports in line. */
  private async refresh(st: OrderState, why: string): Promise<void> {
    await st.placed;
    if (st.terminal || st.exchangeId === null) return;
    const inst = this.ctx.instruments[st.instrument]!;
    this.counters.refreshes++;
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      const wait = this.rest.backoffLeft();
      if (wait > 0) await Bun.sleep(wait);
      const r = await this.rest.get<{ order: { status: string; filled_size: string } }>(`/api/v3/brokerage/orders/historical/${st.exchangeId}`);
      if (!r.ok) {
        await Bun.sleep(100 * (attempt + 1));
        continue;
      }
      const cum = parseDecimal(r.value.order?.filled_size, inst.sizeDecimals);
      if (cum !== cum) {
        this.ctx.alert("COINBASE_BAD_MESSAGE", `order=${st.id} filled_size=${r.value.order?.filled_size} not exact (${why})`);
        return;
      }
      this.observe(st, String(r.value.order.status), cum);
      return this.sync(st);
    }
  }

  /** Reports what the exchange has said about an order: fills first (over REST), then a terminal state. One pass at a time per order. */
  private async sync(st: OrderState): Promise<void> {
    if (st.syncing) {
      st.dirty = true;
      return;
    }
    st.syncing = true;
    try {
      do {
        st.dirty = false;
        await this.syncOnce(st);
      } while (st.dirty && !st.terminal && !this.stopped);
    } finally {
      st.syncing = false;
    }
  }

  private async syncOnce(st: OrderState): Promise<void> {
    if (st.terminal) return;
    const status = st.exchangeStatus;
    if (status !== "" && status !== "PENDING" && status !== "FAILED") this.accept(st);
    for (let attempt = 0; st.exchangeFilled > st.filled && attempt < 20 && !this.stopped; attempt++) {
      if (attempt > 0) await Bun.sleep(50 * attempt);
      await this.fetchFills(st);
    }
    if (st.terminal) return;
    if (st.exchangeFilled > st.filled) {
      this.ctx.alert("COINBASE_FILLS_MISSING", `order=${st.id} exchange filled=${st.exchangeFilled} reported=${st.filled}; retried on the next event`);
      return;
    }
    const ts = this.ctx.now();
    switch (status) {
      case "CANCELLED":
        this.terminal(st, { kind: "canceled", orderId: st.id, ts, reason: "COINBASE_CANCELLED" });
        break;
      case "EXPIRED":
        this.terminal(st, { kind: "expired", orderId: st.id, ts });
        break;
      case "FAILED":
        this.terminal(st, { kind: "rejected", orderId: st.id, ts, reason: "COINBASE_ORDER_FAILED" });
        break;
      default:
        break;
    }
  }

  private async fetchFills(st: OrderState): Promise<void> {
    const inst = this.ctx.instruments[st.instrument]!;
    let cursor = "";
    const fills: any[] = [];
    do {
      this.counters.fillQueries++;
      const q: Record<string, string> = { order_ids: st.exchangeId! };
      if (cursor !== "") q.cursor = cursor;
      const r = await this.rest.get<{ fills: any[]; cursor?: string }>("/api/v3/brokerage/orders/historical/fills", q);
      if (!r.ok || !Array.isArray(r.value.fills)) return;
      fills.push(...r.value.fills);
      cursor = String(r.value.cursor ?? "");
    } while (cursor !== "");
    // Oldest first (by trade time, then as listed).
    fills.sort((a, b) => String(a.trade_time).localeCompare(String(b.trade_time)));
    for (const f of fills) this.fill(st, f, inst);
  }

  private fill(st: OrderState, f: any, inst: Instrument): void {
    const tradeId = String(f?.trade_id ?? "");
    if (st.trades.has(tradeId)) {
      this.counters.duplicateFills++;
      return;
    }
    const price = parseDecimal(f?.price, inst.priceDecimals);
    const size = parseDecimal(f?.size, inst.sizeDecimals);
    if (tradeId === "" || price !== price || size !== size || size <= 0 || f?.size_in_quote === true) {
      this.ctx.alert("COINBASE_BAD_MESSAGE", `fill trade_id=${tradeId} order=${st.id} price=${f?.price} size=${f?.size} size_in_quote=${f?.size_in_quote} not exact at the instrument's decimals`);
      return;
    }
    if (st.terminal) {
      this.ctx.alert("COINBASE_LATE_FILL", `trade_id=${tradeId} order=${st.id} arrived after the order was reported done`);
      return;
    }
    st.trades.add(tradeId);
    this.accept(st);
    const fee = moneyRounded(f.commission, inst.priceDecimals + inst.sizeDecimals);
    if (fee !== fee) this.ctx.alert("COINBASE_BAD_MESSAGE", `fill trade_id=${tradeId} commission=${f.commission} is not a number; booked as 0`);
    st.filled += size;
    this.counters.fills++;
    this.ctx.report({ kind: "fill", orderId: st.id, ts: this.ctx.now(), price, size, fee: fee === fee ? fee : 0, liquidity: f.liquidity_indicator === "MAKER" ? "maker" : "taker" });
    if (st.filled >= st.size) st.terminal = true;
  }

  private accept(st: OrderState): void {
    if (st.accepted || st.terminal) return;
    st.accepted = true;
    this.ctx.report({ kind: "accepted", orderId: st.id, ts: this.ctx.now() });
  }

  private terminal(st: OrderState, report: ExecutionReport): void {
    if (st.terminal) return;
    st.terminal = true;
    this.ctx.report(report);
  }

  private reject(orderId: number, reason: string): void {
    this.ctx.report({ kind: "rejected", orderId, ts: this.ctx.now(), reason });
  }
}

/** Reads a product's increments in the instrument's units; a string says why they do not fit. */
export function parseProduct(p: any, inst: Instrument): ProductRules | string {
  if (p?.product_id !== inst.symbol) return `products answered product_id=${p?.product_id}`;
  if (p.trading_disabled === true || p.is_disabled === true) return "trading is disabled on the product";
  const priceText = p.price_increment ?? p.quote_increment;
  const baseStep = parseDecimal(p.base_increment, inst.sizeDecimals);
  const priceStep = parseDecimal(priceText, inst.priceDecimals);
  const baseMin = parseDecimal(p.base_min_size, inst.sizeDecimals);
  const quoteMin = p.quote_min_size === undefined ? 0 : parseDecimal(p.quote_min_size, inst.priceDecimals + inst.sizeDecimals);
  if (!(priceStep >= 1)) return `price_increment=${priceText} is finer than priceDecimals=${inst.priceDecimals}`;
  if (!(baseStep >= 1)) return `base_increment=${p.base_increment} is finer than sizeDecimals=${inst.sizeDecimals}`;
  if (baseMin !== baseMin || quoteMin !== quoteMin) return `base_min_size=${p.base_min_size} quote_min_size=${p.quote_min_size} not exact at the instrument's decimals`;
  return { baseStep, priceStep, baseMin, quoteMin };
}

/** How Coinbase's checks are named in rejections. */
const COINBASE_CHECKS: CheckNames = {
  notReady: "COINBASE_NOT_READY",
  notLoaded: "increments not loaded or not matching",
  key: "product",
  types: "Coinbase here: limit and market",
  code: "COINBASE_INCREMENT",
  sizeStep: "base_increment",
  sizeMin: "base_min_size",
  priceStep: "price_increment",
  priceStepWord: "step",
  minValue: "quote_min_size",
  value: "value",
};

/** Why an order breaks the product's increments (null when it passes). */
export function checkRules(o: VenueOrder, r: ProductRules, touch: { bid: number; ask: number }): string | null {
  return checkIncrements(o, { sizeStep: r.baseStep, sizeMin: r.baseMin, priceStep: r.priceStep, minValue: r.quoteMin }, touch, COINBASE_CHECKS);
}

/** Decimal text to money units, rounded half up beyond the scale (Coinbase commissions can carry more digits); NaN if not a number. */
export function moneyRounded(text: unknown, decimals: number): number {
  if (typeof text !== "string") return Number.NaN;
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return Number.NaN;
  const frac = m[2] ?? "";
  const kept = Number(m[1] + frac.slice(0, decimals).padEnd(decimals, "0"));
  const up = frac.length > decimals && frac.charCodeAt(decimals) >= 53 ? 1 : 0;
  return kept + up;
}
