/**
 * Coinbase Advanced Trade REST as the venue uses it: each request carries its own ES256 JWT
 * (`Authorization: Bearer`, `uri` claim = method, host and path), timed by the exchange's clock as
 * estimated from `GET /api/v3/brokerage/time`. After a 429 nothing is sent until Retry-After has
 * passed; a 401 re-measures the clock and is retried once (a token outside its two minutes is
 * refused as unauthenticated). Every call resolves to a value; nothing throws.
 */
import { buildJwt, jwtUri, type CoinbaseKey } from "../wire/jwt.ts";

/** A request unanswered after this long is treated as lost (its outcome is then reconciled). */
const REQUEST_TIMEOUT_MS = 10_000;

/** A REST answer: the JSON body, or why there is none. */
export type RestResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly msg: string };

/** What the client needs from its owner. */
export interface RestOptions {
  readonly baseUrl: string;
  /** The API key, or null when none is configured (requests then go unauthenticated and are refused). */
  readonly key: CoinbaseKey | null;
  /** Wall clock, ms (injected so tests can skew it). */
  readonly wallMs: () => number;
  /** Called when the client backs off or re-syncs its clock. */
  readonly onEvent: (code: string, message: string) => void;
}

/** A Coinbase Advanced Trade REST client. */
export class CoinbaseRest {
  /** Exchange time minus local time, ms. */
  offsetMs = 0;
  /** No request is sent before this wall time (ms) after a 429. */
  backoffUntil = 0;
  /** Requests answered 429. */
  rateLimited = 0;
  /** Requests sent. */
  requests = 0;

  constructor(private readonly o: RestOptions) {}

  /** Seconds on the exchange's clock, as a token's `nbf`. */
  nowS(): number {
    return Math.floor((this.o.wallMs() + this.offsetMs) / 1000);
  }

  /** A token for a WebSocket subscribe message (no `uri`), or undefined without a key. */
  wsJwt(): string | undefined {
    return this.o.key === null ? undefined : buildJwt(this.o.key, this.nowS());
  }

  /** Measures the offset of the exchange's clock (GET /api/v3/brokerage/time), halving the round trip. */
  async syncTime(): Promise<RestResult<number>> {
    const t0 = this.o.wallMs();
    const r = await this.call<{ epochMillis: string }>("GET", "/api/v3/brokerage/time", undefined, false);
    if (!r.ok) return r;
    const t1 = this.o.wallMs();
    const server = Number(r.value.epochMillis);
    if (!Number.isFinite(server)) return { ok: false, status: 200, code: "COINBASE_BAD_JSON", msg: `time: epochMillis=${r.value.epochMillis}` };
    this.offsetMs = Math.round(server - (t0 + t1) / 2);
    return { ok: true, value: this.offsetMs };
  }

  /** An authenticated GET (query parameters are not part of the token's uri; a list repeats its name). */
  get<T>(path: string, query: Record<string, string | readonly string[]> = {}): Promise<RestResult<T>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const x of typeof v === "string" ? [v] : v) params.append(k, x);
    const q = params.toString();
    return this.authed<T>("GET", q === "" ? path : `${path}?${q}`);
  }

  /** An authenticated POST with a JSON body. */
  post<T>(path: string, body: unknown): Promise<RestResult<T>> {
    return this.authed<T>("POST", path, body);
  }

  /** Milliseconds left of a back-off (0 when none). */
  backoffLeft(): number {
    return Math.max(0, this.backoffUntil - this.o.wallMs());
  }

  private async authed<T>(method: string, pathAndQuery: string, body?: unknown): Promise<RestResult<T>> {
    const r = await this.call<T>(method, pathAndQuery, body, true);
    if (r.ok || r.status !== 401 || this.o.key === null) return r;
    this.o.onEvent("COINBASE_CLOCK_RESYNC", `path=${pathAndQuery.split("?")[0]} status=401 msg=${r.msg} offset_ms=${this.offsetMs}`);
    const s = await this.syncTime();
    if (!s.ok) return r;
    return this.call<T>(method, pathAndQuery, body, true);
  }

  private async call<T>(method: string, pathAndQuery: string, body: unknown, auth: boolean): Promise<RestResult<T>> {
    const wait = this.backoffLeft();
    if (wait > 0) return { ok: false, status: 0, code: "COINBASE_BACKOFF", msg: `backing off for ${wait} ms after a 429` };
    const url = new URL(`${this.o.baseUrl}${pathAndQuery}`);
    const headers: Record<string, string> = {};
    if (auth && this.o.key !== null) headers.Authorization = `Bearer ${buildJwt(this.o.key, this.nowS(), jwtUri(method, url))}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    this.requests++;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      return { ok: false, status: 0, code: "COINBASE_NETWORK", msg: (err as Error).message };
    }
    const text = await res.text();
    let value: any;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, status: res.status, code: "COINBASE_BAD_JSON", msg: `path=${url.pathname} status=${res.status} body=${text.slice(0, 80)}` };
    }
    if (res.status === 429) {
      const seconds = Number(res.headers.get("Retry-After"));
      const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
      this.backoffUntil = this.o.wallMs() + ms;
      this.rateLimited++;
      this.o.onEvent("COINBASE_RATE_LIMITED", `path=${url.pathname} status=429 retry_after_ms=${ms}`);
      return { ok: false, status: 429, code: String(value?.error ?? "RATE_LIMITED"), msg: String(value?.message ?? "rate limited") };
    }
    if (res.status >= 400) return { ok: false, status: res.status, code: String(value?.error ?? res.status), msg: String(value?.message ?? text.slice(0, 80)) };
    return { ok: true, value: value as T };
  }
}
