/**
 * Frames of Coinbase's Advanced Trade WebSocket as the venue reads them: the envelope
 * (`channel`, `sequence_num`, `events`) every channel shares, and the fields of `l2_data`,
 * `market_trades`, `ticker` and `user` events in integer units. A malformed frame or field is a
 * string saying what and where; nothing is guessed.
 */
import { parseDecimal } from "../../binance/wire/decimal.ts";

/** A frame's envelope. */
export interface Envelope {
  readonly channel: string;
  /** Per connection, one more for each message of any channel. */
  readonly seq: number;
  readonly events: readonly any[];
}

/** Parses the envelope; an `error` message becomes `{error}`; a string says why the frame is unusable. */
export function parseEnvelope(text: string): Envelope | { readonly error: string } | string {
  let msg: any;
  try {
    msg = JSON.parse(text);
  } catch {
    return `frame is not JSON: ${text.slice(0, 60)}`;
  }
  if (msg === null || typeof msg !== "object") return `frame is not an object: ${text.slice(0, 60)}`;
  if (msg.type === "error") return { error: String(msg.message ?? "") };
  if (typeof msg.channel !== "string") return `frame has no channel: ${text.slice(0, 60)}`;
  if (!Number.isSafeInteger(msg.sequence_num)) return `channel=${msg.channel} frame has no sequence_num`;
  if (!Array.isArray(msg.events)) return `channel=${msg.channel} seq=${msg.sequence_num} frame has no events`;
  return { channel: msg.channel, seq: msg.sequence_num, events: msg.events };
}

/** One price level change of an `l2_data` event: side +1 bid / -1 offer, the level's new size (0 removes it). */
export interface LevelChange {
  side: number;
  price: number;
  size: number;
}

/** Parses an l2_data event's updates into `out` (reused); a string says which update is bad. */
export function parseLevels(updates: unknown, priceDecimals: number, sizeDecimals: number, out: LevelChange[]): number | string {
  if (!Array.isArray(updates)) return "updates is not an array";
  for (let k = 0; k < updates.length; k++) {
    const u = updates[k];
    const side = u?.side === "bid" ? 1 : u?.side === "offer" ? -1 : 0;
    const price = parseDecimal(u?.price_level, priceDecimals);
    const size = parseDecimal(u?.new_quantity, sizeDecimals);
    if (side === 0 || price !== price || size !== size || price <= 0) return `update ${k} side=${u?.side} price_level=${u?.price_level} new_quantity=${u?.new_quantity} is not a bid/offer exact at ${priceDecimals}/${sizeDecimals} decimals`;
    let c = out[k];
    if (c === undefined) out[k] = c = { side: 0, price: 0, size: 0 };
    c.side = side;
    c.price = price;
    c.size = size;
  }
  return updates.length;
}

/** An order of the `user` channel in the fields the venue uses. */
export interface UserOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly productId: string;
  /** PENDING, OPEN, FILLED, CANCELLED, EXPIRED, FAILED (and Coinbase's queued states). */
  readonly status: string;
  /** Text of the base size filled so far. */
  readonly cumulativeQuantity: string;
  readonly rejectReason: string;
  readonly cancelReason: string;
}

/** Reads the orders of a `user` event; a string says which one is bad. */
export function parseUserOrders(event: any): UserOrder[] | string {
  if (!Array.isArray(event?.orders)) return `event type=${event?.type} has no orders`;
  const out: UserOrder[] = [];
  for (const o of event.orders) {
    if (typeof o?.order_id !== "string" || typeof o?.status !== "string" || typeof o?.cumulative_quantity !== "string") return `order ${JSON.stringify(o).slice(0, 80)} lacks order_id, status or cumulative_quantity`;
    out.push({ orderId: o.order_id, clientOrderId: String(o.client_order_id ?? ""), productId: String(o.product_id ?? ""), status: o.status, cumulativeQuantity: o.cumulative_quantity, rejectReason: String(o.reject_reason ?? ""), cancelReason: String(o.cancel_reason ?? "") });
  }
  return out;
}
