/** Differential tests: the fast L3Book against the NaiveBook on random command streams. */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { Side } from "./codes.ts";
import { L3Book } from "./l3-book.ts";
import { NaiveBook } from "./naive-book.ts";
import { applyCommand, commandArb, type CommandModel, RecordingSink, snapshotSide } from "./testing/recorder.ts";
import type { OrderBook } from "./types.ts";

function observe(book: OrderBook, maxId: number): unknown {
  const perOrder: number[] = [];
  for (let id = 1; id <= maxId; id++) perOrder.push(book.remaining(id), book.queuePosition(id));
  return {
    bid: [book.bestBid(), book.bestBidSize()],
    ask: [book.bestAsk(), book.bestAskSize()],
    bids: snapshotSide(book, Side.BUY),
    asks: snapshotSide(book, Side.SELL),
    last: String(book.lastTradePrice()),
    live: book.liveOrders(),
    perOrder,
  };
}

function runDifferential(model: CommandModel, capacity: number, numRuns: number): void {
  fc.assert(
    fc.property(fc.array(commandArb(model), { minLength: 1, maxLength: 200, size: "max" }), (commands) => {
      const fastSink = new RecordingSink();
      const naiveSink = new RecordingSink();
      const fast = new L3Book({ capacity, sink: fastSink });
      const naive = new NaiveBook({ capacity, sink: naiveSink });
      for (let i = 0; i < commands.length; i++) {
        const c = commands[i];
        const a = applyCommand(fast, c);
        const b = applyCommand(naive, c);
        expect({ i, c, result: a, events: fastSink.take() }).toEqual({ i, c, result: b, events: naiveSink.take() });
        expect(observe(fast, model.maxId)).toEqual(observe(naive, model.maxId));
      }
    }),
    { numRuns },
  );
}

test("the fast book matches the naive book on random limit, market, cancel, reduce and replace streams", () => {
  runDifferential({ maxId: 30, minPrice: 95, maxPrice: 105, maxSize: 10, full: false }, 64, 150);
}, 30000);

test("the fast book matches the naive book with stops, GTD/DAY expiry and a small pool that fills up", () => {
  runDifferential({ maxId: 24, minPrice: 97, maxPrice: 103, maxSize: 6, full: true }, 6, 200);
}, 30000);
