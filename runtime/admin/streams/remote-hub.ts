/**
 * The loop's side of the streams when the sockets live in the worker front: the same bounded
 * queues and listeners as the in-thread hub, but a flush renders each frame once (JSON text and/or
 * msgpack bytes, only the formats some client uses) and posts it to the front, which fans it out.
 * Market data: the latest quote of each instrument some client asked for is posted when its book
 * changed; the front conflates it per client at the client's rate. Client counts and slow-client
 * drops come back from the front as messages.
 */
import { encode } from "@msgpack/msgpack";
import type { Alert } from "../../kernel/alerts.ts";
import type { Session } from "../../session/build.ts";
import type { ToFront, ToLoop } from "../front/protocol.ts";
import type { StreamName, WireFormat } from "./client.ts";
import { alertBatch, BoundedQueue, helloMessage, listenForStreams, quoteOf, tradeBatches, type TradeEvent } from "./frames.ts";
import type { HubOptions, StreamStats } from "./hub.ts";

/** A client of the front as the loop knows it. */
interface RemoteClient {
  readonly format: WireFormat;
  readonly instruments: readonly number[];
}

/** Streams fed to the worker front. */
export class RemoteStreamHub implements StreamStats {
  readonly clients: Record<StreamName, Map<number, RemoteClient>> = { trades: new Map(), alerts: new Map(), "market-data": new Map() };
  readonly dropped = new Map<string, number>();
  private readonly trades: BoundedQueue<TradeEvent>;
  private readonly alerts: BoundedQueue<Alert>;
  private readonly flushMs: number;
  /** Market-data clients per instrument id. */
  private readonly wanted: Int32Array;
  /** Book ts of the quote last posted, per instrument id. */
  private readonly postedTs: Float64Array;
  private timer: ReturnType<typeof setInterval> | null = null;
  private unhook: (() => void) | null = null;

  constructor(
    private readonly session: Session,
    opts: HubOptions,
    private readonly post: (m: ToFront) => void,
  ) {
    this.flushMs = opts.flushMs ?? 20;
    this.trades = new BoundedQueue(opts.maxPending ?? 10_000);
    this.alerts = new BoundedQueue(opts.maxPending ?? 10_000);
    this.wanted = new Int32Array(session.instruments.length);
    this.postedTs = new Float64Array(session.instruments.length);
  }

  /** Hooks the core's listeners and starts flushing. */
  attach(): void {
    const c = this.clients;
    this.unhook = listenForStreams(this.session, this.trades, this.alerts, () => c.trades.size > 0, () => c.alerts.size > 0);
    this.timer = setInterval(() => this.flush(), this.flushMs);
  }

  /** Stops flushing and unhooks (the front closes its sockets itself). */
  detach(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.unhook?.();
    this.unhook = null;
  }

  /** Applies a client change the front reported; answers a new client with its hello. */
  onClient(m: Extract<ToLoop, { t: "ws-open" } | { t: "ws-close" }>): void {
    if (m.t === "ws-open") {
      this.clients[m.stream].set(m.client, { format: m.format, instruments: m.instruments });
      if (m.stream === "market-data") for (const id of m.instruments) this.wanted[id]!++;
      this.post({ t: "hello", client: m.client, message: helloMessage(this.session, m.stream, m.role) });
      return;
    }
    const c = this.clients[m.stream].get(m.client);
    if (c === undefined) return;
    this.clients[m.stream].delete(m.client);
    if (m.stream === "market-data") for (const id of c.instruments) this.wanted[id]!--;
    if (m.slow) this.dropped.set(m.stream, (this.dropped.get(m.stream) ?? 0) + 1);
  }

  /** Forgets every client (the front went away with its sockets). */
  reset(): void {
    for (const set of Object.values(this.clients)) set.clear();
    this.wanted.fill(0);
    this.postedTs.fill(0);
  }

  /** Renders and posts what is due now; called by the timer (exposed for tests and benchmarks). */
  flush(): void {
    if (this.clients.trades.size > 0 || this.trades.items.length > 0) {
      const { items, dropped } = this.trades.take();
      if (this.clients.trades.size > 0 && (items.length > 0 || dropped > 0)) for (const m of tradeBatches(this.session, items, dropped)) this.frame("trades", m);
    }
    if (this.clients.alerts.size > 0 || this.alerts.items.length > 0) {
      const { items, dropped } = this.alerts.take();
      if (this.clients.alerts.size > 0 && (items.length > 0 || dropped > 0)) this.frame("alerts", alertBatch(items, dropped));
    }
    if (this.clients["market-data"].size > 0) this.flushQuotes();
  }

  private flushQuotes(): void {
    const books = this.session.core.books.books;
    const quotes: [number, { ts: number }][] = [];
    for (let id = 0; id < this.wanted.length; id++) {
      if (this.wanted[id] === 0) continue;
      const b = books[id]!;
      if (!b.valid || b.ts <= this.postedTs[id]!) continue;
      this.postedTs[id] = b.ts;
      quotes.push([id, quoteOf(this.session, id)]);
    }
    if (quotes.length > 0) this.post({ t: "quotes", quotes });
  }

  /** Serialises a message once per format some client of the stream uses and posts it. */
  private frame(stream: StreamName, message: object): void {
    let json = false;
    let packed = false;
    for (const c of this.clients[stream].values()) {
      if (c.format === "msgpack") packed = true;
      else json = true;
      if (json && packed) break;
    }
    this.post({ t: "frame", stream, json: json ? JSON.stringify(message) : null, packed: packed ? encode(message) : null });
  }
}
