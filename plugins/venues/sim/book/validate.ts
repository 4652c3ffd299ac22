/**
 * Checks of a submitted order that need no book state, shared by the fast book and its naive
 * twin so that both refuse exactly the same commands, and the sink that ignores events.
 */
import { BookResult, NO_ASK, NO_BID, OrderFlag, OrderType, TimeInForce } from "./codes.ts";
import type { BookSink } from "./types.ts";

/** Whether `p` is a usable price: a safe integer strictly between NO_BID and NO_ASK. */
export function isValidPrice(p: number): boolean {
  return Number.isSafeInteger(p) && p > NO_BID && p < NO_ASK;
}

/** Returns ACCEPTED or the code of the first problem with a submitted order's fields. */
export function validateSubmit(id: number, side: number, type: number, tif: number, flags: number, price: number, stopPrice: number, size: number, expireTs: number): number {
  if (!Number.isSafeInteger(id) || id < 0) return BookResult.INVALID_ORDER;
  if ((side !== 1 && side !== -1) || type !== (type & 3) || tif !== (tif & 7) || tif > TimeInForce.DAY || flags !== (flags & OrderFlag.POST_ONLY)) {
    return BookResult.INVALID_ORDER;
  }
  if ((flags & OrderFlag.POST_ONLY) !== 0 && (type === OrderType.MARKET || type === OrderType.STOP)) return BookResult.INVALID_ORDER;
  if (!Number.isSafeInteger(size) || size <= 0) return BookResult.INVALID_SIZE;
  if ((type === OrderType.LIMIT || type === OrderType.STOP_LIMIT) && !isValidPrice(price)) return BookResult.INVALID_PRICE;
  if ((type === OrderType.STOP || type === OrderType.STOP_LIMIT) && !isValidPrice(stopPrice)) return BookResult.INVALID_PRICE;
  if (tif === TimeInForce.GTD && !Number.isSafeInteger(expireTs)) return BookResult.INVALID_EXPIRY;
  return BookResult.ACCEPTED;
}

/** A sink that drops every event. */
export const IGNORE_SINK: BookSink = {
  onFill() {},
  onTrigger() {},
  onDone() {},
};
