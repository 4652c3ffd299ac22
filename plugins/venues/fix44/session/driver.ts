/**
 * The thin socket driver for a `FixSession`: dials the counterparty over Bun TCP (optionally
 * TLS), feeds the session received bytes, clock ticks and connection events, writes what it
 * sends (buffering when the socket pushes back), and reconnects with the session's backoff
 * until stopped. All protocol decisions stay in the session.
 */
import type { Socket, TLSOptions } from "bun";
import type { FixMessage } from "../codec/message.ts";
import { FixSession } from "./session.ts";
import type { MessageStore } from "./store.ts";
import type { SessionConfig, SessionEvent, SessionIo, SessionState } from "./types.ts";

/** Where and how to connect. */
export interface DriverOptions {
  readonly host: string;
  readonly port: number;
  /** Use TLS: true for the system's trust store, or Bun TLS options (e.g. `{ ca, serverName }`); default plain TCP. */
  readonly tls?: boolean | TLSOptions;
  /** Clock in microseconds since the epoch (default: the wall clock). */
  readonly clock?: () => number;
  /** Milliseconds between session timer ticks (default 250). */
  readonly tickMs?: number;
}

/** What the owner of a session receives. */
export interface SessionHandlers {
  /** An in-order application message; the view is valid during the call. */
  app(msg: FixMessage): void;
  event?(event: SessionEvent): void;
}

/** Returns the wall clock in integer microseconds since the epoch. */
export function wallClockMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Runs one session over a TCP connection with reconnects. */
export class FixSocketDriver implements SessionIo {
  readonly session: FixSession;
  private readonly options: DriverOptions;
  private readonly handlers: SessionHandlers;
  private readonly clock: () => number;
  private socket: Socket<undefined> | undefined = undefined;
  private pending: Uint8Array[] = [];
  private timer: ReturnType<typeof setInterval> | undefined = undefined;
  private reconnect: ReturnType<typeof setTimeout> | undefined = undefined;
  private stopped = true;
  private connecting = false;

  constructor(config: SessionConfig, store: MessageStore, handlers: SessionHandlers, options: DriverOptions) {
    this.options = options;
    this.handlers = handlers;
    this.clock = options.clock ?? wallClockMicros;
    this.session = new FixSession(config, store, this);
  }

  /** Starts connecting (and reconnecting) until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.session.timer(this.clock()), this.options.tickMs ?? 250);
    this.dial();
  }

  /** Logs out (waiting at most `timeoutMs` for the answer), closes and stops reconnecting. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.reconnect !== undefined) clearTimeout(this.reconnect);
    this.reconnect = undefined;
    if (this.session.state === "active") {
      this.session.logout(this.clock(), "");
      const until = Date.now() + timeoutMs;
      while ((this.session.state as SessionState) !== "disconnected" && Date.now() < until) await Bun.sleep(5);
    }
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.socket?.terminate();
    this.socket = undefined;
  }

  /** Drops the TCP connection abruptly, as a network failure would (for recovery tests). */
  dropConnection(): void {
    this.socket?.terminate();
  }

  private dial(): void {
    if (this.stopped || this.connecting || this.socket !== undefined) return;
    this.connecting = true;
    Bun.connect({
      hostname: this.options.host,
      port: this.options.port,
      tls: this.options.tls ?? false,
      socket: {
        open: (socket) => {
          this.connecting = false;
          this.socket = socket;
          socket.setNoDelay(true);
          this.pending = [];
          this.session.connected(this.clock());
        },
        data: (_socket, data) => this.session.receive(data, this.clock()),
        drain: (socket) => this.flush(socket),
        close: () => this.closed("socket closed"),
        error: (_socket, error) => this.closed(`socket error: ${error.message}`),
      },
    }).catch((error: Error) => {
      this.connecting = false;
      this.session.connectFailed(this.clock(), error.message);
      this.scheduleReconnect();
    });
  }

  private closed(reason: string): void {
    this.socket = undefined;
    this.connecting = false;
    this.session.disconnected(this.clock(), reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnect !== undefined) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.dial();
    }, this.session.reconnectDelayMs());
  }

  private flush(socket: Socket<undefined>): void {
    while (this.pending.length > 0) {
      const head = this.pending[0] as Uint8Array;
      const n = socket.write(head);
      if (n < head.length) {
        this.pending[0] = head.subarray(Math.max(n, 0));
        return;
      }
      this.pending.shift();
    }
  }

  /** SessionIo: writes bytes, keeping what the socket does not take for its drain event. */
  send(bytes: Uint8Array): void {
    const socket = this.socket;
    if (socket === undefined) return;
    if (this.pending.length > 0) {
      this.pending.push(bytes.slice());
      return;
    }
    const n = socket.write(bytes);
    if (n < bytes.length) this.pending.push(bytes.slice(Math.max(n, 0)));
  }

  /** SessionIo: the session dropped the connection. */
  disconnect(_reason: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.flush(socket);
    socket.end();
  }

  /** SessionIo: forwards application messages. */
  app(msg: FixMessage): void {
    this.handlers.app(msg);
  }

  /** SessionIo: forwards events. */
  event(event: SessionEvent): void {
    this.handlers.event?.(event);
  }
}
