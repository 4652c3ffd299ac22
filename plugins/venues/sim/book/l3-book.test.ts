/** Example tests of the L3 book: one behaviour each, named as specifications. */
import { describe, expect, test } from "bun:test";
import { BookResult, NO_ASK, NO_BID, OrderFlag, OrderType, Side, TimeInForce } from "./codes.ts";
import { L3Book } from "./l3-book.ts";
import { NaiveBook } from "./naive-book.ts";
import { RecordingSink } from "./testing/recorder.ts";

const { BUY, SELL } = Side;
const { GTC, IOC, FOK, GTD, DAY } = TimeInForce;

for (const Impl of [L3Book, NaiveBook]) {
  describe(Impl.name, () => {
    const make = (capacity = 64) => {
      const sink = new RecordingSink();
      return { book: new Impl({ capacity, sink }), sink };
    };
    const lim = (b: L3Book | NaiveBook, id: number, side: Side, price: number, size: number, tif: number = GTC, flags = 0, exp = 0) =>
      b.submit(id, side, OrderType.LIMIT, tif, flags, price, 0, size, exp);

    test("a resting bid is filled before a later bid at the same price", () => {
      const { book, sink } = make();
      lim(book, 1, BUY, 100, 5);
      lim(book, 2, BUY, 100, 5);
      sink.take();
      expect(lim(book, 3, SELL, 100, 7)).toBe(BookResult.ACCEPTED);
      expect(sink.take()).toEqual([
        ["fill", 1, 3, 100, 5, true, false],
        ["fill", 2, 3, 100, 2, false, true],
      ]);
      expect(book.remaining(2)).toBe(3);
    });

    test("a taker walks the book best price first and fills at each maker's price", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 102, 1);
      lim(book, 2, SELL, 101, 1);
      lim(book, 3, SELL, 103, 1);
      lim(book, 4, BUY, 102, 5);
      expect(sink.take()).toEqual([
        ["fill", 2, 4, 101, 1, true, false],
        ["fill", 1, 4, 102, 1, true, false],
      ]);
      expect(book.bestBid()).toBe(102);
      expect(book.bestBidSize()).toBe(3);
      expect(book.bestAsk()).toBe(103);
      expect(book.lastTradePrice()).toBe(102);
    });

    test("a post-only order that would take is refused and the book is unchanged", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 101, 1);
      expect(lim(book, 2, BUY, 101, 1, GTC, OrderFlag.POST_ONLY)).toBe(BookResult.POST_ONLY_WOULD_TAKE);
      expect(sink.take()).toEqual([]);
      expect(lim(book, 3, BUY, 100, 1, GTC, OrderFlag.POST_ONLY)).toBe(BookResult.ACCEPTED);
      expect(book.bestBid()).toBe(100);
      expect(book.replace(3, 101, 1)).toBe(BookResult.POST_ONLY_WOULD_TAKE);
      expect(book.bestBid()).toBe(100);
    });

    test("FOK fills completely or is refused with FOK_NOT_FILLABLE", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 101, 2);
      lim(book, 2, SELL, 102, 2);
      expect(lim(book, 3, BUY, 101, 3, FOK)).toBe(BookResult.FOK_NOT_FILLABLE);
      expect(sink.take()).toEqual([]);
      expect(lim(book, 4, BUY, 102, 3, FOK)).toBe(BookResult.ACCEPTED);
      expect(sink.take().length).toBe(2);
      expect(book.remaining(4)).toBe(-1);
    });

    test("an IOC remainder is dropped as UNFILLED_CANCELLED and never rests", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 101, 2);
      lim(book, 2, BUY, 101, 5, IOC);
      expect(sink.take()).toEqual([
        ["fill", 1, 2, 101, 2, true, false],
        ["done", 2, 3, BookResult.UNFILLED_CANCELLED],
      ]);
      expect(book.bestBid()).toBe(NO_BID);
    });

    test("a market order takes any price and drops what the book cannot fill", () => {
      const { book, sink } = make();
      lim(book, 1, BUY, 90, 1);
      lim(book, 2, BUY, 80, 1);
      expect(book.submit(3, SELL, OrderType.MARKET, GTC, 0, 0, 0, 3, 0)).toBe(BookResult.ACCEPTED);
      expect(sink.take()).toEqual([
        ["fill", 1, 3, 90, 1, true, false],
        ["fill", 2, 3, 80, 1, true, false],
        ["done", 3, 1, BookResult.UNFILLED_CANCELLED],
      ]);
    });

    test("a stop waits until the last trade crosses its price, then enters as a market order", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 101, 1);
      lim(book, 2, SELL, 103, 5);
      expect(book.submit(10, BUY, OrderType.STOP, GTC, 0, 0, 101, 2, 0)).toBe(BookResult.ACCEPTED);
      expect(sink.take()).toEqual([]);
      lim(book, 3, BUY, 101, 1);
      expect(sink.take()).toEqual([
        ["fill", 1, 3, 101, 1, true, true],
        ["trigger", 10],
        ["fill", 2, 10, 103, 2, false, true],
      ]);
    });

    test("a stop-limit triggers and rests the rest at its limit; stops trigger lowest buy stop first", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 100, 1);
      book.submit(11, BUY, OrderType.STOP_LIMIT, GTC, 0, 99, 100, 2, 0);
      book.submit(10, BUY, OrderType.STOP_LIMIT, GTC, 0, 99, 99, 2, 0);
      lim(book, 2, BUY, 100, 1);
      expect(sink.take()).toEqual([["fill", 1, 2, 100, 1, true, true], ["trigger", 10], ["trigger", 11]]);
      expect(book.bestBid()).toBe(99);
      expect(book.bestBidSize()).toBe(4);
      expect(book.queuePosition(11)).toBe(2);
    });

    test("GTD orders expire at their expiry and DAY orders at the session end, in expiry order", () => {
      const { book, sink } = make();
      book.setSessionEnd(50);
      lim(book, 1, BUY, 100, 1, GTD, 0, 20);
      lim(book, 2, BUY, 99, 2, DAY);
      lim(book, 3, BUY, 98, 3, GTD, 0, 10);
      lim(book, 4, BUY, 97, 4);
      expect(book.expire(9)).toBe(0);
      expect(book.expire(20)).toBe(2);
      expect(sink.take()).toEqual([
        ["done", 3, 3, BookResult.EXPIRED],
        ["done", 1, 1, BookResult.EXPIRED],
      ]);
      expect(book.expire(50)).toBe(1);
      expect(book.liveOrders()).toBe(1);
    });

    test("reduce and a same-price size decrease keep priority; a size increase or a new price lose it", () => {
      const { book } = make();
      lim(book, 1, BUY, 100, 5);
      lim(book, 2, BUY, 100, 5);
      expect(book.reduce(1, 2)).toBe(BookResult.ACCEPTED);
      expect(book.queuePosition(2)).toBe(3);
      expect(book.replace(1, 100, 2)).toBe(BookResult.ACCEPTED);
      expect(book.queuePosition(2)).toBe(2);
      expect(book.replace(1, 100, 6)).toBe(BookResult.ACCEPTED);
      expect(book.queuePosition(1)).toBe(5);
      expect(book.replace(2, 101, 5)).toBe(BookResult.ACCEPTED);
      expect(book.replace(2, 100, 5)).toBe(BookResult.ACCEPTED);
      expect(book.queuePosition(2)).toBe(6);
      expect(book.reduce(2, 6)).toBe(BookResult.INVALID_SIZE);
      expect(book.reduce(2, 5)).toBe(BookResult.ACCEPTED);
      expect(book.remaining(2)).toBe(-1);
    });

    test("a replace to a crossing price takes liquidity like a new order", () => {
      const { book, sink } = make();
      lim(book, 1, SELL, 101, 2);
      lim(book, 2, BUY, 99, 3);
      sink.take();
      expect(book.replace(2, 101, 3)).toBe(BookResult.ACCEPTED);
      expect(sink.take()).toEqual([["fill", 1, 2, 101, 2, true, false]]);
      expect(book.bestBid()).toBe(101);
      expect(book.bestBidSize()).toBe(1);
    });

    test("depth writes the top levels best first into the caller's arrays", () => {
      const { book } = make();
      lim(book, 1, SELL, 103, 1);
      lim(book, 2, SELL, 101, 2);
      lim(book, 3, SELL, 101, 3);
      lim(book, 4, SELL, 102, 4);
      const p = new Float64Array(2);
      const s = new Float64Array(2);
      const c = new Int32Array(2);
      expect(book.depth(SELL, 5, p, s, c)).toBe(2);
      expect([...p, ...s, ...c]).toEqual([101, 102, 5, 4, 2, 1]);
      expect(book.bestAsk()).toBe(101);
      expect(book.bestBid()).toBe(NO_BID);
      expect(book.bestAsk() < NO_ASK).toBe(true);
    });

    test("commands report UNKNOWN_ORDER, DUPLICATE_ORDER_ID, INVALID_SIZE, INVALID_PRICE, NOT_REPLACEABLE", () => {
      const { book } = make();
      expect(book.cancel(9)).toBe(BookResult.UNKNOWN_ORDER);
      expect(book.reduce(9, 1)).toBe(BookResult.UNKNOWN_ORDER);
      expect(book.replace(9, 100, 1)).toBe(BookResult.UNKNOWN_ORDER);
      expect(lim(book, 1, BUY, 100, 1)).toBe(BookResult.ACCEPTED);
      expect(lim(book, 1, BUY, 100, 1)).toBe(BookResult.DUPLICATE_ORDER_ID);
      expect(lim(book, 2, BUY, 100, 0)).toBe(BookResult.INVALID_SIZE);
      expect(lim(book, 2, BUY, 100, 1.5)).toBe(BookResult.INVALID_SIZE);
      expect(lim(book, 2, BUY, 100.5, 1)).toBe(BookResult.INVALID_PRICE);
      expect(lim(book, 2, BUY, NO_ASK, 1)).toBe(BookResult.INVALID_PRICE);
      expect(lim(book, 2, BUY, 100, 1, GTD, 0, Number.NaN)).toBe(BookResult.INVALID_EXPIRY);
      expect(book.submit(2, BUY, OrderType.MARKET, GTC, OrderFlag.POST_ONLY, 0, 0, 1, 0)).toBe(BookResult.INVALID_ORDER);
      expect(book.submit(2, 0 as Side, OrderType.LIMIT, GTC, 0, 100, 0, 1, 0)).toBe(BookResult.INVALID_ORDER);
      expect(book.submit(3, BUY, OrderType.STOP, GTC, 0, 0, 120, 1, 0)).toBe(BookResult.ACCEPTED);
      expect(book.replace(3, 100, 1)).toBe(BookResult.NOT_REPLACEABLE);
      expect(book.cancel(3)).toBe(BookResult.ACCEPTED);
      expect(book.cancel(1)).toBe(BookResult.ACCEPTED);
      expect(book.liveOrders()).toBe(0);
    });

    test("a full pool refuses resting orders with BOOK_FULL and reuses freed slots", () => {
      const { book } = make(2);
      expect(lim(book, 1, BUY, 100, 1)).toBe(BookResult.ACCEPTED);
      expect(lim(book, 2, BUY, 99, 1)).toBe(BookResult.ACCEPTED);
      expect(lim(book, 3, BUY, 98, 1)).toBe(BookResult.BOOK_FULL);
      expect(lim(book, 4, SELL, 100, 1, IOC)).toBe(BookResult.ACCEPTED);
      expect(lim(book, 3, BUY, 98, 1)).toBe(BookResult.ACCEPTED);
      expect(book.bestBid()).toBe(99);
    });
  });
}
