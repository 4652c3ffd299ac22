/** Property tests of the book's building blocks against plain JavaScript collections. */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { ExpiryHeap } from "./expiry-heap.ts";
import { IdIndex } from "./id-index.ts";
import { NIL, OrderPool } from "./order-pool.ts";
import { LevelPool } from "./level-pool.ts";
import { PagePool } from "./page-pool.ts";
import { PriceLadder } from "./price-ladder.ts";
import { SideLevels } from "./side-levels.ts";

test("the id index agrees with a Map under random inserts and deletes, large ids included", () => {
  const idArb = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(2 ** 40, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 31));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), idArb), { maxLength: 300, size: "max" }), (ops) => {
      const index = new IdIndex(80);
      const ref = new Map<number, number>();
      ops.forEach(([insert, id], k) => {
        if (insert && !ref.has(id)) {
          index.set(id, k);
          ref.set(id, k);
        } else if (!insert) {
          index.delete(id);
          ref.delete(id);
        }
        for (const [key, v] of ref) expect(index.get(key)).toBe(v);
        expect(index.get(id)).toBe(ref.get(id) ?? -1);
      });
    }),
    { numRuns: 200 },
  );
});

test("the id index agrees with a Map when full of consecutive ids, across the 2^32 boundary and below zero", () => {
  fc.assert(
    fc.property(fc.constantFrom(0, 2 ** 32 - 40, 2 ** 21 - 30, -50, 2 ** 52), fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), (start, order) => {
      // 64 entries in a 128-slot table: the most it is sized for, in runs that share home blocks.
      const index = new IdIndex(64);
      const ref = new Map<number, number>();
      for (let k = 0; k < 64; k++) {
        index.set(start + k, k);
        ref.set(start + k, k);
      }
      for (const r of order) {
        const live = [...ref.keys()];
        const id = live[r % live.length];
        index.delete(id);
        ref.delete(id);
        const back = start + 64 + (r % 16);
        if (!ref.has(back)) {
          index.set(back, r);
          ref.set(back, r);
        }
        for (const [key, v] of ref) expect(index.get(key)).toBe(v);
        expect(index.get(id)).toBe(ref.get(id) ?? -1);
      }
    }),
    { numRuns: 60 },
  );
});

test("a price ladder keeps its prices sorted worst to best on both orientations", () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 200, size: "max" }), (higherIsBetter, ops) => {
      const ladder = new PriceLadder(64, higherIsBetter);
      const ref = new Set<number>();
      for (const p of ops) {
        const at = ladder.find(p);
        expect(at >= 0).toBe(ref.has(p));
        if (at >= 0) {
          ladder.removeAt(at);
          ref.delete(p);
        } else {
          ladder.insertAt(-at - 1, p, p + 100);
          ref.add(p);
        }
        const want = [...ref].sort((a, b) => (higherIsBetter ? a - b : b - a));
        const got = Array.from({ length: ladder.size }, (_, i) => ladder.priceAt(i));
        expect(got).toEqual(want);
        expect(Array.from(ladder.levels.subarray(0, ladder.size))).toEqual(want.map((x) => x + 100));
      }
    }),
    { numRuns: 200 },
  );
});

test("the expiry heap pops by expiry then id, and removals anywhere keep it ordered", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 10 })), { maxLength: 200, size: "max" }), (ops) => {
      const pool = new OrderPool(32);
      const heap = new ExpiryHeap(pool);
      const live: number[] = [];
      let nextId = 0;
      for (const [op, v] of ops) {
        if (op === 0 && live.length < 32) {
          const h = pool.alloc();
          pool.id[h] = nextId++;
          pool.expireTs[h] = v;
          heap.push(h);
          live.push(h);
        } else if (op === 1 && live.length > 0) {
          const h = live.splice(v % live.length, 1)[0];
          heap.remove(h);
          expect(pool.heapPos[h]).toBe(NIL);
          pool.release(h);
        } else if (op === 2 && live.length > 0) {
          const best = [...live].sort((a, b) => pool.expireTs[a] - pool.expireTs[b] || pool.id[a] - pool.id[b])[0];
          expect(heap.top()).toBe(best);
        }
        expect(heap.size).toBe(live.length);
      }
    }),
    { numRuns: 200 },
  );
});

test("a side's levels agree with a sorted set of prices across pages, negative and huge prices included", () => {
  const priceArb = fc.oneof(
    fc.integer({ min: -70, max: 70 }),
    fc.constantFrom(-33, -32, -31, -1, 0, 31, 32, 63, 64, 2 ** 40, 2 ** 40 + 31, Number.MAX_SAFE_INTEGER - 1, -Number.MAX_SAFE_INTEGER + 1),
  );
  fc.assert(
    fc.property(fc.boolean(), fc.array(fc.tuple(fc.boolean(), priceArb), { maxLength: 200, size: "max" }), (higherIsBetter, ops) => {
      const capacity = 64;
      const orders = new OrderPool(capacity);
      const levels = new LevelPool(capacity, orders);
      const pages = new PagePool(capacity, capacity);
      // A second side on the same pages, holding the same prices, must not disturb the first.
      const side = new SideLevels(capacity, higherIsBetter, levels, pages, 1);
      const other = new SideLevels(capacity, !higherIsBetter, levels, pages, 2);
      const ref = new Map<number, number[]>();
      for (const [add, price] of ops) {
        const queue = ref.get(price);
        if (add && orders.used < capacity - 1) {
          const h = orders.alloc();
          orders.remaining[h] = 1;
          side.append(h, price);
          const g = orders.alloc();
          orders.remaining[g] = 1;
          other.append(g, price);
          other.remove(g, orders.level[g]);
          orders.release(g);
          ref.set(price, [...(queue ?? []), h]);
        } else if (!add && queue !== undefined) {
          const h = queue[0];
          side.remove(h, orders.level[h]);
          orders.release(h);
          if (queue.length === 1) ref.delete(price);
          else ref.set(price, queue.slice(1));
        }
        const want = [...ref.keys()].sort((a, b) => (higherIsBetter ? b - a : a - b));
        const got: number[] = [];
        for (let l = side.best(); l !== NIL; l = side.worse(l)) got.push(levels.price[l]);
        expect(got).toEqual(want);
        expect(other.best()).toBe(NIL);
        for (const p of [price, ...want]) {
          const l = side.levelAt(p);
          expect(l === NIL ? 0 : levels.count[l]).toBe(ref.get(p)?.length ?? 0);
        }
      }
    }),
    { numRuns: 200 },
  );
});
