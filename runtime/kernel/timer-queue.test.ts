import { expect, test } from "bun:test";
import fc from "fast-check";
import { TimerQueue } from "./timer-queue.ts";

test("timers pop in (ts, scheduling order) order, whatever the interleaving of pushes and pops", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
      const q = new TimerQueue(2);
      const model: { ts: number; seq: number }[] = [];
      const fired: number[] = [];
      const expected: number[] = [];
      let seq = 0;
      for (const op of ops) {
        if (op >= 0) {
          const id = seq++;
          q.push(op, () => fired.push(id));
          model.push({ ts: op, seq: id });
        } else if (model.length > 0) {
          model.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
          expected.push(model.shift()!.seq);
          q.pop()!();
        }
        expect(q.size).toBe(model.length);
      }
      expect(fired).toEqual(expected);
    }),
  );
});

test("registered handlers and one-off closures share one (ts, scheduling order) order, and handlers get their argument", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }), fc.boolean(), (ops, usePop) => {
      const q = new TimerQueue(2);
      const fired: number[] = [];
      const h = q.register((arg) => fired.push(arg));
      const model: { ts: number; seq: number }[] = [];
      const expected: number[] = [];
      let seq = 0;
      for (const op of ops) {
        if (op >= 0) {
          const id = seq++;
          if (id % 2 === 0) q.pushCall(op, h, id);
          else q.push(op, () => fired.push(id));
          model.push({ ts: op, seq: id });
        } else if (model.length > 0) {
          model.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
          expected.push(model.shift()!.seq);
          if (usePop) q.pop()!();
          else expect(q.runNext()).toBe(true);
        }
        expect(q.size).toBe(model.length);
      }
      expect(fired).toEqual(expected);
      if (model.length === 0) expect(q.runNext()).toBe(false);
    }),
  );
});

test("a timer scheduled by a running timer for the same time runs after those already due then", () => {
  const q = new TimerQueue(2);
  const order: string[] = [];
  const h = q.register((arg) => {
    order.push(`h${arg}`);
    if (arg === 1) q.push(5, () => order.push("late"));
  });
  q.pushCall(5, h, 1);
  q.pushCall(5, h, 2);
  q.push(5, () => order.push("c3"));
  while (q.runNext());
  expect(order).toEqual(["h1", "h2", "c3", "late"]);
});

test("an unknown handler id is refused with the id named", () => {
  const q = new TimerQueue();
  expect(() => q.pushCall(1, 3, 0)).toThrow("TIMER_UNKNOWN_HANDLER: handler=3 registered=0");
});
