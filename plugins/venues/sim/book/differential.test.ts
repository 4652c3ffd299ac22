/** Differential tests: the fast L3Book against the NaiveBook on random command streams. */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { Side } from "./codes.ts";
import { L3Book } from "./l3-book.ts";
import { NaiveBook } from "./naive-book.ts";
import { applyCommand, type Command, commandArb, type CommandModel, RecordingSink, snapshotSide } from "./testing/recorder.ts";
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

function runDifferential(
  model: CommandModel,
  capacity: number,
  numRuns: number,
  stream = fc.array(commandArb(model), { minLength: 1, maxLength: 200, size: "max" }),
  endOnFailure = false,
): void {
  fc.assert(
    fc.property(stream, (commands) => {
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
    { numRuns, endOnFailure },
  );
}

test("the fast book matches the naive book on random limit, market, cancel, reduce and replace streams", () => {
  runDifferential({ maxId: 30, minPrice: 95, maxPrice: 105, maxSize: 10, full: false }, 64, 150);
}, 30000);

test("the fast book matches the naive book over prices that span several 32-tick pages, negative ones included", () => {
  runDifferential({ maxId: 40, minPrice: -70, maxPrice: 70, maxSize: 10, full: true }, 48, 150);
}, 30000);

test("the fast book matches the naive book with stops, GTD/DAY expiry and a small pool that fills up", () => {
  runDifferential({ maxId: 24, minPrice: 97, maxPrice: 103, maxSize: 6, full: true }, 6, 200);
}, 30000);

test("the fast book matches the naive book when most levels below the top empty out", () => {
  const maxId = 150;
  // Bids at up to 150 distinct prices over 13 pages, most of them cancelled (levels and pages
  // empty out below the top), then moves, cancels and crossing sells that reuse and sweep levels.
  const stream = fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 100, maxLength: maxId, size: "max" }),
      fc.array(fc.boolean(), { minLength: maxId, maxLength: maxId }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: maxId }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 400 })), { minLength: 50, maxLength: 150, size: "max" }),
    )
    .map(([prices, keep, later]) => {
      const commands: Command[] = prices.map((price, k) => ({ kind: "submit", id: k + 1, side: Side.BUY, type: 0, tif: 0, flags: 0, price, stopPrice: 0, size: 1 + (price % 5), expireTs: 0 }));
      prices.forEach((_, k) => {
        if (!keep[k] || k % 3 !== 0) commands.push({ kind: "cancel", id: k + 1 });
      });
      for (const [id, what, p] of later) {
        if (what === 0) commands.push({ kind: "cancel", id });
        else if (what === 1) commands.push({ kind: "move", id, price: p });
        else if (what === 2) commands.push({ kind: "submit", id: id + maxId, side: Side.BUY, type: 0, tif: 0, flags: 0, price: p, stopPrice: 0, size: 2, expireTs: 0 });
        else commands.push({ kind: "submit", id: id + 2 * maxId, side: Side.SELL, type: 0, tif: 1, flags: 0, price: p, stopPrice: 0, size: 1 + (p % 20), expireTs: 0 });
      }
      return commands;
    });
  // Long streams shrink slowly: report the first failing stream as it is.
  runDifferential({ maxId: 3 * maxId, minPrice: 0, maxPrice: 0, maxSize: 0, full: false }, 512, 15, stream, true);
}, 30000);

test("the fast book matches the naive book on moves and replaces that mostly take nothing", () => {
  const maxId = 60;
  // Resting bids below 100 and asks above it, some post-only, then a stream where most commands move
  // or re-size an order a few ticks within its side (levels empty and new ones open, across page
  // edges at 96 and 128), a few move through the spread (those take, or are refused if post-only),
  // and stop-triggering trades sit beside them.
  const stream = fc
    .tuple(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 9 }), fc.boolean()), { minLength: maxId, maxLength: maxId }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: maxId }), fc.integer({ min: 0, max: 19 }), fc.integer({ min: -8, max: 8 }), fc.integer({ min: 1, max: 12 })), { minLength: 40, maxLength: 160, size: "max" }),
    )
    .map(([orders, later]) => {
      const commands: Command[] = [];
      const at = new Map<number, number>();
      orders.forEach(([buy, off, size, postOnly], k) => {
        const price = buy ? 100 - off : 100 + off;
        at.set(k + 1, price);
        commands.push({ kind: "submit", id: k + 1, side: buy ? Side.BUY : Side.SELL, type: 0, tif: 0, flags: postOnly ? 1 : 0, price, stopPrice: 0, size, expireTs: 0 });
      });
      for (const [id, what, step, size] of later) {
        const price = (at.get(id) ?? 100) + step;
        if (what < 12) commands.push({ kind: "move", id, price });
        else if (what < 16) commands.push({ kind: "replace", id, price, size });
        else if (what === 16) commands.push({ kind: "move", id, price: orders[id - 1][0] ? 100 + step * step : 100 - step * step });
        else if (what === 17) commands.push({ kind: "cancel", id });
        else commands.push({ kind: "submit", id: id + maxId, side: what === 18 ? Side.BUY : Side.SELL, type: 2, tif: 0, flags: 0, price: 0, stopPrice: 100, size: 1 + (size % 3), expireTs: 0 });
        at.set(id, price);
      }
      return commands;
    });
  runDifferential({ maxId: 2 * maxId, minPrice: 0, maxPrice: 0, maxSize: 0, full: false }, 256, 40, stream, true);
}, 30000);
