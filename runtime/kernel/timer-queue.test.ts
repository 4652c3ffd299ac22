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
