/**
 * A WebSocket that stays connected: on close or error it reconnects after a back-off that doubles
 * from `minMs` to `maxMs` and resets once a connection has opened. The owner is told of each open
 * (to resubscribe and resync) and each close (to mark its state stale).
 */

/** Callbacks of a kept-alive socket. */
export interface SocketHandlers {
  /** The URL to connect to now (a user stream's listen key may change between connections). */
  url(): Promise<string | null>;
  open(): void;
  message(text: string): void;
  close(reason: string): void;
}

/** A reconnecting WebSocket client. */
export class KeptSocket {
  private ws: WebSocket | null = null;
  private delay: number;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Connections opened so far. */
  opens = 0;

  constructor(
    private readonly h: SocketHandlers,
    private readonly minMs = 100,
    private readonly maxMs = 5_000,
  ) {
    this.delay = minMs;
  }

  /** Connects (and keeps reconnecting until `stop`). */
  start(): void {
    void this.connect();
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a text frame (dropped when not connected; callers check `connected`). */
  send(text: string): void {
    if (this.ws !== null && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Drops the current connection (a stale one); it reconnects after the back-off. */
  reconnect(reason = "reconnect"): void {
    this.ws?.close(4000, reason);
  }

  /** Closes for good. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.ws?.close();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const url = await this.h.url();
    if (url === null) return this.retry("no url");
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = this.minMs;
      this.opens++;
      this.h.open();
    };
    ws.onmessage = (ev) => this.h.message(typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer));
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.h.close(`code=${ev.code} reason=${ev.reason}`);
      this.retry(`closed code=${ev.code}`);
    };
    ws.onerror = () => {};
  }

  private retry(_why: string): void {
    if (this.stopped) return;
    const wait = this.delay;
    this.delay = Math.min(this.maxMs, this.delay * 2);
    this.timer = setTimeout(() => void this.connect(), wait);
  }
}
