/**
 * The context mirror written with the runtime's change counts (order slots rewritten only after an
 * order change, an instrument's book and features only after its market event, positions only after
 * a position change; words stored only when they differ) holds, byte for byte, what a full write of every
 * word holds, over random sequences of orders, reports, cancels, evictions, quotes and features;
 * its instrument records equal a first write into a zeroed region, bit for bit.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { OrderIntent } from "../../../plugins/sdk/orders.ts";
import type { StrategyContext } from "../../../plugins/sdk/strategy.ts";
import { Oms } from "../../execution/oms.ts";
import type { Order } from "../../execution/order.ts";
import { RuntimeStrategyContext, type StrategyServices } from "../../strategy/context.ts";
import { H_OPEN, HEADER_WORDS, MIRROR_BYTES, ORDERS_AT } from "./mirror-layout.ts";
import { MirrorWriter } from "./mirror-writer.ts";

const instruments: Instrument[] = [0, 1].map((id) => ({ id, symbol: `I${id}`, venue: "sim", base: "B", quote: "Q", priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1 }));
const cause = { event: 1, version: "1.0.0", features: 0 };

/** A session's worth of state behind two contexts: one tells the OMS's change count, one does not. */
function world(retain: number) {
  const oms = new Oms(retain);
  const books = instruments.map((i) => ({ instrument: i.id, ts: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0, mid2: 0, valid: false }));
  const features = instruments.map(() => new Float64Array(4).fill(Number.NaN));
  const positions = [0, 0];
  // What the runtime counts: market events per instrument, and position changes.
  const seq = [0, 0];
  let positionChanges = 0;
  const services = (epoch: boolean): StrategyServices => ({
    now: () => 0,
    book: (i) => books[i]!,
    featureIndex: () => 0,
    features: (i) => features[i]!,
    positionOf: (_s, i) => positions[i]!,
    signal: () => Number.NaN,
    openOrdersOf: (s) => [...oms.openOrders()].filter((o) => o.strategy === s),
    orderOf: (s, id) => {
      const o = oms.get(id);
      return o !== undefined && o.strategy === s ? o : undefined;
    },
    submit: () => 0,
    cancel: () => {},
    cancelAll: () => {},
    setTimer: () => {},
    log: () => {},
    tradingState: () => "active",
    ...(epoch ? { ordersEpoch: () => oms.changes, marketSeq: (i: number) => seq[i]!, positionsEpoch: () => positionChanges } : {}),
  });
  const ctx = (epoch: boolean): StrategyContext => new RuntimeStrategyContext("s", {} as never, instruments, services(epoch));
  return {
    oms, books, features, positions, withEpoch: ctx(true), without: ctx(false),
    marketEvent: (i: number) => void seq[i]!++,
    positionChanged: () => void positionChanges++,
  };
}

const op = fc.oneof(
  fc.record({ k: fc.constant("create" as const), mine: fc.boolean(), side: fc.constantFrom(1 as const, -1 as const), price: fc.integer({ min: 1, max: 200 }), size: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ k: fc.constantFrom("accept" as const, "cancelReq" as const, "cancel" as const, "reject" as const, "expire" as const), which: fc.nat() }),
  fc.record({ k: fc.constant("fill" as const), which: fc.nat(), size: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ k: fc.constant("replace" as const), which: fc.nat(), price: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ k: fc.constant("quote" as const), i: fc.integer({ min: 0, max: 1 }), bid: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ k: fc.constant("feature" as const), i: fc.integer({ min: 0, max: 1 }), j: fc.integer({ min: 0, max: 3 }), v: fc.oneof(fc.double(), fc.constant(0), fc.constant(-0)) }),
  fc.record({ k: fc.constant("position" as const), i: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ k: fc.constant("note" as const), which: fc.nat() }),
);

test("the mirror written after order changes only equals a full write of every word, byte for byte", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 120 }), (retain, ops) => {
      const w = world(retain);
      const a = new SharedArrayBuffer(MIRROR_BYTES);
      const b = new SharedArrayBuffer(MIRROR_BYTES);
      const fast = new MirrorWriter(a, 0, w.withEpoch);
      const full = new MirrorWriter(b, 0, w.without);
      const made: Order[] = [];
      const pick = (n: number) => made[n % Math.max(1, made.length)];
      let ts = 1;
      for (const o of ops) {
        ts++;
        const order = made.length === 0 ? undefined : pick("which" in o ? o.which : 0);
        switch (o.k) {
          case "create": {
            const intent: OrderIntent = { instrument: made.length % 2, side: o.side, type: "limit", price: o.price, size: o.size };
            made.push(w.oms.create(o.mine ? "s" : "t", intent, ts, cause));
            break;
          }
          case "accept":
            if (order !== undefined) w.oms.apply({ kind: "accepted", orderId: order.id, ts });
            break;
          case "cancelReq":
            if (order !== undefined) w.oms.requestCancel(order.id, ts);
            break;
          case "cancel":
            if (order !== undefined) w.oms.apply({ kind: "canceled", orderId: order.id, ts, reason: `canceled at ${ts}` });
            break;
          case "expire":
            if (order !== undefined) w.oms.apply({ kind: "expired", orderId: order.id, ts });
            break;
          case "reject":
            if (order !== undefined && order.status === "pending") w.oms.rejectNew(order, `RISK_${ts}`, ts);
            break;
          case "fill":
            if (order !== undefined) w.oms.apply({ kind: "fill", orderId: order.id, ts, price: order.price, size: o.size, fee: 0, liquidity: "maker" });
            break;
          case "replace":
            if (order !== undefined) w.oms.apply({ kind: "replaced", orderId: order.id, ts, price: o.price, size: order.size });
            break;
          case "quote":
            Object.assign(w.books[o.i]!, { ts, bid: o.bid, ask: o.bid + 2, bidSize: 5, askSize: 6, mid2: 2 * o.bid + 2, valid: true });
            w.marketEvent(o.i);
            break;
          case "feature":
            w.features[o.i]![o.j] = o.v;
            w.marketEvent(o.i);
            break;
          case "position":
            w.positions[o.i] = o.v;
            w.positionChanged();
            break;
          case "note": {
            const id = order?.id ?? 0;
            fast.noteOrder(id);
            full.noteOrder(id);
            break;
          }
        }
        fast.write(w.withEpoch);
        full.write(w.without);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        // The instrument records and the header's own words equal a first write into a zeroed region.
        const c = new SharedArrayBuffer(MIRROR_BYTES);
        new MirrorWriter(c, 0, w.withEpoch).write(w.withEpoch);
        expect(Buffer.from(a, HEADER_WORDS * 8, (ORDERS_AT - HEADER_WORDS) * 8).equals(Buffer.from(c, HEADER_WORDS * 8, (ORDERS_AT - HEADER_WORDS) * 8))).toBe(true);
        expect([...new Float64Array(a, 0, H_OPEN)]).toEqual([...new Float64Array(c, 0, H_OPEN)]);
      }
    }),
    { numRuns: 300 },
  );
});

test("with no order change since the last write, the order slots are not rewritten", () => {
  const w = world(10);
  const a = new SharedArrayBuffer(MIRROR_BYTES);
  const writer = new MirrorWriter(a, 0, w.withEpoch);
  const o = w.oms.create("s", { instrument: 0, side: 1, type: "limit", price: 100, size: 5 }, 1, cause);
  writer.write(w.withEpoch);
  const before = Buffer.from(new Uint8Array(a).slice());
  // A change the OMS does not count (never done outside the OMS) is not seen: the skip is real.
  (o as { price: number }).price = 101;
  writer.write(w.withEpoch);
  expect(Buffer.from(a).equals(before)).toBe(true);
  // A counted change is.
  w.oms.apply({ kind: "accepted", orderId: o.id, ts: 2 });
  writer.write(w.withEpoch);
  expect(Buffer.from(a).equals(before)).toBe(false);
});
