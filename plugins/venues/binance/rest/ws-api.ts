/**
 * Binance's WebSocket API (`/ws-api/v3`) for order entry: one kept-alive connection, requests
 * `{id, method, params}` answered by `{id, status, result | error}`. SIGNED methods carry `apiKey`,
 * `timestamp` and `recvWindow` in `params` and a signature over all params but `signature`, sorted
 * by name and written as `name=value&...` (HMAC-SHA256 hex or Ed25519 base64). It answers like the
 * REST client (RestResult), shares its clock offset and back-off, and a request whose connection
 * drops before the answer resolves as BINANCE_NETWORK (its outcome is then reconciled over REST).
 */
import type { BinanceRest, RestResult } from "./client.ts";
import { KeptSocket } from "../stream/socket.ts";
import { queryString, type Signer } from "../wire/sign.ts";

/** The signature payload of a WebSocket API request: params but `signature`, sorted by name. */
export function wsApiPayload(params: Readonly<Record<string, string | number>>): string {
  const sorted: Record<string, string | number> = {};
  for (const k of Object.keys(params).sort()) if (k !== "signature") sorted[k] = params[k]!;
  return queryString(sorted);
}

/** Options of the WebSocket API client. */
export interface WsApiOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly sign: Signer;
  readonly recvWindowMs: number;
  readonly wallMs: () => number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly onEvent: (code: string, message: string) => void;
}

/** A Binance WebSocket API connection. */
export class BinanceWsApi {
  private readonly socket: KeptSocket;
  private readonly pending = new Map<string, (r: RestResult<any>) => void>();
  private nextId = 1;

  constructor(
    private readonly o: WsApiOptions,
    private readonly rest: BinanceRest,
  ) {
    this.socket = new KeptSocket(
      {
        url: async () => o.url,
        open: () => {},
        message: (text) => this.onMessage(text),
        close: (reason) => {
          for (const [, resolve] of this.pending) resolve({ ok: false, status: 0, code: "BINANCE_NETWORK", msg: `ws-api closed before the answer: ${reason}` });
          this.pending.clear();
          o.onEvent("BINANCE_STREAM_DOWN", `stream=ws-api ${reason}; reconnecting`);
        },
      },
      o.reconnectMinMs,
      o.reconnectMaxMs,
    );
  }

  /** Connects. */
  start(): void {
    this.socket.start();
  }

  /** Closes for good. */
  stop(): void {
    this.socket.stop();
  }

  /** True when connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /** A SIGNED request; a -1021 re-measures the clock over REST and retries once with the same params. */
  async signed<T>(method: string, params: Record<string, string | number>): Promise<RestResult<T>> {
    const r = await this.send<T>(method, params);
    if (r.ok || r.code !== -1021) return r;
    this.o.onEvent("BINANCE_CLOCK_RESYNC", `method=${method} msg=${r.msg} offset_ms=${this.rest.offsetMs}`);
    const s = await this.rest.syncTime();
    if (!s.ok) return r;
    return this.send<T>(method, params);
  }

  private send<T>(method: string, base: Record<string, string | number>): Promise<RestResult<T>> {
    const wait = this.rest.backoffLeft();
    if (wait > 0) return Promise.resolve({ ok: false, status: 0, code: "BINANCE_BACKOFF", msg: `backing off for ${wait} ms after a 429/418` });
    if (!this.socket.connected) return Promise.resolve({ ok: false, status: 0, code: "BINANCE_NOT_CONNECTED", msg: "ws-api is not connected" });
    const params: Record<string, string | number> = { ...base, apiKey: this.o.apiKey, recvWindow: this.o.recvWindowMs, timestamp: this.o.wallMs() + this.rest.offsetMs };
    params.signature = this.o.sign(wsApiPayload(params));
    const id = `k${this.nextId++}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  private onMessage(text: string): void {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      this.o.onEvent("BINANCE_BAD_MESSAGE", `stream=ws-api not JSON: ${text.slice(0, 80)}`);
      return;
    }
    const resolve = this.pending.get(String(msg?.id));
    if (resolve === undefined) return;
    this.pending.delete(String(msg.id));
    const status = Number(msg.status);
    if (status === 200) return resolve({ ok: true, value: msg.result });
    if (status === 429 || status === 418) {
      const retryAfter = Number(msg.error?.data?.retryAfter);
      this.rest.backoffUntil = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter - this.rest.offsetMs : this.o.wallMs() + 1000;
      this.o.onEvent(status === 429 ? "BINANCE_RATE_LIMITED" : "BINANCE_IP_BANNED", `stream=ws-api status=${status} retry_after_ms=${this.rest.backoffLeft()}`);
    }
    resolve({ ok: false, status, code: typeof msg.error?.code === "number" ? msg.error.code : status, msg: String(msg.error?.msg ?? "") });
  }
}
