import { expect, test } from "bun:test";
import { ArraySource } from "../data/sources/array-source.ts";
import { newMarketEvent } from "../data/sources/market-source.ts";
import { EventLoop } from "./event-loop.ts";

const quoteAt = (ts: number) => ({ ...newMarketEvent(), ts, bid: ts, ask: ts + 1 });

test("registered handlers and closures run by (ts, scheduling order), before a market event of the same ts, and a past ts runs now", () => {
  const loop = new EventLoop([new ArraySource([quoteAt(10), quoteAt(20)])]);
  const seen: string[] = [];
  loop.attach({ onMarket: (ev) => seen.push(`q${ev.ts}@${loop.clock.now()}`) });
  const h = loop.registerTimer((arg) => {
    seen.push(`h${arg}@${loop.clock.now()}`);
    // Scheduled while running: a past time runs at the current time, after what is already due then.
    if (arg === 1) loop.scheduleCall(5, h, 9);
  });
  loop.scheduleCall(20, h, 2);
  loop.schedule(20, () => seen.push(`c@${loop.clock.now()}`));
  loop.scheduleCall(10, h, 1);
  loop.scheduleCall(20, h, 3);
  loop.runUntil(Infinity);
  expect(seen).toEqual(["h1@10", "h9@10", "q10@10", "h2@20", "c@20", "h3@20", "q20@20"]);
  expect(loop.timerEvents).toBe(5);
  expect(loop.marketEvents).toBe(2);
  expect(loop.exhausted).toBe(true);
});
