/**
 * Property tests of the fast book on random command streams: the book is never crossed, makers
 * are taken in price-time order, quantity is conserved per order, and no fill is worse for the
 * taker than its limit (fills are always at the maker's price).
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { BookResult, NO_ASK, NO_BID, OrderType, Side } from "./codes.ts";
import { L3Book } from "./l3-book.ts";
import { applyCommand, type Command, commandArb, RecordingSink, snapshotSide } from "./testing/recorder.ts";

const FULL = { maxId: 40, minPrice: 95, maxPrice: 105, maxSize: 10, full: true };

function streams(model: typeof FULL) {
  return fc.array(commandArb(model), { minLength: 1, maxLength: 200, size: "max" });
}

/** Runs `commands` on a fresh book and calls `check` after each command with its events and both sides before it. */
function run(commands: Command[], check: (book: L3Book, c: Command, result: number, events: RecordingSink["events"], before: number[][][]) => void): void {
  const sink = new RecordingSink();
  const book = new L3Book({ capacity: 32, sink });
  for (const c of commands) {
    const before = [snapshotSide(book, Side.BUY), snapshotSide(book, Side.SELL)];
    const result = applyCommand(book, c);
    check(book, c, result, sink.take(), before);
  }
}

test("the book is never crossed after a command", () => {
  fc.assert(
    fc.property(streams(FULL), (commands) => {
      run(commands, (book) => {
        const bid = book.bestBid();
        const ask = book.bestAsk();
        if (bid !== NO_BID && ask !== NO_ASK) expect(bid).toBeLessThan(ask);
      });
    }),
    { numRuns: 150 },
  );
}, 20000);

test("a taker (new order, replace, move, triggered stop) takes makers best price first, oldest first at a price", () => {
  fc.assert(
    fc.property(streams(FULL), (commands) => {
      run(commands, (_book, c, _result, events, before) => {
        // The fills of the command's own taker: those before a stop it set off takes over.
        const fills = [];
        for (const e of events) {
          if (e[0] === "trigger" && fills.length > 0) break;
          if (e[0] === "fill") fills.push(e);
        }
        if (c.kind === "cancel" || c.kind === "reduce" || c.kind === "expire" || c.kind === "session") {
          expect(events.filter((e) => e[0] === "fill")).toEqual([]);
          return;
        }
        if (fills.length === 0) return;
        const taker = fills[0][2] as number;
        const takerSide = c.kind === "submit" ? c.side : before[0].some(([, , , ...ids]) => ids.includes(taker)) ? Side.BUY : Side.SELL;
        // The makers in priority order before the command.
        const queue: number[] = [];
        for (const [, , , ...ids] of before[takerSide === Side.BUY ? 1 : 0]) queue.push(...ids);
        fills.forEach((f, k) => {
          expect(f[2]).toBe(taker);
          expect(f[1]).toBe(queue[k]);
          // Every maker but the last one touched is filled completely.
          if (k < fills.length - 1) expect(f[5]).toBe(true);
        });
      });
    }),
    { numRuns: 150 },
  );
}, 20000);

interface Ledger {
  submitted: number;
  filled: number;
  cancelled: number;
  expired: number;
  side: Side;
  limit: number;
}

test("quantity is conserved per order: submitted = filled + resting + cancelled + expired", () => {
  fc.assert(
    fc.property(streams(FULL), (commands) => {
      const ledgers = new Map<number, Ledger>();
      const sink = new RecordingSink();
      const book = new L3Book({ capacity: 32, sink });
      for (const c of commands) {
        const id = c.kind === "expire" || c.kind === "session" ? -1 : c.id;
        const before = id >= 0 ? book.remaining(id) : -1;
        const result = applyCommand(book, c);
        if (c.kind === "submit" && result === BookResult.ACCEPTED) {
          const limit = c.type === OrderType.LIMIT || c.type === OrderType.STOP_LIMIT ? c.price : c.side === Side.BUY ? Infinity : -Infinity;
          ledgers.set(c.id, { submitted: c.size, filled: 0, cancelled: 0, expired: 0, side: c.side, limit });
        } else if (c.kind === "cancel" && result === BookResult.ACCEPTED) ledgers.get(c.id)!.cancelled += before;
        else if (c.kind === "reduce" && result === BookResult.ACCEPTED) ledgers.get(c.id)!.cancelled += c.by;
        else if (c.kind === "replace" && result === BookResult.ACCEPTED) {
          const l = ledgers.get(c.id)!;
          if (c.size > before) l.submitted += c.size - before;
          else l.cancelled += before - c.size;
          l.limit = c.price;
        } else if (c.kind === "move" && result === BookResult.ACCEPTED) ledgers.get(c.id)!.limit = c.price;
        for (const e of sink.take()) {
          if (e[0] === "fill") {
            const [, maker, taker, price, size] = e as [string, number, number, number, number];
            const t = ledgers.get(taker)!;
            const m = ledgers.get(maker)!;
            t.filled += size;
            m.filled += size;
            // Never worse for the taker than its limit; always at the maker's own price.
            if (t.side === Side.BUY) expect(price).toBeLessThanOrEqual(t.limit);
            else expect(price).toBeGreaterThanOrEqual(t.limit);
            expect(price).toBe(m.limit);
          } else if (e[0] === "done") {
            const l = ledgers.get(e[1] as number)!;
            if (e[3] === BookResult.EXPIRED) l.expired += e[2] as number;
            else l.cancelled += e[2] as number;
          }
        }
        for (const [oid, l] of ledgers) {
          const resting = Math.max(0, book.remaining(oid));
          expect(l.filled + resting + l.cancelled + l.expired).toBe(l.submitted);
        }
      }
    }),
    { numRuns: 150 },
  );
}, 20000);
