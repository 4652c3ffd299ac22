/**
 * The sim venue's matching engine: an L3 price-time-priority limit order book over integer
 * prices (ticks) and sizes (units), allocation-free on the hot path, with limit, market, stop and
 * stop-limit orders, GTC/IOC/FOK/GTD/DAY, post-only, cancel/reduce/replace, and a naive twin
 * (`NaiveBook`) with the same interface for differential tests.
 *
 * @example
 * const fills: number[] = [];
 * const book = new L3Book({ capacity: 1024, sink: { onFill: (m, t, p, s) => fills.push(p, s), onTrigger() {}, onDone() {} } });
 * book.limit(1, Side.SELL, 101, 5);
 * book.limit(2, Side.BUY, 101, 3); // fills 3 @ 101
 */
export { BookResult, describeResult, NO_ASK, NO_BID, NO_PRICE, OrderFlag, OrderType, resultName, Side, TimeInForce } from "./codes.ts";
export { L3Book } from "./l3-book.ts";
export { NaiveBook } from "./naive-book.ts";
export type { BookOptions, BookSink, OrderBook } from "./types.ts";
export { IGNORE_SINK } from "./validate.ts";
