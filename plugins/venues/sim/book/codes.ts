/**
 * Constants of the sim venue's order book: sides, order types, times in force, flags, and the
 * catalogue of result codes every book command returns (errors as values, never thrown).
 *
 * Codes are small integers so that the hot path returns them without allocating; `resultName`
 * turns one into its stable name (`POST_ONLY_WOULD_TAKE`) and `describeResult` adds `key=value`
 * context for logs and reports.
 */

import type { Side as SdkSide } from "../../../sdk/orders.ts";

/** Side of an order, as the SDK has it: 1 buy, -1 sell. */
export const Side = { BUY: 1, SELL: -1 } as const;
/** Side of an order: the SDK's `Side` (1 buy, -1 sell). */
export type Side = SdkSide;

/** Order types the book accepts. Stops trigger on the last trade price crossing `stopPrice`. */
export const OrderType = { LIMIT: 0, MARKET: 1, STOP: 2, STOP_LIMIT: 3 } as const;
/** Order type as a number. */
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/**
 * Time in force. GTC rests until cancelled; IOC fills what it can and drops the rest; FOK fills
 * completely or not at all; GTD rests until its `expireTs`; DAY rests until the session end set
 * with `setSessionEnd` (captured when the order enters). Market orders never rest: any remainder
 * is dropped whatever their time in force.
 */
export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2, GTD: 3, DAY: 4 } as const;
/** Time in force as a number. */
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/**
 * Order flags, OR-ed together. POST_ONLY rejects an order (or a replace) that would take
 * liquidity. Reduce-only is not a book concern: the caller (OMS / risk) knows positions and
 * must clamp or refuse such orders before they reach the book.
 */
export const OrderFlag = { NONE: 0, POST_ONLY: 1 } as const;

/** Best bid when there is no bid: below every valid price. */
export const NO_BID = -Number.MAX_SAFE_INTEGER;
/** Best ask when there is no ask: above every valid price. */
export const NO_ASK = Number.MAX_SAFE_INTEGER;
/** Last trade price before the first trade. */
export const NO_PRICE = Number.NaN;

/**
 * Result codes of book commands (0 = accepted, 1..63 = rejected) and reasons reported through
 * `BookSink.onDone` when an order leaves the book without being filled (64..).
 */
export const BookResult = {
  ACCEPTED: 0,
  INVALID_SIZE: 1,
  INVALID_PRICE: 2,
  INVALID_ORDER: 3,
  INVALID_EXPIRY: 4,
  DUPLICATE_ORDER_ID: 5,
  UNKNOWN_ORDER: 6,
  POST_ONLY_WOULD_TAKE: 7,
  FOK_NOT_FILLABLE: 8,
  BOOK_FULL: 9,
  NOT_REPLACEABLE: 10,
  UNFILLED_CANCELLED: 64,
  EXPIRED: 65,
} as const;
/** A result or done-reason code. */
export type BookResult = (typeof BookResult)[keyof typeof BookResult];

const NAMES: string[] = [];
for (const [name, code] of Object.entries(BookResult)) NAMES[code] = name;

/** Returns the stable name of a result code, e.g. `FOK_NOT_FILLABLE`. */
export function resultName(code: number): string {
  return NAMES[code] ?? `UNKNOWN_RESULT_${code}`;
}

/** Returns `NAME: key=value ...` for logs, e.g. `UNKNOWN_ORDER: order_id=42`. */
export function describeResult(code: number, context: Record<string, number | string> = {}): string {
  const parts = Object.entries(context).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? resultName(code) : `${resultName(code)}: ${parts.join(", ")}`;
}
