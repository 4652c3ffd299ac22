/**
 * The Binance venue's market data (spot, or USD-M futures with `pu` continuity): one combined WebSocket stream per session (depth diffs,
 * bookTicker and trades of every instrument), each instrument's book kept in sync by DepthSync
 * with REST snapshots, resynced (with an alert) after any gap, and the top of book handed to the
 * runtime from whichever source is newer by update id (the book after a diff, or a bookTicker).
 */
import type { VenueContext } from "../../sdk/venue.ts";
import { DepthBook } from "./book/depth-book.ts";
import { DepthSync } from "./book/depth-sync.ts";
import type { BinanceRest } from "./rest/client.ts";
import { KeptSocket } from "./stream/socket.ts";
import { parseDecimal } from "./wire/decimal.ts";
import { parseMarketFrame, type Scales } from "./wire/messages.ts";

/** Counters of the market data side. */
export interface MarketCounters {
  frames: number;
  badFrames: number;
  resyncs: number;
  snapshots: number;
  quotes: number;
  trades: number;
}

/** Books and streams of the venue's instruments. */
export class BinanceMarketData {
  readonly books: DepthBook[];
  readonly syncs: DepthSync[];
  readonly counters: MarketCounters = { frames: 0, badFrames: 0, resyncs: 0, snapshots: 0, quotes: 0, trades: 0 };
  /** Called after each applied diff or snapshot (tests compare the book with an independent rebuild). */
  onBookUpdate: ((instrument: number, book: DepthBook) => void) | null = null;
  private readonly bySymbol = new Map<string, number>();
  private readonly scales: Scales[];
  private readonly lastPublished: number[];
  private readonly fetching: boolean[];
  private readonly socket: KeptSocket;
  private stopped = false;

  constructor(
    private readonly ctx: VenueContext,
    private readonly rest: BinanceRest,
    private readonly o: { wsUrl: string; snapshotLimit: number; depthSpeed: string; reconnectMinMs: number; reconnectMaxMs: number; futures?: boolean },
  ) {
    const n = ctx.instruments.length;
    this.books = Array.from({ length: n }, () => new DepthBook());
    this.syncs = this.books.map((b) => new DepthSync(b, o.futures === true));
    this.scales = ctx.instruments.map((i) => ({ priceDecimals: i.priceDecimals, sizeDecimals: i.sizeDecimals }));
    this.lastPublished = new Array(n).fill(-1);
    this.fetching = new Array(n).fill(false);
    ctx.instruments.forEach((i) => this.bySymbol.set(i.symbol.toUpperCase(), i.id));
    const streams = ctx.instruments.flatMap((i) => {
      const s = i.symbol.toLowerCase();
      return [`${s}@depth@${o.depthSpeed}`, `${s}@bookTicker`, `${s}@trade`];
    });
    const url = `${o.wsUrl}/stream?streams=${streams.join("/")}`;
    this.socket = new KeptSocket(
      {
        url: async () => url,
        open: () => this.onOpen(),
        message: (text) => this.onFrame(text),
        close: (reason) => {
          for (const s of this.syncs) s.reset();
          this.lastPublished.fill(-1);
          if (!this.stopped) ctx.alert("BINANCE_STREAM_DOWN", `stream=market ${reason}; reconnecting, books resync on reconnect`);
        },
      },
      o.reconnectMinMs,
      o.reconnectMaxMs,
    );
  }

  /** Connects the market stream. */
  start(): void {
    this.socket.start();
  }

  /** Closes the stream. */
  stop(): void {
    this.stopped = true;
    this.socket.stop();
  }

  /** True when the market stream is connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /** Best bid and ask of an instrument's book (0 when unknown). */
  touch(instrument: number): { bid: number; ask: number } {
    const b = this.books[instrument]!;
    return { bid: b.bestBid(), ask: b.bestAsk() };
  }

  private onOpen(): void {
    // Buffer from the first frame of the new connection, then fetch each book's snapshot.
    for (let i = 0; i < this.syncs.length; i++) {
      this.syncs[i]!.reset();
      void this.resync(i, this.socket.opens === 1 ? "start" : "reconnect");
    }
  }

  /** Handles one frame of the combined stream (public for the benchmark). */
  onFrame(text: string): void {
    this.counters.frames++;
    const ev = parseMarketFrame(text, (s) => {
      const i = this.bySymbol.get(s);
      return i === undefined ? undefined : this.scales[i];
    });
    if (typeof ev === "string") {
      this.counters.badFrames++;
      this.ctx.alert("BINANCE_BAD_MESSAGE", `stream=market ${ev}`);
      return;
    }
    const i = this.bySymbol.get(ev.symbol)!;
    if (ev.kind === "depth") {
      const sync = this.syncs[i]!;
      const before = sync.book.lastId;
      const r = sync.onDiff(ev);
      if (r === "gap") {
        this.ctx.alert("BINANCE_BOOK_RESYNC", `symbol=${ev.symbol} reason=gap last_id=${before} U=${ev.first} u=${ev.last}`);
        void this.resync(i, "gap");
      } else if (r === "applied") this.applied(i);
      return;
    }
    if (ev.kind === "bookTicker") {
      if (ev.updateId <= this.lastPublished[i]!) return;
      this.lastPublished[i] = ev.updateId;
      this.publish(i, ev.bid, ev.ask, ev.bidSize, ev.askSize);
      return;
    }
    this.counters.trades++;
    this.ctx.trade(i, ev.price, ev.size, ev.side);
  }

  private applied(i: number): void {
    const book = this.books[i]!;
    this.onBookUpdate?.(i, book);
    if (book.lastId <= this.lastPublished[i]!) return;
    this.lastPublished[i] = book.lastId;
    this.publish(i, book.bestBid(), book.bestAsk(), book.bestBidSize(), book.bestAskSize());
  }

  private publish(i: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    if (bid <= 0 || ask <= 0 || bid >= ask) return;
    this.counters.quotes++;
    this.ctx.quote(i, bid, ask, bidSize, askSize);
  }

  /** Fetches snapshots until one syncs the book (Binance: refetch while it is older than the buffer). */
  private async resync(i: number, reason: string): Promise<void> {
    if (this.fetching[i]) return;
    this.fetching[i] = true;
    this.counters.resyncs++;
    const symbol = this.ctx.instruments[i]!.symbol;
    const sc = this.scales[i]!;
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        if (!this.socket.connected) return;
        const wait = this.rest.backoffLeft();
        if (wait > 0) await Bun.sleep(wait);
        const path = this.o.futures === true ? "/fapi/v1/depth" : "/api/v3/depth";
        const limit = this.o.futures === true ? Math.min(1000, this.o.snapshotLimit) : this.o.snapshotLimit;
        const r = await this.rest.get<{ lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }>(path, { symbol, limit });
        if (this.stopped || !this.socket.connected) return;
        if (!r.ok) {
          if (r.code !== "BINANCE_BACKOFF") this.ctx.alert("BINANCE_SNAPSHOT_FAILED", `symbol=${symbol} status=${r.status} code=${r.code} msg=${r.msg}`);
          await Bun.sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 5)));
          continue;
        }
        const bids = flat(r.value.bids, sc);
        const asks = flat(r.value.asks, sc);
        if (bids === null || asks === null || typeof r.value.lastUpdateId !== "number") {
          this.ctx.alert("BINANCE_BAD_MESSAGE", `symbol=${symbol} depth snapshot malformed`);
          await Bun.sleep(100);
          continue;
        }
        this.counters.snapshots++;
        const out = this.syncs[i]!.onSnapshot({ lastUpdateId: r.value.lastUpdateId, bids, asks });
        if (out === "synced") {
          this.ctx.alert("BINANCE_BOOK_SYNCED", `symbol=${symbol} reason=${reason} last_id=${this.books[i]!.lastId} snapshots=${attempt + 1}`);
          this.onBookUpdate?.(i, this.books[i]!);
          this.applied(i);
          return;
        }
        // Too old for the buffered diffs, or a gap among them: wait for the stream to move on, fetch again.
        await Bun.sleep(Math.min(1000, 20 * 2 ** Math.min(attempt, 5)));
      }
    } finally {
      this.fetching[i] = false;
    }
  }
}

function flat(levels: unknown, sc: Scales): number[] | null {
  if (!Array.isArray(levels)) return null;
  const out = new Array<number>(levels.length * 2);
  for (let k = 0; k < levels.length; k++) {
    const lv = levels[k];
    const p = parseDecimal(lv?.[0], sc.priceDecimals);
    const q = parseDecimal(lv?.[1], sc.sizeDecimals);
    if (p !== p || q !== q) return null;
    out[2 * k] = p;
    out[2 * k + 1] = q;
  }
  return out;
}
