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
