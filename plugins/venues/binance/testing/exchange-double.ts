/**
 * A Binance spot exchange double on 127.0.0.1: the REST API (time, exchangeInfo, depth, order,
 * openOrders, myTrades, userDataStream) and the WebSocket streams (combined market streams at
 * `/stream?streams=a/b/c`, the user data stream at `/ws/<listenKey>`), as Binance documents them.
 * The market is a recorded capture replayed frame by frame (the exact text received), paced at a
 * speed or stepped by a test; the double keeps the book the frames describe, serves snapshots of
 * it, and matches one account's orders against it. Signed requests are checked like Binance does
 * (API key, HMAC-SHA256 signature, timestamp within recvWindow of its clock). Faults are injected
 * on demand: dropped, duplicated, reordered and malformed frames, sequence gaps, disconnects,
 * 429 (and 418 for a client that ignores Retry-After), clock skew and lost user events.
 */
import type { Server, ServerWebSocket } from "bun";
import { BinanceBook } from "../../../../runtime/data/formats/binance-book.ts";
import { createHmac, createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { DoubleFaults, json, type CommonFault, type HeldSlot } from "../../shared/testing/double-faults.ts";
import { loadCapture, type Capture, type Frame } from "./capture.ts";
import { DoubleMatching, type DoubleOrder, type ExecEvent } from "./matching.ts";

/** Options of the double. */
export interface DoubleOptions {
  /** Capture files under ../shared/data, stitched. */
  files: readonly string[];
  symbol?: string;
  baseAsset?: string;
  quoteAsset?: string;
  priceDecimals?: number;
  sizeDecimals?: number;
  apiKey?: string;
  secret?: string;
  /** An Ed25519 public key (PEM): signatures are then checked as Ed25519 (base64) instead of HMAC. */
  ed25519PublicKeyPem?: string;
  /** Replay speed (capture seconds per wall second); 0 = frames only move on `step`. */
  speed?: number;
  /** Loopback port (0 = any free one). */
  port?: number;
  makerFeePpm?: number;
  takerFeePpm?: number;
  /** Exchange filters as text. */
  tickSize?: string;
  stepSize?: string;
  minNotional?: string;
  /** USD-M futures: /fapi/v1 endpoints, ORDER_TRADE_UPDATE and ACCOUNT_UPDATE events, funding. */
  futures?: boolean;
  /** USD-M hedge mode (dual-side position): every order names positionSide LONG or SHORT. */
  hedgeMode?: boolean;
}

/** A fault to inject; frame faults apply to the next depth frame(s) of the market stream. */
export type Fault = CommonFault | GapFault | { kind: "disconnect"; streams: "market" | "user" | "both" | "ws-api" } | { kind: "funding"; ratePpm: number };

/** Update ids skip ahead in the next depth frame. */
type GapFault = { kind: "gap"; ids: number };

/** A USD-M funding payment at the double (the income endpoint lists them). */
export interface FundingIncome {
  readonly tranId: number;
  /** Quote asset, 8 decimals, signed (received > 0). */
  readonly income8: number;
  readonly time: number;
}

interface SocketData {
  kind: "market" | "user" | "api";
  streams: Set<string>;
}

/** The double: start it, point the plugin at `restUrl`/`wsUrl`, step or pace the replay, inject faults. */
export class BinanceDouble {
  readonly apiKey: string;
  readonly secret: string;
  readonly symbol: string;
  readonly book = new BinanceBook();
  readonly matching: DoubleMatching;
  /** Position of the next frame to send. */
  position = 0;
  /** Counters tests read. */
  readonly counters = { requests: 0, rejected429: 0, banned418: 0, badSignature: 0, timestampRejects: 0, snapshots: 0, wsApiRequests: 0, marketConnections: 0, userConnections: 0, sentFrames: 0, userEvents: 0 };
  private readonly capture: Capture;
  private readonly server: Server<SocketData>;
  private readonly market = new Set<ServerWebSocket<SocketData>>();
  private readonly user = new Set<ServerWebSocket<SocketData>>();
  private readonly api = new Set<ServerWebSocket<SocketData>>();
  private readonly listenKeys = new Set<string>();
  /** Injected faults and what they left (429s due, skew, lost events). */
  readonly faults: DoubleFaults<GapFault>;
  private readonly heldSlot: HeldSlot = { held: null };
  private retryUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly opts: Required<DoubleOptions>;
  private weightMinute = 0;
  private publicKey: KeyObject | undefined;
  private weight = 0;
  /** WebSocket API requests answered, by method. */
  readonly wsApiMethods = new Map<string, number>();
  /** Funding payments, in order. */
  readonly funding: FundingIncome[] = [];

  private constructor(opts: DoubleOptions) {
    this.opts = {
      symbol: "BTCUSDT",
      baseAsset: "BTC",
      quoteAsset: "USDT",
      priceDecimals: 2,
      sizeDecimals: 8,
      apiKey: "double-api-key",
      secret: "double-secret",
      ed25519PublicKeyPem: "",
      speed: 0,
      port: 0,
      makerFeePpm: 1000,
      takerFeePpm: 1000,
      tickSize: "0.01000000",
      stepSize: "0.00001000",
      minNotional: "5.00000000",
      futures: false,
      hedgeMode: false,
      ...opts,
    };
    this.apiKey = this.opts.apiKey;
    this.secret = this.opts.secret;
    this.symbol = this.opts.symbol;
    this.capture = loadCapture(opts.files, this.opts.priceDecimals, this.opts.sizeDecimals);
    this.book.applySnapshot(this.capture.snapshot);
    this.matching = new DoubleMatching(this.opts, this.book, (e) => this.onExec(e));
    this.faults = new DoubleFaults<GapFault>(this.matching);
    const self = this;
    this.server = Bun.serve<SocketData>({
      hostname: "127.0.0.1",
      port: this.opts.port,
      fetch: (req, server) => self.handle(req, server),
      websocket: {
        open(ws) {
          (ws.data.kind === "market" ? self.market : ws.data.kind === "user" ? self.user : self.api).add(ws);
          if (ws.data.kind === "market") self.counters.marketConnections++;
          else self.counters.userConnections++;
        },
        message(ws, msg) {
          if (ws.data.kind === "api") self.onApi(ws, typeof msg === "string" ? msg : new TextDecoder().decode(msg));
        },
        close(ws) {
          self.market.delete(ws);
          self.user.delete(ws);
          self.api.delete(ws);
        },
      },
    });
  }

  /** Starts a double on an ephemeral loopback port. */
  static start(opts: DoubleOptions): BinanceDouble {
    const d = new BinanceDouble(opts);
    if (d.opts.speed > 0) d.pace();
    return d;
  }

  /** REST base URL. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** The port it listens on. */
  get port(): number {
    return this.server.port ?? 0;
  }

  /** WebSocket base URL. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.server.port}`;
  }

  /** Frames in the replay. */
  get frameCount(): number {
    return this.capture.frames.length;
  }

  /** Update id the double's book is at. */
  get lastUpdateId(): number {
    return this.book.lastId;
  }

  /** Market connections open now. */
  get marketClients(): number {
    return this.market.size;
  }

  /** User stream connections open now. */
  get userClients(): number {
    return this.user.size;
  }

  /** The frames of the replay (tests rebuild the book from them independently). */
  get frames(): readonly Frame[] {
    return this.capture.frames;
  }

  /** The capture's starting snapshot. */
  get startSnapshot(): Capture["snapshot"] {
    return this.capture.snapshot;
  }

  /** Queues a fault. */
  inject(f: Fault): void {
    if (f.kind === "disconnect") {
      if (f.streams === "ws-api") {
        for (const ws of [...this.api]) ws.close(1001, "double: disconnect");
        return;
      }
      if (f.streams !== "user") for (const ws of [...this.market]) ws.close(1001, "double: disconnect");
      if (f.streams !== "market") for (const ws of [...this.user]) ws.close(1001, "double: disconnect");
    } else if (f.kind === "funding") this.payFunding(f.ratePpm);
    else this.faults.apply(f);
  }

  /** Sends the next `n` frames (fewer at the end); returns how many were sent. */
  step(n: number): number {
    let sent = 0;
    while (sent < n && this.position < this.capture.frames.length) {
      this.emit(this.capture.frames[this.position++]!);
      sent++;
    }
    return sent;
  }

  /** True when every frame has been sent. */
  get done(): boolean {
    return this.position >= this.capture.frames.length;
  }

  /** Stops the server and the pacing. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    for (const ws of [...this.market, ...this.user, ...this.api]) ws.close(1001, "double stopping");
    this.server.stop(true);
  }

  /** The account's net position (units): its trades, buys positive. */
  netPosition(): number {
    return this.matching.trades.reduce((p, t) => p + (this.matching.orders.get(t.orderId)!.side === "BUY" ? t.qty : -t.qty), 0);
  }

  /**
   * A funding settlement at `ratePpm` (positive: longs pay shorts) on the position at the book's mid:
   * -position x mark x rate in the quote asset, rounded to 8 decimals; listed by /fapi/v1/income and
   * pushed as an ACCOUNT_UPDATE (reason FUNDING_FEE, balance change `bc`, no position: cross margin).
   */
  private payFunding(ratePpm: number): void {
    const mark = Math.round((this.book.bestBid() + this.book.bestAsk()) / 2);
    // position x mark is money at priceDecimals + sizeDecimals; scaled to 8 decimals, times the rate.
    const num = -BigInt(this.netPosition()) * BigInt(mark) * BigInt(ratePpm) * 10n ** BigInt(8);
    const den = 1_000_000n * 10n ** BigInt(this.opts.priceDecimals + this.opts.sizeDecimals);
    const q = num / den;
    const r = num % den;
    const income8 = Number(2n * (r < 0n ? -r : r) >= den ? q + (num < 0n ? -1n : 1n) : q);
    const time = this.serverTime();
    this.funding.push({ tranId: 9_000_000 + this.funding.length, income8, time });
    this.counters.userEvents++;
    if (this.faults.loseUserEvent()) return;
    const text = JSON.stringify({ e: "ACCOUNT_UPDATE", E: time, T: time, a: { m: "FUNDING_FEE", B: [{ a: this.opts.quoteAsset, wb: "100000.00000000", cw: "100000.00000000", bc: fmt(income8, 8) }], P: [] } });
    for (const ws of this.user) ws.send(text);
  }

  /** Exchange time: the wall clock plus any injected skew, ms. */
  serverTime(): number {
    return this.faults.serverTime();
  }

  private pace(): void {
    const frames = this.capture.frames;
    if (frames.length === 0) return;
    const wall0 = performance.now();
    const cap0 = frames[0]!.ns;
    const tick = () => {
      const due = cap0 + (performance.now() - wall0) * 1e6 * this.opts.speed;
      while (this.position < frames.length && frames[this.position]!.ns <= due) this.emit(frames[this.position++]!);
      if (this.position < frames.length) this.timer = setTimeout(tick, 2);
    };
    this.timer = setTimeout(tick, 0);
  }

  private emit(frame: Frame): void {
    if (frame.diff !== null) {
      this.book.applyDiff(frame.diff);
      this.matching.onBook(this.serverTime());
      this.sendDepth(frame);
    } else this.broadcast(frame.stream, frame.text);
  }

  /** Sends a depth frame through the fault queue. */
  private sendDepth(frame: Frame): void {
    this.faults.send(frame.text, this.heldSlot, (text) => this.broadcast(frame.stream, text), (f) => {
      // The exchange skipped update ids: the frame claims to start later than it does.
      const msg = JSON.parse(frame.text);
      // Futures chain diffs by pu (previous u), spot by U.
      if (typeof msg.data.pu === "number") msg.data.pu -= f.ids;
      else msg.data.U += f.ids;
      this.broadcast(frame.stream, JSON.stringify(msg));
    });
  }

  private broadcast(stream: string, text: string): void {
    for (const ws of this.market) {
      if (!ws.data.streams.has(stream)) continue;
      ws.send(text);
      this.counters.sentFrames++;
    }
  }

  private onExec(e: ExecEvent): void {
    this.counters.userEvents++;
    if (this.faults.loseUserEvent()) return;
    const o = e.order;
    const pd = this.opts.priceDecimals;
    const sd = this.opts.sizeDecimals;
    const t = e.trade;
    const cancel = e.execType === "CANCELED";
    const msg = {
      e: "executionReport",
      E: e.time,
      s: o.symbol,
      c: cancel ? e.cancelClientId : o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.tif,
      q: fmt(o.qty, sd),
      p: fmt(o.price, pd),
      P: "0.00000000",
      F: "0.00000000",
      g: -1,
      C: cancel ? o.clientOrderId : "",
      x: e.execType,
      X: o.status,
      r: "NONE",
      i: o.orderId,
      l: fmt(t?.qty ?? 0, sd),
      z: fmt(o.executed, sd),
      L: fmt(t?.price ?? 0, pd),
      n: fmt(t?.commission8 ?? 0, 8),
      N: t === null ? null : this.opts.quoteAsset,
      T: e.time,
      t: t?.id ?? -1,
      I: this.counters.userEvents,
      w: o.status === "NEW" || o.status === "PARTIALLY_FILLED",
      m: t?.maker ?? false,
      M: false,
      O: o.time,
      Z: fmt(o.quoteExecuted, pd + sd),
      Y: fmt(t === null ? 0 : t.price * t.qty, pd + sd),
      Q: "0.00000000",
      W: o.time,
      V: "EXPIRE_MAKER",
    };
    const text = JSON.stringify(this.opts.futures ? this.futuresEvent(e) : msg);
    for (const ws of this.user) ws.send(text);
  }

  /** The same change as USD-M's ORDER_TRADE_UPDATE. */
  private futuresEvent(e: ExecEvent): unknown {
    const o = e.order;
    const t = e.trade;
    const pd = this.opts.priceDecimals;
    const sd = this.opts.sizeDecimals;
    return {
      e: "ORDER_TRADE_UPDATE",
      E: e.time,
      T: e.time,
      o: { s: o.symbol, c: o.clientOrderId, S: o.side, o: o.type === "LIMIT_MAKER" ? "LIMIT" : o.type, f: o.type === "LIMIT_MAKER" ? "GTX" : o.tif, q: fmt(o.qty, sd), p: fmt(o.price, pd), ap: o.executed === 0 ? "0" : fmt(Math.round(o.quoteExecuted / o.executed), pd), sp: "0", x: e.execType, X: o.status, i: o.orderId, l: fmt(t?.qty ?? 0, sd), z: fmt(o.executed, sd), L: fmt(t?.price ?? 0, pd), N: t === null ? undefined : this.opts.quoteAsset, n: fmt(t?.commission8 ?? 0, 8), T: e.time, t: t?.id ?? 0, b: "0", a: "0", m: t?.maker ?? false, R: o.reduceOnly === true, wt: "CONTRACT_PRICE", ot: o.type, ps: o.positionSide ?? "BOTH", cp: false, rp: "0", pP: false, si: 0, ss: 0, V: "NONE", pm: "NONE", gtd: 0 },
    };
  }

  private handle(req: Request, server: Server<SocketData>): Response | undefined {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === "/stream") {
      const streams = new Set((url.searchParams.get("streams") ?? "").split("/").filter((s) => s !== ""));
      if (server.upgrade(req, { data: { kind: "market", streams } })) return undefined;
      return new Response("expected a WebSocket upgrade", { status: 400 });
    }
    if (path === (this.opts.futures ? "/ws-fapi/v1" : "/ws-api/v3")) {
      if (server.upgrade(req, { data: { kind: "api", streams: new Set() } })) return undefined;
      return new Response("expected a WebSocket upgrade", { status: 400 });
    }
    if (path.startsWith("/ws/")) {
      const key = path.slice(4);
      if (!this.listenKeys.has(key)) return new Response(JSON.stringify({ code: -1125, msg: "This listenKey does not exist." }), { status: 400 });
      if (server.upgrade(req, { data: { kind: "user", streams: new Set() } })) return undefined;
      return new Response("expected a WebSocket upgrade", { status: 400 });
    }
    return this.rest(req, url) as unknown as Response;
  }

  private async rest(req: Request, url: URL): Promise<Response> {
    this.counters.requests++;
    const now = Date.now();
    if (now < this.retryUntil) {
      // Binance bans an IP that keeps sending after a 429.
      this.counters.banned418++;
      return json({ code: -1003, msg: "Way too many requests; IP banned." }, 418, { "Retry-After": String(this.faults.retryAfterSeconds) });
    }
    if (this.faults.takeRateLimit()) {
      this.counters.rejected429++;
      this.retryUntil = now + this.faults.retryAfterSeconds * 1000;
      return json({ code: -1003, msg: "Too many requests; current limit is exceeded." }, 429, { "Retry-After": String(this.faults.retryAfterSeconds) });
    }
    const rawQuery = url.search.startsWith("?") ? url.search.slice(1) : "";
    const body = req.method === "GET" ? "" : await req.text();
    const total = rawQuery + (rawQuery !== "" && body !== "" ? "&" : "") + body;
    const params = new URLSearchParams(total);
    const path = this.opts.futures ? (FAPI[url.pathname] ?? url.pathname) : url.pathname;
    const key = `${req.method} ${path}`;
    const minute = Math.floor(now / 60_000);
    if (minute !== this.weightMinute) {
      this.weightMinute = minute;
      this.weight = 0;
    }
    this.weight += path.endsWith("/depth") ? 250 : path === "/api/v3/exchangeInfo" ? 20 : 1;
    const headers = { "X-MBX-USED-WEIGHT-1M": String(this.weight) };
    const reply = (value: unknown, status = 200) => json(value, status, headers);
    switch (key) {
      case "GET /api/v3/ping":
        return reply({});
      case "GET /api/v3/time":
        return reply({ serverTime: this.serverTime() });
      case "GET /api/v3/exchangeInfo":
        return reply(this.exchangeInfo());
      case "GET /api/v3/depth":
      case "GET /fapi/v1/depth":
        return reply(this.depth(Number(params.get("limit") ?? 100)));
      case "POST /api/v3/userDataStream":
      case "PUT /api/v3/userDataStream":
      case "DELETE /api/v3/userDataStream": {
        if (req.headers.get("X-MBX-APIKEY") !== this.apiKey) return reply({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." }, 401);
        if (req.method === "POST") {
          const k = `lk${this.listenKeys.size + 1}x${Math.floor(Math.random() * 1e9).toString(36)}`;
          this.listenKeys.add(k);
          return reply({ listenKey: k });
        }
        const k = params.get("listenKey") ?? "";
        if (!this.listenKeys.has(k)) return reply({ code: -1125, msg: "This listenKey does not exist." }, 400);
        if (req.method === "DELETE") this.listenKeys.delete(k);
        return reply({});
      }
    }
    const refused = this.checkSigned(req, total);
    if (refused !== null) return reply(refused.body, refused.status);
    switch (key) {
      case "POST /api/v3/order": {
        const r = this.newOrder(params);
        return reply(r.body, r.status);
      }
      case "DELETE /api/v3/order": {
        const r = this.cancelOrder(params);
        return reply(r.body, r.status);
      }
      case "GET /api/v3/order": {
        const r = this.orderStatus(params);
        return reply(r.body, r.status);
      }
      case "GET /fapi/v1/income": {
        const since = Number(params.get("startTime") ?? 0);
        const type = params.get("incomeType");
        return reply(this.funding.filter((f) => f.time >= since && (type === null || type === "FUNDING_FEE")).map((f) => ({ symbol: this.symbol, incomeType: "FUNDING_FEE", income: fmt(f.income8, 8), asset: this.opts.quoteAsset, info: "FUNDING_FEE", time: f.time, tranId: f.tranId, tradeId: "" })));
      }
      case "GET /api/v3/openOrders":
        return reply(this.matching.open().map((o) => this.orderJson(o)));
      case "GET /api/v3/myTrades": {
        const orderId = params.get("orderId");
        const pd = this.opts.priceDecimals;
        const sd = this.opts.sizeDecimals;
        const trades = this.matching.trades.filter((t) => orderId === null || t.orderId === Number(orderId));
        return reply(
          trades.map((t) => {
            const o = this.matching.orders.get(t.orderId)!;
            if (this.opts.futures) return { symbol: this.symbol, id: t.id, orderId: t.orderId, side: o.side, price: fmt(t.price, pd), qty: fmt(t.qty, sd), realizedPnl: "0", quoteQty: fmt(t.price * t.qty, pd + sd), commission: fmt(t.commission8, 8), commissionAsset: this.opts.quoteAsset, time: t.time, positionSide: o.positionSide ?? "BOTH", buyer: o.side === "BUY", maker: t.maker };
            return { symbol: this.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: fmt(t.price, pd), qty: fmt(t.qty, sd), quoteQty: fmt(t.price * t.qty, pd + sd), commission: fmt(t.commission8, 8), commissionAsset: this.opts.quoteAsset, time: t.time, isBuyer: o.side === "BUY", isMaker: t.maker, isBestMatch: true };
          }),
        );
      }
    }
    return reply({ code: -1100, msg: `Unknown endpoint ${key}` }, 404);
  }

  /** Binance's checks on a SIGNED request: API key, signature over everything before it, timestamp in recvWindow. */
  private checkSigned(req: Request, total: string): { status: number; body: { code: number; msg: string } } | null {
    if (req.headers.get("X-MBX-APIKEY") !== this.apiKey) return { status: 401, body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." } };
    const at = total.lastIndexOf("&signature=");
    if (at < 0) return { status: 400, body: { code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." } };
    const payload = total.slice(0, at);
    const signature = total.slice(at + "&signature=".length);
    if (!this.signatureValid(payload, signature)) {
      this.counters.badSignature++;
      return { status: 400, body: { code: -1022, msg: "Signature for this request is not valid." } };
    }
    const params = new URLSearchParams(payload);
    const timestamp = Number(params.get("timestamp"));
    const recvWindow = Number(params.get("recvWindow") ?? 5000);
    const serverTime = this.serverTime();
    if (!(timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)) {
      this.counters.timestampRejects++;
      return { status: 400, body: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." } };
    }
    return null;
  }

  private signatureValid(payload: string, signature: string): boolean {
    if (this.opts.ed25519PublicKeyPem === "") return createHmac("sha256", this.secret).update(payload).digest("hex") === signature.toLowerCase();
    this.publicKey ??= createPublicKey(this.opts.ed25519PublicKeyPem);
    try {
      return cryptoVerify(null, Buffer.from(payload), this.publicKey, Buffer.from(decodeURIComponent(signature), "base64"));
    } catch {
      return false;
    }
  }

  private cancelOrder(params: URLSearchParams): { status: number; body: unknown } {
    const o = this.findOrder(params);
    const canceled = o === undefined ? null : this.matching.cancel(o, params.get("newClientOrderId") ?? `cancel${o.orderId}`, this.serverTime());
    if (canceled === null) return { status: 400, body: { code: -2011, msg: "Unknown order sent." } };
    return { status: 200, body: this.orderJson(canceled) };
  }

  /** A WebSocket API request: the same checks and orders as REST, answered as `{id, status, result | error}`. */
  private onApi(ws: ServerWebSocket<SocketData>, text: string): void {
    let req: any;
    try {
      req = JSON.parse(text);
    } catch {
      ws.send(JSON.stringify({ id: null, status: 400, error: { code: -1100, msg: "Illegal characters found in a parameter." } }));
      return;
    }
    const answer = (status: number, body: unknown): void => void ws.send(JSON.stringify({ id: req.id, status, ...(status === 200 ? { result: body } : { error: body }), rateLimits: [] }));
    this.counters.requests++;
    const now = Date.now();
    if (now < this.retryUntil) {
      this.counters.banned418++;
      return answer(418, { code: -1003, msg: "Way too many requests; IP banned.", data: { serverTime: this.serverTime(), retryAfter: this.retryUntil + this.faults.skewMs } });
    }
    if (this.faults.takeRateLimit()) {
      this.counters.rejected429++;
      this.retryUntil = now + this.faults.retryAfterSeconds * 1000;
      return answer(429, { code: -1003, msg: "Too many requests; current limit is exceeded.", data: { serverTime: this.serverTime(), retryAfter: this.retryUntil + this.faults.skewMs } });
    }
    const params: Record<string, unknown> = req.params ?? {};
    if (params.apiKey !== this.apiKey) return answer(401, { code: -2015, msg: "Invalid API-key, IP, or permissions for action." });
    // Signature payload: every param but the signature, sorted by name, as name=value pairs.
    const payload = Object.keys(params)
      .filter((k) => k !== "signature")
      .sort()
      .map((k) => `${k}=${encodeURIComponent(String(params[k]))}`)
      .join("&");
    const signature = String(params.signature ?? "");
    if (!this.signatureValid(payload, this.opts.ed25519PublicKeyPem === "" ? signature : encodeURIComponent(signature))) {
      this.counters.badSignature++;
      return answer(400, { code: -1022, msg: "Signature for this request is not valid." });
    }
    const serverTime = this.serverTime();
    const timestamp = Number(params.timestamp);
    if (!(timestamp < serverTime + 1000 && serverTime - timestamp <= Number(params.recvWindow ?? 5000))) {
      this.counters.timestampRejects++;
      return answer(400, { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." });
    }
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) p.set(k, String(v));
    const r = req.method === "order.place" ? this.newOrder(p) : req.method === "order.cancel" ? this.cancelOrder(p) : req.method === "order.status" ? this.orderStatus(p) : { status: 400, body: { code: -1100, msg: `unknown method ${req.method}` } };
    this.counters.wsApiRequests++;
    this.wsApiMethods.set(String(req.method), (this.wsApiMethods.get(String(req.method)) ?? 0) + 1);
    answer(r.status, r.body);
  }

  private orderStatus(p: URLSearchParams): { status: number; body: unknown } {
    const o = this.findOrder(p);
    if (o === undefined) return { status: 400, body: { code: -2013, msg: "Order does not exist." } };
    return { status: 200, body: this.orderJson(o) };
  }

  /** USD-M position of one side (hedge mode LONG/SHORT) or the net one (BOTH), from the trades. */
  positionOf(side: "BOTH" | "LONG" | "SHORT"): number {
    let pos = 0;
    for (const t of this.matching.trades) {
      const o = this.matching.orders.get(t.orderId)!;
      if (side !== "BOTH" && o.positionSide !== side) continue;
      pos += o.side === "BUY" ? t.qty : -t.qty;
    }
    return pos;
  }

  /** USD-M: the position side and reduce-only checks Binance makes (-4061, -1106, -2022); null when the order may go. */
  private futuresChecks(p: URLSearchParams, side: "BUY" | "SELL", qty: number): { code: number; msg: string } | null {
    const ps = p.get("positionSide") ?? "BOTH";
    const reduceOnly = p.get("reduceOnly");
    if (ps !== "BOTH" && ps !== "LONG" && ps !== "SHORT") return { code: -4003, msg: "Invalid positionSide." };
    if ((ps === "BOTH") === this.opts.hedgeMode) return { code: -4061, msg: "Order's position side does not match user's setting." };
    if (this.opts.hedgeMode && reduceOnly !== null) return { code: -1106, msg: "Parameter 'reduceonly' sent when not required." };
    if (reduceOnly !== null && reduceOnly !== "true" && reduceOnly !== "false") return { code: -1102, msg: "Parameter 'reduceOnly' was not valid." };
    // What the order closes must be there: one-way reduce-only against the net position, hedge
    // mode's closing side (SELL of LONG, BUY of SHORT) against that side's position.
    const closing = this.opts.hedgeMode ? (ps === "LONG" && side === "SELL") || (ps === "SHORT" && side === "BUY") : reduceOnly === "true";
    if (!closing) return null;
    const pos = this.positionOf(ps as "BOTH" | "LONG" | "SHORT");
    const reduces = side === "SELL" ? pos >= qty : -pos >= qty;
    return reduces ? null : { code: -2022, msg: "ReduceOnly Order is rejected." };
  }

  private newOrder(p: URLSearchParams): { status: number; body: unknown } {
    const reply = (body: unknown, status = 200) => ({ status, body });
    const pd = this.opts.priceDecimals;
    const sd = this.opts.sizeDecimals;
    if (p.get("symbol") !== this.symbol) return reply({ code: -1121, msg: "Invalid symbol." }, 400);
    const side = p.get("side");
    const type = p.get("type");
    if (side !== "BUY" && side !== "SELL") return reply({ code: -1102, msg: "Mandatory parameter 'side' was not sent." }, 400);
    if (type !== "LIMIT" && type !== "MARKET" && type !== "LIMIT_MAKER") return reply({ code: -1116, msg: "Invalid orderType." }, 400);
    const qty = dec(p.get("quantity"), sd);
    const price = type === "MARKET" ? 0 : dec(p.get("price"), pd);
    const tick = dec(this.opts.tickSize, pd);
    const step = dec(this.opts.stepSize, sd);
    if (!(qty > 0) || qty % step !== 0) return reply({ code: -1013, msg: "Filter failure: LOT_SIZE" }, 400);
    if (type !== "MARKET" && (!(price > 0) || price % tick !== 0)) return reply({ code: -1013, msg: "Filter failure: PRICE_FILTER" }, 400);
    const refPrice = type === "MARKET" ? (side === "BUY" ? this.book.bestAsk() : this.book.bestBid()) : price;
    if (refPrice * qty < dec(this.opts.minNotional, pd + sd)) return reply({ code: -1013, msg: "Filter failure: NOTIONAL" }, 400);
    const tifText = p.get("timeInForce") ?? "GTC";
    const gtx = this.opts.futures && type === "LIMIT" && tifText === "GTX";
    if (type === "LIMIT" && tifText !== "GTC" && tifText !== "IOC" && tifText !== "FOK" && !gtx) return reply({ code: -1115, msg: "Invalid timeInForce." }, 400);
    const clientOrderId = p.get("newClientOrderId") ?? `x-${Math.floor(Math.random() * 1e12)}`;
    const refused = this.opts.futures ? this.futuresChecks(p, side, qty) : null;
    if (refused !== null) return reply(refused, 400);
    const placed = this.matching.place({
      ...(this.opts.futures ? { positionSide: (p.get("positionSide") ?? "BOTH") as "BOTH", reduceOnly: p.get("reduceOnly") === "true" } : {}),
      clientOrderId,
      symbol: this.symbol,
      side,
      type: gtx ? "LIMIT_MAKER" : type,
      tif: type === "MARKET" ? "IOC" : type === "LIMIT_MAKER" || gtx ? "GTC" : (tifText as "GTC"),
      price,
      qty,
      time: this.serverTime(),
    });
    if ("code" in placed) return reply(gtx ? { code: -5022, msg: "Due to the order could not be executed as maker, the Post Only order will be rejected." } : placed, 400);
    return reply({ symbol: this.symbol, orderId: placed.orderId, orderListId: -1, clientOrderId, transactTime: placed.time });
  }

  private findOrder(p: URLSearchParams): DoubleOrder | undefined {
    const id = p.get("orderId");
    if (id !== null) return this.matching.orders.get(Number(id));
    return this.matching.byClientId.get(p.get("origClientOrderId") ?? "");
  }

  private orderJson(o: DoubleOrder): unknown {
    const pd = this.opts.priceDecimals;
    const sd = this.opts.sizeDecimals;
    return { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: fmt(o.price, pd), origQty: fmt(o.qty, sd), executedQty: fmt(o.executed, sd), cummulativeQuoteQty: fmt(o.quoteExecuted, pd + sd), status: o.status, timeInForce: o.tif, type: o.type, side: o.side, time: o.time, updateTime: o.updateTime, isWorking: true, ...(this.opts.futures ? { reduceOnly: o.reduceOnly === true, positionSide: o.positionSide ?? "BOTH" } : {}) };
  }

  private depth(limit: number): unknown {
    this.counters.snapshots++;
    const n = Math.max(1, Math.min(5000, limit || 100));
    const pd = this.opts.priceDecimals;
    const sd = this.opts.sizeDecimals;
    const bids = [...this.book.bids.levels].sort((a, b) => b[0] - a[0]).slice(0, n);
    const asks = [...this.book.asks.levels].sort((a, b) => a[0] - b[0]).slice(0, n);
    return { lastUpdateId: this.book.lastId, bids: bids.map(([p, q]) => [fmt(p, pd), fmt(q, sd)]), asks: asks.map(([p, q]) => [fmt(p, pd), fmt(q, sd)]) };
  }

  private exchangeInfo(): unknown {
    return {
      timezone: "UTC",
      serverTime: this.serverTime(),
      rateLimits: [
        { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
        { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
      ],
      exchangeFilters: [],
      symbols: [
        {
          symbol: this.symbol,
          status: "TRADING",
          baseAsset: this.opts.baseAsset,
          baseAssetPrecision: 8,
          quoteAsset: this.opts.quoteAsset,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET"],
          filters: [
            { filterType: "PRICE_FILTER", minPrice: this.opts.tickSize, maxPrice: "1000000.00000000", tickSize: this.opts.tickSize },
            { filterType: "LOT_SIZE", minQty: this.opts.stepSize, maxQty: "9000.00000000", stepSize: this.opts.stepSize },
            this.opts.futures ? { filterType: "MIN_NOTIONAL", notional: this.opts.minNotional } : { filterType: "NOTIONAL", minNotional: this.opts.minNotional, applyMinToMarket: true, maxNotional: "9000000.00000000", applyMaxToMarket: false, avgPriceMins: 5 },
          ],
        },
      ],
    };
  }
}

/** USD-M paths served by the spot handlers (the answers differ where USD-M's do). */
const FAPI: Record<string, string> = {
  "/fapi/v1/time": "/api/v3/time",
  "/fapi/v1/ping": "/api/v3/ping",
  "/fapi/v1/exchangeInfo": "/api/v3/exchangeInfo",
  "/fapi/v1/order": "/api/v3/order",
  "/fapi/v1/openOrders": "/api/v3/openOrders",
  "/fapi/v1/userTrades": "/api/v3/myTrades",
  "/fapi/v1/listenKey": "/api/v3/userDataStream",
};


/** Formats a scaled integer with exactly `decimals` digits, as Binance does (at least 8). */
function fmt(value: number, decimals: number): string {
  const d = Math.max(decimals, 8);
  const v = value * 10 ** (d - decimals);
  const digits = String(Math.abs(v)).padStart(d + 1, "0");
  return `${v < 0 ? "-" : ""}${digits.slice(0, -d)}.${digits.slice(-d)}`;
}

function dec(text: string | null, decimals: number): number {
  if (text === null) return Number.NaN;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return Number.NaN;
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > decimals) return Number.NaN;
  return Number(m[1] + frac.padEnd(decimals, "0"));
}
