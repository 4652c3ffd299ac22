import { describe, expect, test } from "bun:test";
import { DepthBook } from "./depth-book.ts";
import { DepthSync, type Diff } from "./depth-sync.ts";

const diff = (first: number, last: number, bids: number[] = [], asks: number[] = [], prev = -1): Diff => ({ first, last, prev, bids, asks });
const snap = (lastUpdateId: number) => ({ lastUpdateId, bids: [100, 5, 99, 3], asks: [101, 4, 102, 2] });

describe("spot depth sync", () => {
  test("diffs before the snapshot are buffered, those it contains are dropped, the straddling one and its successors applied", () => {
    const s = new DepthSync(new DepthBook(), false);
    expect(s.onDiff(diff(10, 12, [100, 0]))).toBe("buffered");
    expect(s.onDiff(diff(13, 15, [98, 1]))).toBe("buffered");
    expect(s.onDiff(diff(16, 18, [], [101, 9]))).toBe("buffered");
    expect(s.onSnapshot(snap(14))).toBe("synced");
    // 10..12 is stale; 13..15 straddles 15; 16..18 follows.
    expect(s.stale).toBe(1);
    expect(s.book.lastId).toBe(18);
    expect(s.book.bids.sizeAt(100)).toBe(5);
    expect(s.book.bids.sizeAt(98)).toBe(1);
    expect(s.book.asks.sizeAt(101)).toBe(9);
    expect(s.onDiff(diff(19, 19, [100, 0]))).toBe("applied");
    expect(s.book.bestBid()).toBe(99);
  });

  test("a snapshot older than the first buffered diff is refused so that another is fetched", () => {
    const s = new DepthSync(new DepthBook(), false);
    s.onDiff(diff(20, 25));
    expect(s.onSnapshot(snap(19))).toBe("too-old");
    expect(s.state).toBe("buffering");
    expect(s.onSnapshot(snap(22))).toBe("synced");
  });

  test("a diff that skips ids is a gap: the book is discarded and buffering starts again", () => {
    const s = new DepthSync(new DepthBook(), false);
    s.onSnapshot(snap(10));
    expect(s.onDiff(diff(11, 12))).toBe("applied");
    expect(s.onDiff(diff(14, 15))).toBe("gap");
    expect(s.state).toBe("buffering");
    expect(s.book.bids.count).toBe(0);
    expect(s.onDiff(diff(16, 17))).toBe("buffered");
  });

  test("a duplicated diff is stale and changes nothing", () => {
    const s = new DepthSync(new DepthBook(), false);
    s.onSnapshot(snap(10));
    s.onDiff(diff(11, 12, [100, 7]));
    expect(s.onDiff(diff(11, 12, [100, 7]))).toBe("stale");
    expect(s.book.lastId).toBe(12);
  });
});

describe("futures depth sync", () => {
  test("the first diff straddles the snapshot id and each later one names the previous u as pu", () => {
    const s = new DepthSync(new DepthBook(), true);
    s.onDiff(diff(5, 9, [], [], 4));
    s.onDiff(diff(10, 14, [97, 1], [], 9));
    expect(s.onSnapshot(snap(12))).toBe("synced");
    expect(s.book.lastId).toBe(14);
    expect(s.onDiff(diff(15, 20, [], [], 14))).toBe("applied");
    expect(s.onDiff(diff(22, 25, [], [], 21))).toBe("gap");
  });
});

describe("book arrays", () => {
  test("levels stay sorted with the best first through inserts, updates and removals", () => {
    const b = new DepthBook();
    for (const p of [5, 9, 1, 7, 3]) b.bids.set(p, p * 10);
    for (const p of [5, 9, 1, 7, 3]) b.asks.set(p, p * 10);
    expect([...b.bids.prices.subarray(0, b.bids.count)]).toEqual([9, 7, 5, 3, 1]);
    expect([...b.asks.prices.subarray(0, b.asks.count)]).toEqual([1, 3, 5, 7, 9]);
    b.bids.set(9, 0);
    b.bids.set(4, 1);
    b.bids.set(42, 0);
    expect([...b.bids.prices.subarray(0, b.bids.count)]).toEqual([7, 5, 4, 3, 1]);
    expect(b.bestBidSize()).toBe(70);
    for (let i = 0; i < 5000; i++) b.asks.set(100 + i, 1);
    expect(b.asks.count).toBe(5005);
    expect(b.bestAsk()).toBe(1);
  });
});
