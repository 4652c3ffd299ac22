/**
 * Fan-out of the session's live streams to WebSocket clients, off the trading loop: the core's
 * order and fill listeners and the alert subscription only push onto a bounded queue (O(1), never
 * throwing); a timer drains it in batches, serialises each batch once and sends it to every
 * client of the stream. Market data is conflated: each client gets, at its own rate, the latest
 * book of each instrument it asked for that changed since its last snapshot. A client whose
 * unsent bytes pass the limit is closed with code 4008 and a reason, so a slow reader can neither
 * grow memory without bound nor hold up the loop.
 */
import { encode } from "@msgpack/msgpack";
import type { Alert } from "../../kernel/alerts.ts";
import type { Session } from "../../session/build.ts";
import type { ClientSocket, StreamName } from "./client.ts";
import { alertBatch, BoundedQueue, helloMessage, listenForStreams, quoteOf, tradeBatches, type TradeEvent } from "./frames.ts";
import { sendOrRefuse } from "./socket-limits.ts";

/** Limits of the hub. */
export interface HubOptions {
  /** Unsent bytes at which a client is closed as slow (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Events held between flushes before the oldest are dropped (default 10,000). */
  maxPending?: number;
  /** Milliseconds between flushes (default 20). */
  flushMs?: number;
}

/** Close code for a client dropped for being slow. */
export const SLOW_CLIENT_CLOSE = 4008;

/** What the admin server exposes of its streams, wherever the sockets live (counts, forced flushes). */
export interface StreamStats {
  /** Clients connected now, by stream. */
  readonly clients: Record<StreamName, { readonly size: number }>;
  /** Clients closed for being slow, by stream. */
  readonly dropped: ReadonlyMap<string, number>;
  /** Sends what is due now (for tests and benchmarks). */
  flush(): void;
}

/** The streams of one session. */
export class StreamHub implements StreamStats {
  readonly clients: Record<StreamName, Set<ClientSocket>> = { trades: new Set(), alerts: new Set(), "market-data": new Set() };
  /** Clients closed for being slow, by stream. */
  readonly dropped = new Map<string, number>();
  private readonly trades: BoundedQueue<TradeEvent>;
  private readonly alerts: BoundedQueue<Alert>;
  private readonly maxBuffered: number;
  private readonly flushMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private detachers: (() => void)[] = [];

  constructor(
    private readonly session: Session,
    opts: HubOptions = {},
  ) {
    this.maxBuffered = opts.maxBufferedBytes ?? 1 << 20;
    this.flushMs = opts.flushMs ?? 20;
    this.trades = new BoundedQueue(opts.maxPending ?? 10_000);
    this.alerts = new BoundedQueue(opts.maxPending ?? 10_000);
  }

  /** Hooks the core's listeners (keeping any already set) and starts flushing. */
  attach(): void {
    const c = this.clients;
    this.detachers.push(listenForStreams(this.session, this.trades, this.alerts, () => c.trades.size > 0, () => c.alerts.size > 0));
    this.timer = setInterval(() => this.flush(), this.flushMs);
  }

  /** Stops flushing, unhooks the listeners and closes every client. */
  detach(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const d of this.detachers) d();
    this.detachers = [];
    for (const set of Object.values(this.clients)) for (const ws of set) ws.close(1001, "server stopping");
  }

  /** Registers a client that has just connected. */
  open(ws: ClientSocket): void {
    this.clients[ws.data.stream].add(ws);
    this.sendTo(ws, helloMessage(this.session, ws.data.stream, ws.data.principal.role));
  }

  /** Forgets a client that has closed. */
  close(ws: ClientSocket): void {
    this.clients[ws.data.stream].delete(ws);
  }

  /** Sends what is due now; called by the timer (exposed for tests and benchmarks). */
  flush(): void {
    if (this.clients.trades.size > 0 || this.trades.items.length > 0) {
      const { items, dropped } = this.trades.take();
      if (items.length > 0 || dropped > 0) for (const m of tradeBatches(this.session, items, dropped)) this.broadcast("trades", m);
    }
    if (this.clients.alerts.size > 0 || this.alerts.items.length > 0) {
      const { items, dropped } = this.alerts.take();
      if (items.length > 0 || dropped > 0) this.broadcast("alerts", alertBatch(items, dropped));
    }
    if (this.clients["market-data"].size > 0) this.flushMarketData();
  }

  private flushMarketData(): void {
    const now = performance.now();
    const books = this.session.core.books.books;
    // Each instrument's quote is rendered once per flush and shared by every client due now.
    const rendered: (object | undefined)[] = [];
    for (const ws of this.clients["market-data"]) {
      const c = ws.data;
      if (now < c.nextAt) continue;
      c.nextAt = now + c.periodMs;
      const quotes = [];
      for (const id of c.instruments) {
        const b = books[id]!;
        if (!b.valid || b.ts <= c.lastTs[id]!) continue;
        c.lastTs[id] = b.ts;
        let q = rendered[id];
        if (q === undefined) q = rendered[id] = quoteOf(this.session, id);
        quotes.push(q);
      }
      if (quotes.length > 0) this.sendTo(ws, { stream: "market-data", type: "quotes", quotes });
    }
  }

  private broadcast(stream: StreamName, message: unknown): void {
    let json: string | null = null;
    let packed: Uint8Array | null = null;
    for (const ws of this.clients[stream]) {
      if (ws.data.format === "msgpack") this.deliver(ws, (packed ??= encode(message)));
      else this.deliver(ws, (json ??= JSON.stringify(message)));
    }
  }

  private sendTo(ws: ClientSocket, message: unknown): void {
    this.deliver(ws, ws.data.format === "msgpack" ? encode(message) : JSON.stringify(message));
  }

  private deliver(ws: ClientSocket, payload: string | Uint8Array): void {
    const refused = sendOrRefuse(ws, payload, this.maxBuffered);
    if (refused !== null) this.drop(ws, refused);
  }

  private drop(ws: ClientSocket, reason: string): void {
    const stream = ws.data.stream;
    this.clients[stream].delete(ws);
    this.dropped.set(stream, (this.dropped.get(stream) ?? 0) + 1);
    ws.close(SLOW_CLIENT_CLOSE, reason);
  }
}
