import { expect, test } from "bun:test";
import fc from "fast-check";
import { Order } from "./order.ts";
import { OrderTable } from "./order-table.ts";

const cause = { event: 0, version: "t", features: 0 };
const order = (id: number) => new Order(id, "s", { instrument: 0, side: 1, type: "limit", price: 100, size: 10 }, 0, cause);

test("the table holds, finds and drops the same orders as a map, whatever the ids and the order of operations", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom("set", "set", "delete", "get"), fc.integer({ min: 1, max: 400 })), { maxLength: 600 }),
      fc.constantFrom(1, 64, 256),
      (ops, capacity) => {
        const table = new OrderTable(capacity);
        const model = new Map<number, Order>();
        for (const [op, id] of ops) {
          if (op === "set") {
            const o = order(id);
            table.set(o);
            model.set(id, o);
          } else if (op === "delete") expect(table.delete(id)).toBe(model.delete(id));
          else expect(table.get(id)).toBe(model.get(id));
          expect(table.size).toBe(model.size);
        }
        for (let id = 1; id <= 400; id++) {
          expect(table.get(id)).toBe(model.get(id));
          expect(table.has(id)).toBe(model.has(id));
        }
        expect(table.values()).toEqual([...model.values()].sort((a, b) => a.id - b.id));
      },
    ),
  );
});

test("an old order displaced from its slot by a newer id is still found, and the ring grows past its capacity", () => {
  const table = new OrderTable(64);
  const old = order(3);
  table.set(old);
  for (let id = 4; id <= 67; id++) table.set(order(id));
  expect(table.get(3)).toBe(old);
  expect(table.get(67)!.id).toBe(67);
  for (let id = 68; id <= 1000; id++) table.set(order(id));
  expect(table.size).toBe(998);
  expect(table.get(3)).toBe(old);
  expect(table.values().map((o) => o.id)).toEqual(Array.from({ length: 998 }, (_, i) => i + 3));
});
