/**
 * A Coinbase Advanced Trade exchange double on 127.0.0.1: the REST endpoints the venue uses
 * (time, products, orders, batch_cancel, historical order and fills) and the WebSocket channels
 * (`heartbeats`, `level2` → `l2_data`, `market_trades`, `ticker`, `user`) with a `sequence_num`
 * per connection, as Coinbase documents them. There is no Coinbase capture, so the market is the
 * recorded Binance BTCUSDT capture re-expressed in Coinbase's schemas (depth diffs as level2
 * updates, trades as market trades with the maker's side, bookTicker as ticker), stepped by a test
 * or paced at a speed. Every authenticated request and user subscription must carry a valid ES256
 * JWT (signature, key name, issuer, times, `uri`, unused nonce), checked with node:crypto. Orders
 * are matched against the replayed book by the Binance double's matching; a repeated client order
 * id answers with the existing order, as Coinbase does. Faults on demand: dropped, duplicated,
 * reordered and malformed level2 messages, sequence gaps, silence, disconnects, 429s, clock skew,
 * lost user events and lost new-order answers (the order placed, a 503 returned).
 */
import type { Server, ServerWebSocket } from "bun";
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from "node:crypto";
import { BinanceBook } from "../../../../runtime/data/formats/binance-book.ts";
import { formatDecimal, parseDecimal } from "../../binance/wire/decimal.ts";
import { loadCapture, type Capture, type Frame } from "../../binance/testing/capture.ts";
import { DoubleFaults, json, type CommonFault } from "../../shared/testing/double-faults.ts";
import { DoubleMatching, type DoubleOrder, type ExecEvent } from "../../binance/testing/matching.ts";

/** Options of the double. */
export interface CoinbaseDoubleOptions {
  /** Capture files under ../shared/data (the Binance spot capture), stitched. */
  files: readonly string[];
  productId?: string;
  priceDecimals?: number;
  sizeDecimals?: number;
  /** Replay speed (capture seconds per wall second); 0 = frames only move on `step`. */
  speed?: number;
  port?: number;
  heartbeatMs?: number;
  makerFeePpm?: number;
  takerFeePpm?: number;
}

/** A fault to inject; message faults apply to the next level2 message(s) of the market connections. */
export type CoinbaseFault = CommonFault | GapFault | { kind: "silence"; ms: number } | { kind: "disconnect"; streams: "market" | "user" | "both" } | { kind: "lose-order-answer"; count: number };

/** Sequence numbers skip ahead at the next level2 message. */
type GapFault = { kind: "gap"; seqs: number };

interface SocketData {
  readonly kind: "market" | "user";
  seq: number;
  readonly subs: Set<string>;
  heartbeat: ReturnType<typeof setInterval> | null;
  counter: number;
  held: string | null;
}

/** The double: start it, point the plugin at its URLs with its key, step or pace the replay, inject faults. */
export class CoinbaseDouble {
  /** The API key name and its private key (PEM) a client signs with. */
  readonly keyName = "organizations/double-org/apiKeys/double-key";
  readonly privateKeyPem: string;
  readonly productId: string;
  readonly book = new BinanceBook();
  readonly matching: DoubleMatching;
  position = 0;
  /** Counters tests read. */
  readonly counters = { requests: 0, rejected429: 0, unauthenticated: 0, sentFrames: 0, userEvents: 0, subscribes: 0, marketConnections: 0, userConnections: 0, orderRequests: 0, idempotentReplays: 0 };
  /** Reasons of refused tokens, in order. */
  readonly authFailures: string[] = [];
  private readonly publicKey: KeyObject;
  private readonly capture: Capture;
  private readonly server: Server<SocketData>;
  private readonly sockets = new Set<ServerWebSocket<SocketData>>();
  /** Injected faults and what they left (429s due, skew, lost events). */
  readonly faults: DoubleFaults<GapFault>;
  private readonly nonces = new Set<string>();
  /** sequence_num → replay position, for the newest market connection. */
  private seqPositions = new Map<number, number>();
  private recentTrades: string[] = [];
  private lastPrice = "0";
  private silentUntil = 0;
  private silenced = new Set<ServerWebSocket<SocketData>>();
  private loseOrderAnswers = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly opts: Required<CoinbaseDoubleOptions>;

  private constructor(opts: CoinbaseDoubleOptions) {
    this.opts = { productId: "BTC-USD", priceDecimals: 2, sizeDecimals: 8, speed: 0, port: 0, heartbeatMs: 1000, makerFeePpm: 4000, takerFeePpm: 6000, ...opts };
    this.productId = this.opts.productId;
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    this.privateKeyPem = pair.privateKey.export({ type: "sec1", format: "pem" }).toString();
    this.publicKey = createPublicKey(pair.publicKey.export({ type: "spki", format: "pem" }));
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
        // A whole capture stepped at once must queue, never drop (Bun drops past this limit).
        backpressureLimit: 512 * 1024 * 1024,
        open(ws) {
          self.sockets.add(ws);
          if (ws.data.kind === "market") {
            self.counters.marketConnections++;
            self.seqPositions = new Map();
          } else self.counters.userConnections++;
        },
        message(ws, msg) {
          self.onClientMessage(ws, typeof msg === "string" ? msg : new TextDecoder().decode(msg));
        },
        close(ws) {
          self.sockets.delete(ws);
          if (ws.data.heartbeat !== null) clearInterval(ws.data.heartbeat);
        },
      },
    });
  }

  /** Starts a double on an ephemeral loopback port. */
  static start(opts: CoinbaseDoubleOptions): CoinbaseDouble {
    const d = new CoinbaseDouble(opts);
    if (d.opts.speed > 0) d.pace();
    return d;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** Market data WebSocket URL. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.server.port}/`;
  }

  /** User channel WebSocket URL. */
  get wsUserUrl(): string {
    return `ws://127.0.0.1:${this.server.port}/user`;
  }

  get port(): number {
    return this.server.port ?? 0;
  }

  get frames(): readonly Frame[] {
    return this.capture.frames;
  }

  get startSnapshot(): Capture["snapshot"] {
    return this.capture.snapshot;
  }

  get done(): boolean {
    return this.position >= this.capture.frames.length;
  }

  /** Market connections open now. */
  get marketClients(): number {
    return [...this.sockets].filter((s) => s.data.kind === "market").length;
  }

  /** Replay position (frames applied) when the newest market connection's message `seq` was sent; undefined if not a level2 message. */
  positionOf(seq: number): number | undefined {
    return this.seqPositions.get(seq);
  }

  /** Next sequence_num of the newest market connection (-1 when none). */
  get marketSeq(): number {
    let seq = -1;
    for (const ws of this.sockets) if (ws.data.kind === "market") seq = ws.data.seq;
    return seq;
  }

  private silent(ws: ServerWebSocket<SocketData>): boolean {
    return this.silenced.has(ws) && Date.now() < this.silentUntil;
  }

  /** Exchange time: wall clock plus any injected skew, ms. */
  serverTime(): number {
    return this.faults.serverTime();
  }

  /** Queues or applies a fault. */
  inject(f: CoinbaseFault): void {
    switch (f.kind) {
      case "disconnect":
        for (const ws of [...this.sockets]) if (f.streams === "both" || ws.data.kind === f.streams) ws.close(1001, "double: disconnect");
        return;
      case "silence":
        // The connections open now go quiet (heartbeats too); a new connection is served normally.
        this.silenced = new Set([...this.sockets].filter((ws) => ws.data.kind === "market"));
        this.silentUntil = Date.now() + f.ms;
        return;
      case "lose-order-answer":
        this.loseOrderAnswers += f.count;
        return;
      default:
        this.faults.apply(f);
    }
  }

  /** Sends the next `n` frames; returns how many were sent. */
  step(n: number): number {
    let sent = 0;
    while (sent < n && this.position < this.capture.frames.length) {
      this.emit(this.capture.frames[this.position++]!);
      sent++;
    }
    return sent;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    for (const ws of [...this.sockets]) ws.close(1001, "double stopping");
    this.server.stop(true);
  }

  private pace(): void {
    const frames = this.capture.frames;
    const wall0 = performance.now();
    const cap0 = frames[0]!.ns;
    const tick = () => {
      const due = cap0 + (performance.now() - wall0) * 1e6 * this.opts.speed;
      while (this.position < frames.length && frames[this.position]!.ns <= due) this.emit(frames[this.position++]!);
      if (this.position < frames.length) this.timer = setTimeout(tick, 2);
    };
    this.timer = setTimeout(tick, 0);
  }

  // ---- market data ----

  private p(v: number): string {
    return formatDecimal(v, this.opts.priceDecimals);
  }

  private s(v: number): string {
    return formatDecimal(v, this.opts.sizeDecimals);
  }

  private emit(frame: Frame): void {
    const now = new Date(this.serverTime()).toISOString();
    if (frame.diff !== null) {
      this.book.applyDiff(frame.diff);
      this.matching.onBook(this.serverTime());
      const updates = [...frame.diff.bids.map(([p, q]) => ({ side: "bid", event_time: now, price_level: this.p(p), new_quantity: this.s(q) })), ...frame.diff.asks.map(([p, q]) => ({ side: "offer", event_time: now, price_level: this.p(p), new_quantity: this.s(q) }))];
      const events = JSON.stringify([{ type: "update", product_id: this.productId, updates }]);
      for (const ws of this.sockets) if (ws.data.subs.has("level2")) this.sendLevel2(ws, events);
      return;
    }
    const d = JSON.parse(frame.text).data;
    if (frame.stream.endsWith("@trade")) {
      const price = this.p(parseDecimal(d.p, this.opts.priceDecimals));
      this.lastPrice = price;
      // Binance's m: the buyer was the maker. Coinbase's side is the maker's.
      const trade = JSON.stringify({ trade_id: String(d.t), product_id: this.productId, price, size: this.s(parseDecimal(d.q, this.opts.sizeDecimals)), side: d.m ? "BUY" : "SELL", time: new Date(d.T).toISOString() });
      this.recentTrades.push(trade);
      if (this.recentTrades.length > 50) this.recentTrades.shift();
      this.broadcast("market_trades", `[{"type":"update","trades":[${trade}]}]`);
    } else if (frame.stream.endsWith("@bookTicker")) {
      const pd = this.opts.priceDecimals;
      const sd = this.opts.sizeDecimals;
      const t = { type: "ticker", product_id: this.productId, price: this.lastPrice, volume_24_h: "0", low_24_h: "0", high_24_h: "0", low_52_w: "0", high_52_w: "0", price_percent_chg_24_h: "0", best_bid: this.p(parseDecimal(d.b, pd)), best_bid_quantity: this.s(parseDecimal(d.B, sd)), best_ask: this.p(parseDecimal(d.a, pd)), best_ask_quantity: this.s(parseDecimal(d.A, sd)) };
      this.broadcast("ticker", JSON.stringify([{ type: "update", tickers: [t] }]));
    }
  }

  private envelope(ws: ServerWebSocket<SocketData>, channel: string, events: string, seq = ws.data.seq++): string {
    return `{"channel":"${channel}","client_id":"","timestamp":"${new Date(this.serverTime()).toISOString()}","sequence_num":${seq},"events":${events}}`;
  }

  private sendText(ws: ServerWebSocket<SocketData>, text: string): void {
    if (this.silent(ws)) return;
    if (ws.send(text) === 0) throw new Error(`COINBASE_DOUBLE_DROPPED: a frame to a ${ws.data.kind} client was dropped by backpressure`);
    this.counters.sentFrames++;
  }

  private broadcast(channel: string, events: string): void {
    for (const ws of this.sockets) {
      if (!ws.data.subs.has(channel) || this.silent(ws)) continue;
      this.sendText(ws, this.envelope(ws, channel, events));
    }
  }

  /** Sends one level2 update through the fault queue. */
  private sendLevel2(ws: ServerWebSocket<SocketData>, events: string): void {
    if (this.silent(ws)) return;
    const seq = ws.data.seq++;
    this.seqPositions.set(seq, this.position);
    const text = this.envelope(ws, "l2_data", events, seq);
    this.faults.send(text, ws.data, (t) => this.sendText(ws, t), (f) => {
      // Sequence numbers skip ahead: as if messages in between were lost.
      this.seqPositions.set(seq + f.seqs, this.position);
      this.sendText(ws, this.envelope(ws, "l2_data", events, seq + f.seqs));
      ws.data.seq = seq + f.seqs + 1;
    });
  }

  private onClientMessage(ws: ServerWebSocket<SocketData>, text: string): void {
    let m: any;
    try {
      m = JSON.parse(text);
    } catch {
      ws.send(JSON.stringify({ type: "error", message: "malformed subscribe message" }));
      return;
    }
    const channel = String(m?.channel ?? "");
    if ((m?.type !== "subscribe" && m?.type !== "unsubscribe") || !["heartbeats", "level2", "market_trades", "ticker", "user"].includes(channel)) {
      ws.send(JSON.stringify({ type: "error", message: `unknown type or channel: ${m?.type} ${channel}` }));
      return;
    }
    if (channel !== "heartbeats" && !(Array.isArray(m.product_ids) && m.product_ids.includes(this.productId))) {
      ws.send(JSON.stringify({ type: "error", message: `channel ${channel} needs product_ids including ${this.productId}` }));
      return;
    }
    if (m.jwt !== undefined || channel === "user") {
      const why = this.checkJwt(String(m.jwt ?? ""), null);
      if (why !== null) {
        ws.send(JSON.stringify({ type: "error", message: `authentication failure: ${why}` }));
        return;
      }
    }
    if (m.type === "unsubscribe") {
      ws.data.subs.delete(channel);
      if (channel === "heartbeats" && ws.data.heartbeat !== null) clearInterval(ws.data.heartbeat);
      return;
    }
    this.counters.subscribes++;
    ws.data.subs.add(channel);
    const subs: Record<string, string[]> = {};
    for (const c of ws.data.subs) subs[c] = c === "heartbeats" ? [] : [this.productId];
    this.sendText(ws, this.envelope(ws, "subscriptions", JSON.stringify([{ subscriptions: subs }])));
    switch (channel) {
      case "heartbeats":
        if (ws.data.heartbeat === null)
          ws.data.heartbeat = setInterval(() => {
            if (!ws.data.subs.has("heartbeats")) return;
            const counter = ++ws.data.counter;
            if (this.silent(ws)) return;
            this.sendText(ws, this.envelope(ws, "heartbeats", JSON.stringify([{ current_time: new Date(this.serverTime()).toISOString(), heartbeat_counter: counter }])));
          }, this.opts.heartbeatMs);
        return;
      case "level2": {
        const now = new Date(this.serverTime()).toISOString();
        const updates = [...[...this.book.bids.levels].sort((a, b) => b[0] - a[0]).map(([p, q]) => ({ side: "bid", event_time: now, price_level: this.p(p), new_quantity: this.s(q) })), ...[...this.book.asks.levels].sort((a, b) => a[0] - b[0]).map(([p, q]) => ({ side: "offer", event_time: now, price_level: this.p(p), new_quantity: this.s(q) }))];
        const seq = ws.data.seq++;
        this.seqPositions.set(seq, this.position);
        this.sendText(ws, this.envelope(ws, "l2_data", JSON.stringify([{ type: "snapshot", product_id: this.productId, updates }]), seq));
        return;
      }
      case "market_trades":
        this.sendText(ws, this.envelope(ws, "market_trades", `[{"type":"snapshot","trades":[${[...this.recentTrades].reverse().join(",")}]}]`));
        return;
      case "ticker":
        return;
      case "user":
        this.sendText(ws, this.envelope(ws, "user", JSON.stringify([{ type: "snapshot", orders: this.matching.open().map((o) => this.userOrder(o)) }])));
        return;
    }
  }

  // ---- orders ----

  private status(o: DoubleOrder): string {
    switch (o.status) {
      case "NEW":
      case "PARTIALLY_FILLED":
        return "OPEN";
      case "CANCELED":
        return "CANCELLED";
      case "REJECTED":
        return "FAILED";
      default:
        return o.status;
    }
  }

  private userOrder(o: DoubleOrder): unknown {
    const fills = this.matching.trades.filter((t) => t.orderId === o.orderId);
    const fees = fills.reduce((s, t) => s + t.commission8, 0);
    return {
      order_id: String(o.orderId),
      client_order_id: o.clientOrderId,
      product_id: this.productId,
      order_side: o.side,
      order_type: o.type === "MARKET" ? "Market" : "Limit",
      status: this.status(o),
      time_in_force: o.tif === "GTC" ? "GOOD_UNTIL_CANCELLED" : o.tif === "IOC" ? "IMMEDIATE_OR_CANCEL" : "FILL_OR_KILL",
      cumulative_quantity: this.s(o.executed),
      leaves_quantity: this.s(o.qty - o.executed),
      avg_price: o.executed === 0 ? "0" : formatDecimal(Math.round(o.quoteExecuted / o.executed), this.opts.priceDecimals),
      total_fees: formatDecimal(fees, 8),
      filled_value: formatDecimal(o.quoteExecuted, this.opts.priceDecimals + this.opts.sizeDecimals),
      number_of_fills: String(fills.length),
      limit_price: this.p(o.price),
      creation_time: new Date(o.time).toISOString(),
      cancel_reason: "",
      reject_reason: "",
      product_type: "SPOT",
    };
  }

  private onExec(e: ExecEvent): void {
    this.counters.userEvents++;
    if (this.faults.loseUserEvent()) return;
    const events = JSON.stringify([{ type: "update", orders: [this.userOrder(e.order)] }]);
    for (const ws of this.sockets) if (ws.data.subs.has("user")) this.sendText(ws, this.envelope(ws, "user", events));
  }

  private handle(req: Request, server: Server<SocketData>): Response | undefined | Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/" || url.pathname === "/user") {
      const data: SocketData = { kind: url.pathname === "/" ? "market" : "user", seq: 0, subs: new Set(), heartbeat: null, counter: 0, held: null };
      if (server.upgrade(req, { data })) return undefined;
      return new Response("expected a WebSocket upgrade", { status: 400 });
    }
    return this.rest(req, url);
  }

  /** Coinbase's checks on a JWT; null when valid, else why not. */
  private checkJwt(token: string, uri: string | null): string | null {
    const parts = token.split(".");
    const fail = (why: string) => {
      this.counters.unauthenticated++;
      this.authFailures.push(why);
      return why;
    };
    if (parts.length !== 3) return fail("not a JWT");
    let header: any;
    let claims: any;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString());
      claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString());
    } catch {
      return fail("JWT parts are not JSON");
    }
    if (header.alg !== "ES256" || header.typ !== "JWT") return fail(`alg=${header.alg} typ=${header.typ}`);
    if (header.kid !== this.keyName || claims.sub !== this.keyName) return fail(`unknown key kid=${header.kid} sub=${claims.sub}`);
    if (claims.iss !== "cdp") return fail(`iss=${claims.iss}`);
    if (!verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(parts[2]!, "base64url"))) return fail("bad signature");
    const now = this.serverTime() / 1000;
    if (!(claims.nbf <= now + 5) || !(claims.exp > now) || claims.exp - claims.nbf > 120) return fail(`outside its time: nbf=${claims.nbf} exp=${claims.exp} now=${Math.floor(now)}`);
    if (uri !== null && claims.uri !== uri) return fail(`uri=${claims.uri} expected ${uri}`);
    if (uri === null && claims.uri !== undefined) return fail("a WebSocket JWT carries no uri");
    if (this.nonces.has(header.nonce) || typeof header.nonce !== "string" || header.nonce === "") return fail(`nonce ${header.nonce} missing or used before`);
    this.nonces.add(header.nonce);
    return null;
  }

  private async rest(req: Request, url: URL): Promise<Response> {
    this.counters.requests++;
    const path = url.pathname;
    if (this.faults.takeRateLimit()) {
      this.counters.rejected429++;
      return json({ error: "RESOURCE_EXHAUSTED", message: "Too many requests" }, 429, { "Retry-After": String(this.faults.retryAfterSeconds) });
    }
    if (req.method === "GET" && path === "/api/v3/brokerage/time") {
      const ms = this.serverTime();
      return json({ iso: new Date(ms).toISOString(), epochSeconds: String(Math.floor(ms / 1000)), epochMillis: String(ms) }, 200);
    }
    const auth = req.headers.get("Authorization") ?? "";
    const why = this.checkJwt(auth.startsWith("Bearer ") ? auth.slice(7) : "", `${req.method} ${url.host}${path}`);
    if (why !== null) return json({ error: "UNAUTHENTICATED", message: `Unauthorized: ${why}` }, 401);
    const body: any = req.method === "POST" ? await req.json().catch(() => null) : null;
    if (req.method === "GET" && path === `/api/v3/brokerage/products/${this.productId}`) return json(this.product(), 200);
    if (req.method === "POST" && path === "/api/v3/brokerage/orders") {
      const answer = this.newOrder(body);
      if (this.loseOrderAnswers > 0) {
        // The order is placed but its answer is lost: a gateway error instead.
        this.loseOrderAnswers--;
        return json({ error: "UNAVAILABLE", message: "upstream timed out" }, 503);
      }
      return json(answer, 200);
    }
    if (req.method === "POST" && path === "/api/v3/brokerage/orders/batch_cancel") {
      const ids: unknown[] = Array.isArray(body?.order_ids) ? body.order_ids : [];
      const results = ids.map((id) => {
        const o = this.matching.orders.get(Number(id));
        const done = o === undefined ? null : this.matching.cancel(o, "", this.serverTime());
        return { success: done !== null, failure_reason: done !== null ? "UNKNOWN_CANCEL_FAILURE_REASON" : o === undefined ? "UNKNOWN_CANCEL_ORDER" : "DUPLICATE_CANCEL_REQUEST", order_id: String(id) };
      });
      return json({ results }, 200);
    }
    if (req.method === "GET" && path === "/api/v3/brokerage/orders/historical/fills") {
      const ids = new Set(url.searchParams.getAll("order_ids").map(Number));
      const fills = this.matching.trades
        .filter((t) => ids.has(t.orderId))
        .map((t) => ({
          entry_id: `e${t.id}`,
          trade_id: String(t.id),
          order_id: String(t.orderId),
          trade_time: new Date(t.time).toISOString(),
          trade_type: "FILL",
          price: this.p(t.price),
          size: this.s(t.qty),
          commission: formatDecimal(t.commission8, 8),
          product_id: this.productId,
          sequence_timestamp: new Date(t.time).toISOString(),
          liquidity_indicator: t.maker ? "MAKER" : "TAKER",
          size_in_quote: false,
          user_id: "double-user",
          side: this.matching.orders.get(t.orderId)!.side,
        }));
      // Newest first, as Coinbase lists them.
      return json({ fills: fills.reverse(), cursor: "" }, 200);
    }
    if (req.method === "GET" && path === "/api/v3/brokerage/orders/historical/batch") {
      // List orders: filtered by order_status and product_ids, newest first, pages of `limit` by cursor.
      const statuses = new Set(url.searchParams.getAll("order_status"));
      const products = new Set(url.searchParams.getAll("product_ids"));
      const limit = Math.max(1, Math.min(1000, Number(url.searchParams.get("limit") ?? 100) || 100));
      const from = Number(url.searchParams.get("cursor") ?? 0) || 0;
      const all = [...this.matching.orders.values()].filter((o) => (statuses.size === 0 || statuses.has(this.status(o))) && (products.size === 0 || products.has(this.productId))).reverse();
      const page = all.slice(from, from + limit);
      const next = from + limit < all.length;
      return json({ orders: page.map((o) => this.historicalOrder(o)), sequence: "0", has_next: next, cursor: next ? String(from + limit) : "" }, 200);
    }
    const m = /^\/api\/v3\/brokerage\/orders\/historical\/(\d+)$/.exec(path);
    if (req.method === "GET" && m !== null) {
      const o = this.matching.orders.get(Number(m[1]));
      if (o === undefined) return json({ error: "NOT_FOUND", message: "order not found" }, 404);
      return json({ order: this.historicalOrder(o) }, 200);
    }
    return json({ error: "NOT_FOUND", message: `unknown endpoint ${req.method} ${path}` }, 404);
  }

  /** An order as the historical endpoints show it. */
  private historicalOrder(o: DoubleOrder): unknown {
    const u = this.userOrder(o) as Record<string, unknown>;
    const base_size = this.s(o.qty);
    const limit_price = this.p(o.price);
    const order_configuration = o.type === "MARKET" ? { market_market_ioc: { base_size } } : o.tif === "IOC" ? { sor_limit_ioc: { base_size, limit_price } } : o.tif === "FOK" ? { limit_limit_fok: { base_size, limit_price } } : { limit_limit_gtc: { base_size, limit_price, post_only: o.type === "LIMIT_MAKER" } };
    return { ...u, side: o.side, filled_size: u.cumulative_quantity, average_filled_price: u.avg_price, total_fees: u.total_fees, created_time: u.creation_time, order_configuration };
  }

  private product(): unknown {
    return { product_id: this.productId, price: this.lastPrice, base_increment: "0.00000001", quote_increment: "0.01", price_increment: "0.01", base_min_size: "0.00000001", base_max_size: "3400", quote_min_size: "1", quote_max_size: "150000000", base_currency_id: "BTC", quote_currency_id: "USD", status: "online", trading_disabled: false, cancel_only: false, limit_only: false, post_only: false, product_type: "SPOT" };
  }

  private newOrder(b: any): unknown {
    this.counters.orderRequests++;
    const fail = (error: string, message: string) => ({ success: false, failure_reason: "UNKNOWN_FAILURE_REASON", order_id: "", error_response: { error, message, error_details: message, new_order_failure_reason: error } });
    const clientOrderId = String(b?.client_order_id ?? "");
    if (clientOrderId === "") return fail("INVALID_CLIENT_ORDER_ID", "client_order_id is required");
    const existing = this.matching.byClientId.get(clientOrderId);
    if (existing !== undefined) {
      // Coinbase: a repeated client_order_id creates nothing and answers with the existing order.
      this.counters.idempotentReplays++;
      return { success: true, success_response: { order_id: String(existing.orderId), product_id: this.productId, side: existing.side, client_order_id: clientOrderId }, order_configuration: b.order_configuration };
    }
    if (b?.product_id !== this.productId) return fail("INVALID_PRODUCT_ID", `unknown product ${b?.product_id}`);
    const side = b.side;
    if (side !== "BUY" && side !== "SELL") return fail("INVALID_SIDE", `side=${side}`);
    const cfg = b.order_configuration ?? {};
    const kind = Object.keys(cfg)[0] ?? "";
    const c = cfg[kind] ?? {};
    const qty = parseDecimal(c.base_size, this.opts.sizeDecimals);
    const price = kind === "market_market_ioc" ? 0 : parseDecimal(c.limit_price, this.opts.priceDecimals);
    if (!(qty > 0)) return fail("INVALID_SIZE_PRECISION", `base_size=${c.base_size}`);
    if (kind !== "market_market_ioc" && !(price > 0)) return fail("INVALID_PRICE_PRECISION", `limit_price=${c.limit_price}`);
    const spec: Record<string, { type: DoubleOrder["type"]; tif: DoubleOrder["tif"] }> = {
      market_market_ioc: { type: "MARKET", tif: "IOC" },
      sor_limit_ioc: { type: "LIMIT", tif: "IOC" },
      limit_limit_fok: { type: "LIMIT", tif: "FOK" },
      limit_limit_gtc: { type: c.post_only === true ? "LIMIT_MAKER" : "LIMIT", tif: "GTC" },
    };
    const t = spec[kind];
    if (t === undefined) return fail("UNSUPPORTED_ORDER_CONFIGURATION", `order_configuration ${kind}`);
    const placed = this.matching.place({ clientOrderId, symbol: this.productId, side, type: t.type, tif: t.tif, price, qty, time: this.serverTime() });
    if ("code" in placed) return fail("INVALID_LIMIT_PRICE_POST_ONLY", placed.msg);
    return { success: true, success_response: { order_id: String(placed.orderId), product_id: this.productId, side, client_order_id: clientOrderId }, order_configuration: cfg };
  }
}
