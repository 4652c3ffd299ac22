/**
 * Test helpers: a sink that records every book event as a tuple, a random command model for
 * fast-check, and a function that applies one command to any `OrderBook`.
 */
import fc from "fast-check";
import type { Side } from "../codes.ts";
import type { BookSink, OrderBook } from "../types.ts";

/** One recorded event: ["fill", maker, taker, price, size, makerDone, takerDone] etc. */
export type BookEvent = readonly (string | number | boolean)[];

/** A sink that appends every event to `events`. */
export class RecordingSink implements BookSink {
  events: BookEvent[] = [];
  onFill(makerId: number, takerId: number, price: number, size: number, makerDone: boolean, takerDone: boolean): void {
    this.events.push(["fill", makerId, takerId, price, size, makerDone, takerDone]);
  }
  onTrigger(orderId: number): void {
    this.events.push(["trigger", orderId]);
  }
  onDone(orderId: number, remaining: number, reason: number): void {
    this.events.push(["done", orderId, remaining, reason]);
  }
  /** Returns the events recorded since the last call and forgets them. */
  take(): BookEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }
}

/** A book command as plain data. */
export type Command =
  | { kind: "submit"; id: number; side: Side; type: number; tif: number; flags: number; price: number; stopPrice: number; size: number; expireTs: number }
  | { kind: "cancel"; id: number }
  | { kind: "reduce"; id: number; by: number }
  | { kind: "replace"; id: number; price: number; size: number }
  | { kind: "move"; id: number; price: number }
  | { kind: "expire"; now: number }
  | { kind: "session"; end: number };

/** Shape of the random streams: ids, prices and sizes drawn from small ranges so orders collide. */
export interface CommandModel {
  readonly maxId: number;
  readonly minPrice: number;
  readonly maxPrice: number;
  readonly maxSize: number;
  /** Include stop orders, expiries and session changes. */
  readonly full: boolean;
}

/** Returns a fast-check arbitrary of commands under `m`. */
export function commandArb(m: CommandModel): fc.Arbitrary<Command> {
  const id = fc.integer({ min: 1, max: m.maxId });
  const price = fc.integer({ min: m.minPrice, max: m.maxPrice });
  const size = fc.integer({ min: 1, max: m.maxSize });
  const side = fc.constantFrom<Side>(1, -1);
  const submit = fc.record({
    kind: fc.constant("submit" as const),
    id,
    side,
    type: m.full ? fc.constantFrom(0, 0, 0, 0, 1, 2, 3) : fc.constantFrom(0, 0, 0, 0, 1),
    tif: m.full ? fc.constantFrom(0, 0, 0, 1, 2, 3, 4) : fc.constantFrom(0, 0, 0, 1, 2),
    flags: fc.constantFrom(0, 0, 0, 1),
    price,
    stopPrice: price,
    size,
    expireTs: fc.integer({ min: 0, max: 20 }),
  });
  const arbs: fc.Arbitrary<Command>[] = [
    submit,
    submit,
    submit,
    fc.record({ kind: fc.constant("cancel" as const), id }),
    fc.record({ kind: fc.constant("reduce" as const), id, by: size }),
    fc.record({ kind: fc.constant("replace" as const), id, price, size }),
    fc.record({ kind: fc.constant("move" as const), id, price }),
  ];
  if (m.full) {
    arbs.push(fc.record({ kind: fc.constant("expire" as const), now: fc.integer({ min: 0, max: 20 }) }));
    arbs.push(fc.record({ kind: fc.constant("session" as const), end: fc.integer({ min: 0, max: 20 }) }));
  }
  return fc.oneof(...arbs);
}

/** Applies `c` to `book`; returns the command's result (for expire: the number expired). */
export function applyCommand(book: OrderBook, c: Command): number {
  switch (c.kind) {
    case "submit":
      return book.submit(c.id, c.side, c.type, c.tif, c.flags, c.price, c.stopPrice, c.size, c.expireTs);
    case "cancel":
      return book.cancel(c.id);
    case "reduce":
      return book.reduce(c.id, c.by);
    case "replace":
      return book.replace(c.id, c.price, c.size);
    case "move":
      return book.move(c.id, c.price);
    case "expire":
      return book.expire(c.now);
    case "session":
      book.setSessionEnd(c.end);
      return 0;
  }
}

/** Reads every level of `side` (up to 1,000) as [price, size, count, ...ids in queue order]. */
export function snapshotSide(book: OrderBook, side: Side): number[][] {
  const prices = new Float64Array(1000);
  const sizes = new Float64Array(1000);
  const counts = new Int32Array(1000);
  const ids = new Float64Array(1000);
  const n = book.depth(side, 1000, prices, sizes, counts);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = book.ordersAt(side, prices[i], ids);
    out.push([prices[i], sizes[i], counts[i], ...ids.subarray(0, k)]);
  }
  return out;
}
