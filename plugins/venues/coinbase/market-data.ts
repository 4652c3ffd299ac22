/**
 * The Coinbase venue's market data: one WebSocket connection subscribed to `heartbeats`, `level2`,
 * `market_trades` and `ticker` for every instrument (one channel per subscribe message; market
 * data needs no authentication, so no JWT rides on it). `sequence_num` counts every message of the connection: a
 * number that skips ahead means messages were lost, so every book is discarded and `level2` is
 * resubscribed for a fresh snapshot (an alert says so); a number already seen is a duplicate and
 * ignored. Books are runtime/data's L2Book; the top of book goes to the runtime after each level2
 * event (the ticker stands in while a book resyncs). A connection silent for `staleMs` (heartbeats
 * come every second) is dropped and reconnected; every reconnect resubscribes and resyncs.
 */
import type { VenueContext } from "../../sdk/venue.ts";
import { L2Book } from "../../../runtime/data/l2-book.ts";
import { parseDecimal } from "../binance/wire/decimal.ts";
import { KeptSocket } from "../binance/stream/socket.ts";
import { parseEnvelope, parseLevels, type Envelope, type LevelChange } from "./wire/messages.ts";

/** Counters of the market data side. */
export interface MarketCounters {
  frames: number;
  badFrames: number;
  gaps: number;
  duplicates: number;
  resyncs: number;
  snapshots: number;
  quotes: number;
  trades: number;
  heartbeats: number;
  stale: number;
}

/** Options of the market data connection. */
export interface MarketOptions {
  readonly wsUrl: string;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** A connection without any message for this long is dropped and reconnected. */
  readonly staleMs: number;
}

/** Books and stream of the venue's instruments. */
export class CoinbaseMarketData {
  readonly books: L2Book[];
  /** Per instrument: true once a level2 snapshot has been applied, until a gap or reconnect. */
  readonly synced: boolean[];
  readonly counters: MarketCounters = { frames: 0, badFrames: 0, gaps: 0, duplicates: 0, resyncs: 0, snapshots: 0, quotes: 0, trades: 0, heartbeats: 0, stale: 0 };
  /** Called after each applied level2 event (tests compare the book with an independent rebuild). */
  onBookUpdate: ((instrument: number, book: L2Book, seq: number) => void) | null = null;
  /** Next sequence_num expected on this connection (-1: none seen yet). */
  expectedSeq = -1;
  private readonly byProduct = new Map<string, number>();
  private readonly lastTradeId: number[];
  private readonly published: Float64Array;
  private readonly changes: LevelChange[] = [];
  private readonly socket: KeptSocket;
  private lastMessageMs = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: VenueContext,
    private readonly o: MarketOptions,
  ) {
    const n = ctx.instruments.length;
    this.books = Array.from({ length: n }, () => new L2Book());
    this.synced = new Array(n).fill(false);
    this.lastTradeId = new Array(n).fill(-1);
    this.published = new Float64Array(n * 4);
    ctx.instruments.forEach((i) => this.byProduct.set(i.symbol, i.id));
    this.socket = new KeptSocket(
      {
        url: async () => o.wsUrl,
        open: () => this.onOpen(),
        message: (text) => this.onFrame(text),
        close: (reason) => {
          this.unsync();
          if (!this.stopped) ctx.alert("COINBASE_STREAM_DOWN", `stream=market ${reason}; reconnecting, books resync on reconnect`);
        },
      },
      o.reconnectMinMs,
      o.reconnectMaxMs,
    );
  }

  /** Connects the market stream and watches it for silence. */
  start(): void {
    this.socket.start();
    this.watchdog = setInterval(() => this.checkStale(), Math.max(10, Math.floor(this.o.staleMs / 4)));
  }

  /** Closes the stream. */
  stop(): void {
    this.stopped = true;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.socket.stop();
  }

  /** True when the market stream is connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /** Connections opened so far. */
  get opens(): number {
    return this.socket.opens;
  }

  /** Best bid and ask of an instrument's book (0 when unknown). */
  touch(instrument: number): { bid: number; ask: number } {
    const b = this.books[instrument]!;
    return { bid: b.bids.bestPrice(), ask: b.asks.bestPrice() };
  }

  private products(): string[] {
    return this.ctx.instruments.map((i) => i.symbol);
  }

  private subscribe(channel: string, type: "subscribe" | "unsubscribe" = "subscribe"): void {
    const msg: Record<string, unknown> = { type, channel };
    if (channel !== "heartbeats") msg.product_ids = this.products();
    this.socket.send(JSON.stringify(msg));
  }

  private onOpen(): void {
    this.expectedSeq = -1;
    this.lastMessageMs = performance.now();
    this.unsync();
    for (const ch of ["heartbeats", "level2", "market_trades", "ticker"]) this.subscribe(ch);
    this.counters.resyncs++;
  }

  private unsync(): void {
    this.synced.fill(false);
    this.published.fill(0);
  }

  private checkStale(): void {
    if (!this.socket.connected || performance.now() - this.lastMessageMs < this.o.staleMs) return;
    this.counters.stale++;
    this.ctx.alert("COINBASE_STREAM_STALE", `stream=market no message for ${this.o.staleMs} ms (heartbeats stopped); reconnecting`);
    this.lastMessageMs = performance.now();
    this.socket.reconnect("stale");
  }

  /** Discards every book and asks for new level2 snapshots on this connection. */
  private resync(why: string): void {
    this.unsync();
    this.counters.resyncs++;
    this.ctx.alert("COINBASE_BOOK_RESYNC", `${why}; books discarded, level2 resubscribed for a snapshot`);
    this.subscribe("level2", "unsubscribe");
    this.subscribe("level2");
  }

  /** Handles one frame (public for the benchmark). */
  onFrame(text: string): void {
    this.counters.frames++;
    this.lastMessageMs = performance.now();
    const env = parseEnvelope(text);
    if (typeof env === "string") {
      // Its sequence number is unknown: the next frame shows the gap and the books resync.
      this.counters.badFrames++;
      this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=market ${env}`);
      return;
    }
    if ("error" in env) {
      this.ctx.alert("COINBASE_SUBSCRIBE_ERROR", `stream=market message=${env.error}`);
      return;
    }
    if (this.expectedSeq >= 0 && env.seq < this.expectedSeq) {
      this.counters.duplicates++;
      return;
    }
    if (this.expectedSeq >= 0 && env.seq > this.expectedSeq) {
      this.counters.gaps++;
      this.resync(`reason=gap expected_seq=${this.expectedSeq} got_seq=${env.seq} lost=${env.seq - this.expectedSeq}`);
    }
    this.expectedSeq = env.seq + 1;
    switch (env.channel) {
      case "l2_data":
        return this.onLevel2(env);
      case "market_trades":
        return this.onTrades(env);
      case "ticker":
        return this.onTicker(env);
      case "heartbeats":
        this.counters.heartbeats++;
        return;
      default:
        return;
    }
  }

  private onLevel2(env: Envelope): void {
    for (const ev of env.events) {
      const i = this.byProduct.get(ev?.product_id);
      if (i === undefined) continue;
      const snapshot = ev.type === "snapshot";
      if (!snapshot && !this.synced[i]) continue;
      const inst = this.ctx.instruments[i]!;
      const n = parseLevels(ev.updates, inst.priceDecimals, inst.sizeDecimals, this.changes);
      if (typeof n === "string") {
        this.counters.badFrames++;
        this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=market channel=l2_data seq=${env.seq} product=${inst.symbol} ${n}`);
        this.resync(`reason=bad-update product=${inst.symbol} seq=${env.seq}`);
        return;
      }
      const book = this.books[i]!;
      if (snapshot) {
        book.bids.clear();
        book.asks.clear();
      }
      for (let k = 0; k < n; k++) {
        const c = this.changes[k]!;
        book.apply(c.side, c.price, c.size);
      }
      if (snapshot) {
        this.synced[i] = true;
        this.counters.snapshots++;
        this.ctx.alert("COINBASE_BOOK_SYNCED", `product=${inst.symbol} seq=${env.seq} bids=${book.bids.count} asks=${book.asks.count}`);
      }
      this.onBookUpdate?.(i, book, env.seq);
      this.publish(i, book.bids.bestPrice(), book.asks.bestPrice(), book.bids.bestSize(), book.asks.bestSize());
    }
  }

  private onTrades(env: Envelope): void {
    for (const ev of env.events) {
      // A subscription's snapshot lists past trades: the runtime has them already or never will.
      if (ev?.type !== "update" || !Array.isArray(ev.trades)) continue;
      const trades = ev.trades as any[];
      // Coinbase lists a batch newest first; hand them over oldest first.
      for (let k = trades.length - 1; k >= 0; k--) {
        const t = trades[k];
        const i = this.byProduct.get(t?.product_id);
        if (i === undefined) continue;
        const inst = this.ctx.instruments[i]!;
        const id = Number(t.trade_id);
        const price = parseDecimal(t.price, inst.priceDecimals);
        const size = parseDecimal(t.size, inst.sizeDecimals);
        const maker = t.side === "BUY" ? 1 : t.side === "SELL" ? -1 : 0;
        if (price !== price || size !== size || maker === 0 || !Number.isSafeInteger(id)) {
          this.counters.badFrames++;
          this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=market channel=market_trades seq=${env.seq} trade_id=${t?.trade_id} price=${t?.price} size=${t?.size} side=${t?.side} not usable`);
          continue;
        }
        if (id <= this.lastTradeId[i]!) continue;
        this.lastTradeId[i] = id;
        this.counters.trades++;
        // `side` is the maker's: the aggressor is the other side.
        this.ctx.trade(i, price, size, -maker);
      }
    }
  }

  private onTicker(env: Envelope): void {
    for (const ev of env.events) {
      if (!Array.isArray(ev?.tickers)) continue;
      for (const t of ev.tickers) {
        const i = this.byProduct.get(t?.product_id);
        if (i === undefined || this.synced[i]) continue;
        const inst = this.ctx.instruments[i]!;
        const bid = parseDecimal(t.best_bid, inst.priceDecimals);
        const ask = parseDecimal(t.best_ask, inst.priceDecimals);
        const bidSize = parseDecimal(t.best_bid_quantity, inst.sizeDecimals);
        const askSize = parseDecimal(t.best_ask_quantity, inst.sizeDecimals);
        if (bid !== bid || ask !== ask || bidSize !== bidSize || askSize !== askSize) {
          this.counters.badFrames++;
          this.ctx.alert("COINBASE_BAD_MESSAGE", `stream=market channel=ticker seq=${env.seq} product=${inst.symbol} best_bid=${t.best_bid} best_ask=${t.best_ask} not exact`);
          continue;
        }
        this.publish(i, bid, ask, bidSize, askSize);
      }
    }
  }

  private publish(i: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    if (bid <= 0 || ask <= 0 || bid >= ask) return;
    const p = this.published;
    const k = i * 4;
    if (p[k] === bid && p[k + 1] === ask && p[k + 2] === bidSize && p[k + 3] === askSize) return;
    p[k] = bid;
    p[k + 1] = ask;
    p[k + 2] = bidSize;
    p[k + 3] = askSize;
    this.counters.quotes++;
    this.ctx.quote(i, bid, ask, bidSize, askSize);
  }
}
