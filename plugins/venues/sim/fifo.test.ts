/** The sim venue's ring-buffer queue: order kept across growth and wrap-around; an empty shift is an error. */
import { expect, test } from "bun:test";
import { Fifo } from "./fifo.ts";

test("items come out in the order they went in, across wrap-around and growth", () => {
  const q = new Fifo<number>(4);
  const out: number[] = [];
  let next = 0;
  // Interleave pushes and shifts so the head wraps, then push past capacity so it grows mid-wrap.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < (round % 7) + 1; i++) q.push(next++);
    for (let i = 0; i < (round % 5) && q.size > 0; i++) out.push(q.shift());
  }
  while (q.size > 0) out.push(q.shift());
  expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
});

test("shifting an empty queue throws with a code", () => {
  const q = new Fifo<string>();
  q.push("a");
  expect(q.shift()).toBe("a");
  expect(() => q.shift()).toThrow("FIFO_EMPTY");
});
