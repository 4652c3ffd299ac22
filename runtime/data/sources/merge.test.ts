import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ArraySource } from "./array-source.ts";
import { MergeHeap } from "./merge-heap.ts";
import { mergeSources } from "./merge.ts";
import { MarketEventKind, newMarketEvent, type MarketEvent } from "./market-source.ts";
import { createSyntheticMarket, syntheticInstruments } from "./synthetic/index.ts";

const quoteAt = (ts: number, instrument: number): MarketEvent => ({ ...newMarketEvent(), kind: MarketEventKind.Quote, ts, instrument, bid: 1, ask: 2 });

describe("merging sources", () => {
  test("the merge heap yields slots in (ts, slot) order whatever the updates", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }), { minLength: 1, maxLength: 9 }), (lists) => {
        const sorted = lists.map((l) => [...l].sort((a, b) => a - b));
        const heap = new MergeHeap(sorted.length);
        const at = sorted.map(() => 0);
        sorted.forEach((l, i) => heap.set(i, l.length > 0 ? l[0] : Infinity));
        const got: [number, number][] = [];
        while (heap.topTs() !== Infinity) {
          const s = heap.top();
          got.push([heap.keyOf(s), s]);
          at[s]++;
          heap.set(s, at[s] < sorted[s].length ? sorted[s][at[s]] : Infinity);
        }
        const expected = sorted.flatMap((l, s) => l.map((ts) => [ts, s] as [number, number])).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(got).toEqual(expected);
      }),
    );
  });

  test("merged events come in ts order, ties in source order, and none is lost", () => {
    const a = new ArraySource([quoteAt(1, 0), quoteAt(5, 0), quoteAt(5, 0), quoteAt(9, 0)], "a");
    const b = new ArraySource([quoteAt(0, 1), quoteAt(5, 1), quoteAt(7, 1)], "b");
    const c = new ArraySource([quoteAt(5, 2)], "c");
    const merged = mergeSources([a, b, c]);
    expect(merged.name).toBe("merge(a,b,c)");
    const ev = newMarketEvent();
    const seen: string[] = [];
    while (merged.next(ev)) seen.push(`${ev.ts}:${ev.instrument}`);
    expect(seen).toEqual(["0:1", "1:0", "5:0", "5:0", "5:1", "5:2", "7:1", "9:0"]);
    expect(merged.peekTs()).toBe(Infinity);
  });

  test("two synthetic markets on disjoint pairs merge into one ordered stream with every event", () => {
    const all = syntheticInstruments("sim");
    const left = createSyntheticMarket({ seed: 1, instruments: all.slice(0, 7), maxEvents: 20_000, tradeProbability: 0.1 });
    const right = createSyntheticMarket({ seed: 2, instruments: all.slice(7), maxEvents: 30_000 });
    const merged = mergeSources([left, right]);
    const ev = newMarketEvent();
    let n = 0, prev = -Infinity, low = 0;
    while (merged.next(ev)) {
      if (ev.ts < prev) throw new Error("merged ts went back");
      prev = ev.ts;
      if (ev.instrument < 7) low++;
      n++;
    }
    expect(n).toBe(50_000);
    expect(low).toBe(20_000);
    expect(merged.errorCount).toBe(0);
  });

  test("out-of-order input is passed through and counted by its source", () => {
    const merged = mergeSources([new ArraySource([quoteAt(3, 0), quoteAt(2, 0)]), new ArraySource([quoteAt(1, 1)])]);
    const ev = newMarketEvent();
    const seen: number[] = [];
    while (merged.next(ev)) seen.push(ev.ts);
    expect(seen).toEqual([1, 3, 2]);
    expect(merged.errorCount).toBe(1);
  });
});
