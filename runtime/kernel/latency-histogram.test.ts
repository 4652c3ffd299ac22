import { expect, test } from "bun:test";
import fc from "fast-check";
import { LatencyHistogram } from "./latency-histogram.ts";

test("percentiles are within 1/32 of the exact order statistic", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
      const h = new LatencyHistogram();
      for (const v of values) h.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      const exact = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact + Math.max(1, exact / 32));
    }),
  );
});

test("max, min and count track every record", () => {
  const h = new LatencyHistogram();
  for (const v of [5, 1000, 70, 3]) h.record(v);
  expect(h.count).toBe(4);
  expect(h.max).toBe(1000);
  expect(h.min).toBe(3);
  expect(h.percentile(100)).toBe(1000);
});
