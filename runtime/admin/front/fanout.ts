/**
 * The worker front's WebSocket clients: it sends each frame the loop rendered to every client of
 * the stream in the client's format, conflates market data per client at the client's rate (from
 * the latest quote per instrument the loop posted), and closes a client whose unsent bytes pass
 * the limit with code 4008 and a reason, as the in-thread hub does. A client gets nothing before
 * its hello (which the loop renders) so its first message is always the hello.
 */
import { encode } from "@msgpack/msgpack";
import type { ClientSocket, StreamName } from "../streams/client.ts";
import { SLOW_CLIENT_CLOSE } from "../streams/hub.ts";
import type { ToLoop } from "./protocol.ts";
import { sendOrRefuse } from "../streams/socket-limits.ts";

/** Clients of the front and their delivery. */
export class FrontFanout {
  /** Clients connected and not yet closed, by id. */
  private readonly open = new Map<number, ClientSocket>();
  /** Clients that have had their hello, by stream. */
  private readonly ready: Record<StreamName, Set<ClientSocket>> = { trades: new Set(), alerts: new Set(), "market-data": new Set() };
  /** Latest quote per instrument id (the loop's rendering, with its book ts). */
  private readonly latest: ({ ts: number } | undefined)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly maxBuffered: number,
    private readonly flushMs: number,
    private readonly post: (m: ToLoop) => void,
  ) {}

  /** Registers a client that has just connected and asks the loop for its hello. */
  opened(ws: ClientSocket): void {
    const d = ws.data;
    this.open.set(d.id, ws);
    this.post({ t: "ws-open", client: d.id, stream: d.stream, format: d.format, role: d.principal.role, instruments: d.instruments });
    if (d.stream === "market-data" && this.timer === null) this.timer = setInterval(() => this.flushMarketData(), this.flushMs);
  }

  /** Forgets a client that has closed. */
  closed(ws: ClientSocket): void {
    if (!this.open.delete(ws.data.id)) return;
    this.ready[ws.data.stream].delete(ws);
    this.post({ t: "ws-close", client: ws.data.id, stream: ws.data.stream, slow: false });
  }

  /** Sends a client its hello; from then on it gets the stream's frames. */
  hello(client: number, message: unknown): void {
    const ws = this.open.get(client);
    if (ws === undefined) return;
    this.ready[ws.data.stream].add(ws);
    this.deliver(ws, ws.data.format === "msgpack" ? encode(message) : JSON.stringify(message));
  }

  /** Sends one rendered frame to every client of the stream. */
  frame(stream: StreamName, json: string | null, packed: Uint8Array | null): void {
    for (const ws of this.ready[stream]) {
      const payload = ws.data.format === "msgpack" ? packed : json;
      if (payload !== null) this.deliver(ws, payload);
    }
  }

  /** Keeps the latest quotes the loop posted. */
  quotes(list: readonly [number, { ts: number }][]): void {
    for (const [id, q] of list) this.latest[id] = q;
  }

  /** Closes every client (the front is stopping). */
  closeAll(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const ws of this.open.values()) ws.close(1001, "server stopping");
  }

  /** Each market-data client due now gets the latest quote of each of its instruments that changed since its last. */
  private flushMarketData(): void {
    const clients = this.ready["market-data"];
    if (clients.size === 0) return;
    const now = performance.now();
    for (const ws of clients) {
      const c = ws.data;
      if (now < c.nextAt) continue;
      c.nextAt = now + c.periodMs;
      const quotes = [];
      for (const id of c.instruments) {
        const q = this.latest[id];
        if (q === undefined || q.ts <= c.lastTs[id]!) continue;
        c.lastTs[id] = q.ts;
        quotes.push(q);
      }
      if (quotes.length > 0) {
        const m = { stream: "market-data", type: "quotes", quotes };
        this.deliver(ws, c.format === "msgpack" ? encode(m) : JSON.stringify(m));
      }
    }
  }

  private deliver(ws: ClientSocket, payload: string | Uint8Array): void {
    const refused = sendOrRefuse(ws, payload, this.maxBuffered);
    if (refused !== null) this.drop(ws, refused);
  }

  private drop(ws: ClientSocket, reason: string): void {
    const d = ws.data;
    this.open.delete(d.id);
    this.ready[d.stream].delete(ws);
    this.post({ t: "ws-close", client: d.id, stream: d.stream, slow: true });
    ws.close(SLOW_CLIENT_CLOSE, reason);
  }
}
