import { expect, test } from "bun:test";
import { WindowedLatency } from "./windowed-latency.ts";

const S = 1e9; // one second in ns

test("values older than the window drop out of the percentiles; recent ones stay", () => {
  const w = new WindowedLatency(3, 1000); // a 3-second window of 1-second slices
  const t0 = 1_000 * S;
  for (let i = 0; i < 100; i++) w.record(1_000_000, t0 + i); // 1 ms values at the start
  expect(w.summary(t0 + S / 2).p99).toBeGreaterThan(900_000);
  for (let i = 0; i < 100; i++) w.record(1_000, t0 + 1.5 * S + i); // 1 µs values a little later
  const both = w.summary(t0 + 2 * S);
  expect(both.count).toBe(200);
  expect(both.max).toBe(1_000_000);
  // Past three seconds the 1 ms values are gone: p99 and max come from the 1 µs ones only.
  const later = w.summary(t0 + 3.2 * S);
  expect(later.count).toBe(100);
  expect(later.max).toBe(1_000);
  expect(later.p99).toBeLessThanOrEqual(1_000);
  expect(later.windowSeconds).toBe(3);
});

test("a pause longer than the window clears everything; a bad shape is refused", () => {
  const w = new WindowedLatency(2, 500);
  w.record(5_000, 10 * S);
  expect(w.summary(10 * S).count).toBe(1);
  expect(w.summary(60 * S).count).toBe(0);
  w.record(7_000, 60 * S + 1);
  expect(w.summary(60 * S + 2).p50).toBeGreaterThanOrEqual(6_900);
  expect(() => new WindowedLatency(0, 500)).toThrow("slices=0");
});
