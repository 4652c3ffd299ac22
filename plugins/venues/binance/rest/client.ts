/**
 * Binance REST as the venue uses it: SIGNED requests (parameters in the query string, `recvWindow`,
 * `timestamp` from the exchange's clock as estimated by the server-time offset, HMAC-SHA256 or
 * Ed25519 signature), the API key header, request weight from `X-MBX-USED-WEIGHT-1M`, and back-off: after
 * a 429 or 418 no request is sent until its Retry-After has passed (sending on would get the IP
 * banned), and a -1021 (timestamp outside recvWindow) re-measures the clock offset and retries once.
 * Every call resolves to a value; nothing throws.
 */
import { queryString, signQueryWith, type Signer } from "../wire/sign.ts";

/** A request unanswered after this long is treated as lost (its outcome is then reconciled). */
const REQUEST_TIMEOUT_MS = 10_000;

/** A REST answer: the JSON body, or why there is none. */
export type RestResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly code: number | string; readonly msg: string };

/** What the client needs from its owner. */
export interface RestOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Signs SIGNED requests (HMAC-SHA256 or Ed25519). */
  readonly sign: Signer;
  readonly recvWindowMs: number;
  /** Wall clock, ms (injected so tests can skew it). */
  readonly wallMs: () => number;
  /** Called when the client backs off or re-syncs its clock. */
  readonly onEvent: (code: string, message: string) => void;
  /** Server time endpoint (spot /api/v3/time, USD-M /fapi/v1/time). */
  readonly timePath?: string;
}

/** A Binance REST client. */
export class BinanceRest {
  /** Exchange time minus local time, ms. */
  offsetMs = 0;
  /** Request weight used this minute, as the exchange last said. */
  usedWeight = 0;
  /** No request is sent before this wall time (ms) after a 429/418. */
  backoffUntil = 0;
  /** Requests answered 429 and 418. */
  rateLimited = 0;
  banned = 0;

  constructor(private readonly o: RestOptions) {}

  /** Measures the offset of the exchange's clock (GET /api/v3/time or /fapi/v1/time), halving the round trip. */
  async syncTime(): Promise<RestResult<number>> {
    const t0 = this.o.wallMs();
    const r = await this.call<{ serverTime: number }>("GET", this.o.timePath ?? "/api/v3/time", {}, false);
    if (!r.ok) return r;
    const t1 = this.o.wallMs();
    this.offsetMs = Math.round(r.value.serverTime - (t0 + t1) / 2);
    return { ok: true, value: this.offsetMs };
  }

  /** A public (unsigned) request. */
  get<T>(path: string, params: Record<string, string | number> = {}): Promise<RestResult<T>> {
    return this.call<T>("GET", path, params, false);
  }

  /** A request that needs only the API key (listen keys). */
  keyed<T>(method: string, path: string, params: Record<string, string | number> = {}): Promise<RestResult<T>> {
    return this.call<T>(method, path, params, false, true);
  }

  /** A SIGNED request; a timestamp refusal re-syncs the clock and is retried once with the same parameters. */
  async signed<T>(method: string, path: string, params: Record<string, string | number>): Promise<RestResult<T>> {
    const r = await this.call<T>(method, path, params, true);
    if (r.ok || r.code !== -1021) return r;
    this.o.onEvent("BINANCE_CLOCK_RESYNC", `path=${path} msg=${r.msg} offset_ms=${this.offsetMs}`);
    const s = await this.syncTime();
    if (!s.ok) return r;
    return this.call<T>(method, path, params, true);
  }

  /** Milliseconds left of a back-off (0 when none). */
  backoffLeft(): number {
    return Math.max(0, this.backoffUntil - this.o.wallMs());
  }

  private async call<T>(method: string, path: string, params: Record<string, string | number>, signed: boolean, keyed = false): Promise<RestResult<T>> {
    const wait = this.backoffLeft();
    if (wait > 0) return { ok: false, status: 0, code: "BINANCE_BACKOFF", msg: `backing off for ${wait} ms after a 429/418` };
    let query = queryString(params);
    if (signed) {
      const stamp = `recvWindow=${this.o.recvWindowMs}&timestamp=${this.o.wallMs() + this.offsetMs}`;
      query = signQueryWith(query === "" ? stamp : `${query}&${stamp}`, this.o.sign);
    }
    const url = `${this.o.baseUrl}${path}${query === "" ? "" : `?${query}`}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers: signed || keyed ? { "X-MBX-APIKEY": this.o.apiKey } : {}, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      return { ok: false, status: 0, code: "BINANCE_NETWORK", msg: (err as Error).message };
    }
    const weight = Number(res.headers.get("X-MBX-USED-WEIGHT-1M"));
    if (Number.isFinite(weight) && weight > 0) this.usedWeight = weight;
    let body: any;
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: res.status, code: "BINANCE_BAD_JSON", msg: `path=${path} status=${res.status} body=${text.slice(0, 80)}` };
    }
    if (res.status === 429 || res.status === 418) {
      const seconds = Number(res.headers.get("Retry-After"));
      const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
      this.backoffUntil = this.o.wallMs() + ms;
      if (res.status === 429) this.rateLimited++;
      else this.banned++;
      this.o.onEvent(res.status === 429 ? "BINANCE_RATE_LIMITED" : "BINANCE_IP_BANNED", `path=${path} status=${res.status} retry_after_ms=${ms} used_weight=${this.usedWeight}`);
      return { ok: false, status: res.status, code: body?.code ?? res.status, msg: String(body?.msg ?? "rate limited") };
    }
    if (res.status >= 400) return { ok: false, status: res.status, code: typeof body?.code === "number" ? body.code : res.status, msg: String(body?.msg ?? text.slice(0, 80)) };
    return { ok: true, value: body as T };
  }
}
