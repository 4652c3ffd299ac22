import { expect, test } from "bun:test";
import fc from "fast-check";
import { L2Book } from "./l2-book.ts";

test("levels stay sorted best-first and deltas set, replace and remove them", () => {
  const b = new L2Book();
  b.apply(1, 100, 5);
  b.apply(1, 102, 1);
  b.apply(1, 101, 2);
  b.apply(-1, 105, 3);
  b.apply(-1, 103, 4);
  expect([...b.bids.prices.subarray(0, b.bids.count)]).toEqual([102, 101, 100]);
  expect([...b.asks.prices.subarray(0, b.asks.count)]).toEqual([103, 105]);
  b.apply(1, 102, 0);
  b.apply(1, 101, 7);
  expect(b.bids.bestPrice()).toBe(101);
  expect(b.bids.bestSize()).toBe(7);
  expect(b.uncrossed).toBe(true);
});

test("the book equals a map of the last size per price after any delta stream", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(1, -1), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 5 })), { maxLength: 500 }), (deltas) => {
      const b = new L2Book();
      const model = { 1: new Map<number, number>(), [-1]: new Map<number, number>() } as Record<number, Map<number, number>>;
      for (const [side, price, size] of deltas) {
        b.apply(side, price, size);
        if (size === 0) model[side]!.delete(price);
        else model[side]!.set(price, size);
      }
      const bids = [...model[1]!.entries()].sort((x, y) => y[0] - x[0]);
      const asks = [...model[-1]!.entries()].sort((x, y) => x[0] - y[0]);
      expect(b.bids.count).toBe(bids.length);
      expect(b.asks.count).toBe(asks.length);
      bids.forEach(([p, s], i) => {
        expect(b.bids.prices[i]).toBe(p);
        expect(b.bids.sizes[i]).toBe(s);
      });
      asks.forEach(([p, s], i) => {
        expect(b.asks.prices[i]).toBe(p);
        expect(b.asks.sizes[i]).toBe(s);
      });
    }),
  );
});
