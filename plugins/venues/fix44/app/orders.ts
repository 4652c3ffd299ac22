/**
 * Encoding of NewOrderSingle, OrderCancelRequest, OrderCancelReplaceRequest and
 * MarketDataRequest bodies onto a session's encoder, mapping integer ticks and units to FIX
 * decimals exactly.
 */
import type { FixEncoder } from "../codec/encode.ts";
import type { FixCancel, FixInstrument, FixOrder, FixReplace } from "./types.ts";

const TIF: Record<string, number> = { day: 48, gtc: 49, ioc: 51, fok: 52 };

/** Returns why an order cannot be encoded, or undefined when it can. */
export function orderProblem(order: FixOrder, instrument: FixInstrument | undefined): string | undefined {
  if (instrument === undefined) return `FIX_VENUE_UNKNOWN_SYMBOL: symbol=${order.symbol}`;
  if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) return `FIX_VENUE_BAD_QUANTITY: quantity=${order.quantity}`;
  if (order.type === "limit" && (order.price === undefined || !Number.isSafeInteger(order.price))) return `FIX_VENUE_BAD_PRICE: price=${order.price}`;
  if (order.clOrdId === "" || order.clOrdId.length > 64) return `FIX_VENUE_BAD_CLORDID: clordid=${order.clOrdId}`;
  return undefined;
}

function orderTerms(enc: FixEncoder, order: FixOrder, instrument: FixInstrument, now: number): void {
  enc.str(55, order.symbol).char(54, order.side === "buy" ? 49 : 50).timestamp(60, now)
    .scaled(38, order.quantity, instrument.sizeDecimals).char(40, order.type === "limit" ? 50 : 49);
  if (order.type === "limit") enc.scaled(44, order.price as number, instrument.priceDecimals);
  if (order.timeInForce !== undefined) enc.char(59, TIF[order.timeInForce] as number);
}

/** Writes a NewOrderSingle body (ClOrdID, HandlInst, terms). */
export function writeNewOrderSingle(enc: FixEncoder, order: FixOrder, instrument: FixInstrument, now: number): void {
  enc.str(11, order.clOrdId).char(21, 49);
  orderTerms(enc, order, instrument, now);
}

/** Writes an OrderCancelRequest body. */
export function writeCancel(enc: FixEncoder, cancel: FixCancel, instrument: FixInstrument, now: number): void {
  enc.str(41, cancel.origClOrdId).str(11, cancel.clOrdId).str(55, cancel.symbol).char(54, cancel.side === "buy" ? 49 : 50)
    .timestamp(60, now).scaled(38, cancel.quantity, instrument.sizeDecimals);
}

/** Writes an OrderCancelReplaceRequest body. */
export function writeReplace(enc: FixEncoder, replace: FixReplace, instrument: FixInstrument, now: number): void {
  enc.str(41, replace.origClOrdId).str(11, replace.clOrdId).char(21, 49);
  orderTerms(enc, replace, instrument, now);
}

/** Writes a MarketDataRequest body subscribing to bids and offers of the symbols. */
export function writeMarketDataRequest(enc: FixEncoder, reqId: string, symbols: readonly string[], depth: number): void {
  enc.str(262, reqId).char(263, 49).int(264, depth).int(265, 1).int(267, 2).char(269, 48).char(269, 49).int(146, symbols.length);
  for (const s of symbols) enc.str(55, s);
}

/** Writes an OrderMassStatusRequest body asking for the status of all orders (MassStatusReqType 7). */
export function writeOrderMassStatusRequest(enc: FixEncoder, reqId: string): void {
  enc.str(584, reqId).int(585, 7);
}
