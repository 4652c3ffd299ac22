/**
 * Binance WebSocket frames to typed events with integer prices and sizes: the market streams'
 * combined envelope (`{"stream","data"}` carrying `depthUpdate`, `bookTicker`, `trade`, `aggTrade`)
 * and the user data stream's `executionReport`. A frame that is not JSON or lacks a field comes
 * back as a string naming what is wrong, never as an exception.
 */
import type { Diff } from "../book/depth-sync.ts";
import { parseDecimal } from "./decimal.ts";

/** Price and size scales of one symbol. */
export interface Scales {
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
}

/** A depth diff of one symbol. */
export interface DepthEvent extends Diff {
  readonly kind: "depth";
  readonly symbol: string;
  /** Event time, ms. */
  readonly eventMs: number;
}

/** Best bid/ask of one symbol as of update id `updateId`. */
export interface BookTickerEvent {
  readonly kind: "bookTicker";
  readonly symbol: string;
  readonly updateId: number;
  readonly bid: number;
  readonly bidSize: number;
  readonly ask: number;
  readonly askSize: number;
}

/** A public trade; `side` is the aggressor (+1 buy, -1 sell). */
export interface TradeEvent {
  readonly kind: "trade";
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  readonly side: 1 | -1;
}

/** Any market stream event. */
export type MarketEvent = DepthEvent | BookTickerEvent | TradeEvent;

/** Parses a combined-stream frame; `scalesOf` maps the upper-case symbol to its scales (undefined: not ours). */
export function parseMarketFrame(text: string, scalesOf: (symbol: string) => Scales | undefined): MarketEvent | string {
  let msg: any;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message}): ${text.slice(0, 80)}`;
  }
  if (msg === null || typeof msg !== "object" || typeof msg.stream !== "string") return `no stream: ${text.slice(0, 80)}`;
  const d = msg.data;
  if (d === null || typeof d !== "object") return `stream=${msg.stream}: no data`;
  const stream: string = msg.stream;
  const at = stream.indexOf("@");
  const symbol = (typeof d.s === "string" ? d.s : stream.slice(0, at)).toUpperCase();
  const sc = scalesOf(symbol);
  if (sc === undefined) return `stream=${stream}: symbol ${symbol} is not subscribed`;
  const kind = stream.slice(at + 1);
  if (kind.startsWith("depth")) {
    if (typeof d.U !== "number" || typeof d.u !== "number") return `stream=${stream}: update ids U/u missing`;
    const bids = levels(d.b, sc);
    const asks = levels(d.a, sc);
    if (bids === null || asks === null) return `stream=${stream} u=${d.u}: levels not exact at ${sc.priceDecimals}/${sc.sizeDecimals} decimals`;
    return { kind: "depth", symbol, eventMs: Number(d.E) || 0, first: d.U, last: d.u, prev: typeof d.pu === "number" ? d.pu : -1, bids, asks };
  }
  if (kind === "bookTicker") {
    const bid = parseDecimal(d.b, sc.priceDecimals);
    const ask = parseDecimal(d.a, sc.priceDecimals);
    const bidSize = parseDecimal(d.B, sc.sizeDecimals);
    const askSize = parseDecimal(d.A, sc.sizeDecimals);
    if (bid !== bid || ask !== ask || bidSize !== bidSize || askSize !== askSize || typeof d.u !== "number") return `stream=${stream}: bad bookTicker ${text.slice(0, 80)}`;
    return { kind: "bookTicker", symbol, updateId: d.u, bid, bidSize, ask, askSize };
  }
  if (kind === "trade" || kind === "aggTrade") {
    const price = parseDecimal(d.p, sc.priceDecimals);
    const size = parseDecimal(d.q, sc.sizeDecimals);
    if (price !== price || size !== size) return `stream=${stream}: bad trade ${text.slice(0, 80)}`;
    return { kind: "trade", symbol, price, size, side: d.m === true ? -1 : 1 };
  }
  return `stream=${stream}: unknown stream`;
}

function levels(raw: unknown, sc: Scales): number[] | null {
  if (!Array.isArray(raw)) return null;
  const out = new Array<number>(raw.length * 2);
  for (let i = 0; i < raw.length; i++) {
    const lv = raw[i];
    if (!Array.isArray(lv)) return null;
    const p = parseDecimal(lv[0], sc.priceDecimals);
    const q = parseDecimal(lv[1], sc.sizeDecimals);
    if (p !== p || q !== q) return null;
    out[2 * i] = p;
    out[2 * i + 1] = q;
  }
  return out;
}

/** Binance's execution types of an executionReport (`x`). */
export type ExecType = "NEW" | "CANCELED" | "REPLACED" | "REJECTED" | "TRADE" | "EXPIRED" | "TRADE_PREVENTION";

/** An `executionReport` of the user data stream, decimals still as text (the venue scales them). */
export interface ExecutionReportEvent {
  readonly kind: "executionReport";
  readonly symbol: string;
  /** Client order id (`c`); for a cancel, the cancel request's own id, the order's being `C`. */
  readonly clientOrderId: string;
  readonly origClientOrderId: string;
  readonly execType: ExecType;
  /** Order status (`X`). */
  readonly status: string;
  readonly rejectReason: string;
  readonly orderId: number;
  readonly lastQty: string;
  readonly lastPrice: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly tradeId: number;
  readonly maker: boolean;
}

/** A USD-M `ACCOUNT_UPDATE`: why (`m`, e.g. FUNDING_FEE) and each asset's balance change (`bc`, text). */
export interface AccountUpdateEvent {
  readonly kind: "accountUpdate";
  readonly reason: string;
  /** Event time, ms. */
  readonly time: number;
  readonly balances: readonly { readonly asset: string; readonly change: string }[];
}

/** Parses a user data stream frame: an executionReport (spot, or USD-M's ORDER_TRADE_UPDATE in the same shape), an ACCOUNT_UPDATE, another event's name, or what is wrong. */
export function parseUserFrame(text: string): ExecutionReportEvent | AccountUpdateEvent | { kind: "other"; event: string } | string {
  let d: any;
  try {
    d = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message}): ${text.slice(0, 80)}`;
  }
  // The WebSocket API wraps user data stream events as {"subscriptionId", "event"}.
  if (d !== null && typeof d === "object" && d.event !== undefined && typeof d.e !== "string") d = d.event;
  if (d === null || typeof d !== "object" || typeof d.e !== "string") return `no event type: ${text.slice(0, 80)}`;
  if (d.e === "ACCOUNT_UPDATE") {
    const a = d.a;
    if (a === null || typeof a !== "object" || typeof a.m !== "string" || !Array.isArray(a.B)) return `ACCOUNT_UPDATE without a.m/a.B: ${text.slice(0, 80)}`;
    return { kind: "accountUpdate", reason: a.m, time: Number(d.E), balances: a.B.map((b: any) => ({ asset: String(b?.a ?? ""), change: String(b?.bc ?? "") })) };
  }
  if (d.e === "ORDER_TRADE_UPDATE") {
    // USD-M: the order's fields under `o`; a cancel carries the order's own client id in `c`.
    const o = d.o;
    if (o === null || typeof o !== "object" || typeof o.c !== "string" || typeof o.x !== "string" || typeof o.s !== "string") return `ORDER_TRADE_UPDATE without o.c/o.x/o.s: ${text.slice(0, 80)}`;
    return { kind: "executionReport", symbol: o.s, clientOrderId: o.c, origClientOrderId: "", execType: o.x, status: String(o.X), rejectReason: "NONE", orderId: Number(o.i), lastQty: String(o.l ?? "0"), lastPrice: String(o.L ?? "0"), commission: String(o.n ?? "0"), commissionAsset: String(o.N ?? ""), tradeId: typeof o.t === "number" ? o.t : -1, maker: o.m === true };
  }
  if (d.e !== "executionReport") return { kind: "other", event: d.e };
  if (typeof d.c !== "string" || typeof d.x !== "string" || typeof d.s !== "string") return `executionReport without c/x/s: ${text.slice(0, 80)}`;
  return {
    kind: "executionReport",
    symbol: d.s,
    clientOrderId: d.c,
    origClientOrderId: typeof d.C === "string" ? d.C : "",
    execType: d.x,
    status: String(d.X),
    rejectReason: String(d.r ?? "NONE"),
    orderId: Number(d.i),
    lastQty: String(d.l ?? "0"),
    lastPrice: String(d.L ?? "0"),
    commission: String(d.n ?? "0"),
    commissionAsset: String(d.N ?? ""),
    tradeId: typeof d.t === "number" ? d.t : -1,
    maker: d.m === true,
  };
}
