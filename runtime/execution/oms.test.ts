import { expect, test } from "bun:test";
import fc from "fast-check";
import type { OrderStatus } from "../../plugins/sdk/orders.ts";
import { isTerminal } from "../../plugins/sdk/orders.ts";
import type { ExecutionReport } from "../../plugins/sdk/venue.ts";
import { Oms } from "./oms.ts";
import { canTransition } from "./order-state.ts";

const cause = { event: 1, version: "1.0.0", features: 1 };
const limitBuy = { instrument: 0, side: 1 as const, type: "limit" as const, price: 100, size: 10 };

test("an order goes pending -> working -> partially-filled -> filled, and fills carry increasing ids", () => {
  const oms = new Oms();
  const o = oms.create("s", limitBuy, 1, cause);
  expect(o.status).toBe("pending");
  expect(oms.apply({ kind: "accepted", orderId: o.id, ts: 2 }).ok).toBe(true);
  expect(o.status).toBe("working");
  const a = oms.apply({ kind: "fill", orderId: o.id, ts: 3, price: 100, size: 4, fee: 1, liquidity: "maker" });
  expect(a.ok && a.fill?.id).toBe(1);
  expect(o.status).toBe("partially-filled");
  const b = oms.apply({ kind: "fill", orderId: o.id, ts: 4, price: 99, size: 6, fee: 1, liquidity: "maker" });
  expect(b.ok && b.fill?.id).toBe(2);
  expect(o.status).toBe("filled");
  expect(o.filled).toBe(10);
  expect(oms.openCount).toBe(0);
});

test("an overfill is refused with the order, size and remaining named, and changes nothing", () => {
  const oms = new Oms();
  const o = oms.create("s", limitBuy, 1, cause);
  oms.apply({ kind: "accepted", orderId: o.id, ts: 2 });
  const r = oms.apply({ kind: "fill", orderId: o.id, ts: 3, price: 100, size: 11, fee: 0, liquidity: "taker" });
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.code).toBe("OMS_OVERFILL");
    expect(r.reason).toBe(`order=${o.id} size=11 remaining=10`);
  }
  expect(o.filled).toBe(0);
  expect(o.status).toBe("working");
});

test("reports after a terminal state are illegal transitions, not silent changes", () => {
  const oms = new Oms();
  const o = oms.create("s", limitBuy, 1, cause);
  oms.apply({ kind: "accepted", orderId: o.id, ts: 2 });
  oms.apply({ kind: "canceled", orderId: o.id, ts: 3, reason: "x" });
  const r = oms.apply({ kind: "fill", orderId: o.id, ts: 4, price: 100, size: 1, fee: 0, liquidity: "maker" });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r).toEqual({ ok: false, code: "OMS_ILLEGAL_TRANSITION", reason: `order=${o.id} from=canceled to=partially-filled report=fill` });
  const e = oms.apply({ kind: "expired", orderId: o.id, ts: 5 });
  expect(e.ok).toBe(false);
  if (!e.ok) expect(e.reason).toContain("from=canceled to=expired");
  expect(oms.apply({ kind: "accepted", orderId: 999, ts: 5 })).toEqual({ ok: false, code: "OMS_UNKNOWN_ORDER", reason: "order=999 report=accepted" });
});

test("a cancel request that the venue refuses puts the order back to working", () => {
  const oms = new Oms();
  const o = oms.create("s", limitBuy, 1, cause);
  oms.apply({ kind: "accepted", orderId: o.id, ts: 2 });
  expect(oms.requestCancel(o.id, 3)).toBe(true);
  expect(o.status).toBe("pending-cancel");
  expect(oms.requestCancel(o.id, 3)).toBe(false);
  oms.apply({ kind: "cancel-rejected", orderId: o.id, ts: 4, reason: "too late" });
  expect(o.status).toBe("working");
});

test("whatever reports arrive, an order never leaves a terminal state and never fills beyond its size", () => {
  const kinds = ["accepted", "rejected", "fill", "canceled", "cancel-rejected", "expired", "replaced"] as const;
  fc.assert(
    fc.property(fc.array(fc.record({ kind: fc.constantFrom(...kinds), size: fc.integer({ min: 1, max: 6 }) }), { maxLength: 30 }), (reports) => {
      const oms = new Oms();
      const o = oms.create("s", limitBuy, 1, cause);
      let terminalAt: OrderStatus | null = null;
      for (const r of reports) {
        const report: ExecutionReport =
          r.kind === "fill"
            ? { kind: "fill", orderId: o.id, ts: 2, price: 100, size: r.size, fee: 0, liquidity: "maker" }
            : r.kind === "replaced"
              ? { kind: "replaced", orderId: o.id, ts: 2, price: 101, size: o.size }
              : r.kind === "accepted" || r.kind === "expired"
                ? { kind: r.kind, orderId: o.id, ts: 2 }
                : { kind: r.kind, orderId: o.id, ts: 2, reason: "r" };
        const before = o.status;
        const res = oms.apply(report);
        if (res.ok && res.changed) expect(canTransition(before, o.status)).toBe(true);
        if (terminalAt !== null) expect(o.status).toBe(terminalAt);
        if (isTerminal(o.status)) terminalAt = o.status;
        expect(o.filled).toBeLessThanOrEqual(o.size);
      }
    }),
  );
});

test("finished orders past the retention are evicted from memory; open ones never are", () => {
  const oms = new Oms(3);
  const open = oms.create("s", limitBuy, 1, cause);
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) {
    const o = oms.create("s", limitBuy, 1, cause);
    oms.rejectNew(o, "RATE_LIMIT: x", 1);
    ids.push(o.id);
  }
  expect(oms.get(open.id)).toBe(open);
  expect(ids.map((id) => oms.get(id) !== undefined)).toEqual([false, false, false, true, true, true]);
  expect(oms.created).toBe(7);
  expect(oms.refused).toBe(6);
});

test("the open orders, the working size per side and a strategy's open orders match a Map kept beside the OMS, through any mix of creates, fills, cancels and rejects", () => {
  const step = fc.record({
    op: fc.constantFrom("create", "create", "fill", "cancel", "reject", "cancel-request"),
    pick: fc.nat(),
    instrument: fc.integer({ min: 0, max: 1 }),
    side: fc.constantFrom(1 as const, -1 as const),
    strategy: fc.constantFrom("a", "b"),
    size: fc.integer({ min: 1, max: 5 }),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 100, maxLength: 400 }), (steps) => {
      const oms = new Oms(50);
      const model = new Map<number, { instrument: number; side: number; strategy: string; remaining: number }>();
      for (const s of steps) {
        const ids = [...model.keys()];
        const id = ids.length === 0 ? 0 : ids[s.pick % ids.length]!;
        if (s.op === "create") {
          const o = oms.create(s.strategy, { instrument: s.instrument, side: s.side, type: "limit", price: 100, size: s.size }, 1, cause);
          oms.apply({ kind: "accepted", orderId: o.id, ts: 1 });
          model.set(o.id, { instrument: s.instrument, side: s.side, strategy: s.strategy, remaining: s.size });
        } else if (id === 0) continue;
        else if (s.op === "fill") {
          const m = model.get(id)!;
          const size = Math.min(s.size, m.remaining);
          expect(oms.apply({ kind: "fill", orderId: id, ts: 2, price: 100, size, fee: 0, liquidity: "maker" }).ok).toBe(true);
          m.remaining -= size;
          if (m.remaining === 0) model.delete(id);
        } else if (s.op === "cancel-request") oms.requestCancel(id, 2);
        else {
          expect(oms.apply(s.op === "cancel" ? { kind: "canceled", orderId: id, ts: 2, reason: "x" } : { kind: "expired", orderId: id, ts: 2 }).ok).toBe(true);
          model.delete(id);
        }
        expect([...oms.openOrders()].map((o) => o.id)).toEqual([...model.keys()]);
        expect(oms.openCount).toBe(model.size);
        for (const inst of [0, 1]) {
          for (const side of [1, -1]) {
            let want = 0;
            for (const m of model.values()) if (m.instrument === inst && m.side === side) want += m.remaining;
            expect(oms.workingSize(inst, side)).toBe(want);
          }
          expect(oms.openOf("a", inst, []).map((o) => o.id)).toEqual([...model.entries()].filter(([, m]) => m.strategy === "a" && m.instrument === inst).map(([k]) => k));
        }
        expect(oms.openOf("b", undefined, []).map((o) => o.id)).toEqual([...model.entries()].filter(([, m]) => m.strategy === "b").map(([k]) => k));
      }
    }),
    { numRuns: 60 },
  );
});

test("an openOrders() walk skips orders finished during it, even when finishing them rebuilds the open list", () => {
  const oms = new Oms();
  const orders = Array.from({ length: 100 }, () => oms.create("s", limitBuy, 1, cause));
  const seen: number[] = [];
  for (const o of oms.openOrders()) {
    seen.push(o.id);
    // Cancel this one and the next two: the holes soon outnumber the open orders and the list is rebuilt.
    for (const x of orders.slice(o.id - 1, o.id + 2)) if (x.openSlot >= 0) oms.apply({ kind: "canceled", orderId: x.id, ts: 2, reason: "x" });
  }
  expect(seen).toEqual(orders.filter((_, i) => i % 3 === 0).map((o) => o.id));
  expect(oms.openCount).toBe(0);
  expect(oms.requestCancel(orders[0]!.id, 3)).toBe(false);
});
