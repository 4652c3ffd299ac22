import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { BarEma, BarSampler } from "./bars.ts";
import { VolBucketParams, VolBuckets, volBucketProblems } from "./vol-buckets.ts";

const defaults = (over: Partial<VolBucketParams> = {}): VolBucketParams => ({ ...(Value.Default(VolBucketParams, {}) as VolBucketParams), ...over });

describe("BarSampler", () => {
  test("a bar closes on the first quote of a later interval, with the last mid of its own", () => {
    const b = new BarSampler(1_000);
    expect(b.push(100, 10)).toBe(false);
    expect(b.push(900, 11)).toBe(false);
    expect(b.push(1_000, 12)).toBe(true);
    expect(b.close).toBe(11);
    expect(b.push(5_500, 13)).toBe(true); // empty intervals make no bar
    expect(b.close).toBe(12);
    expect(b.count).toBe(2);
  });
});

describe("BarEma", () => {
  test("starts at the first value, then moves by alpha = 2 / (n + 1); ready after n values", () => {
    const e = new BarEma(3);
    expect(e.update(10)).toBe(10);
    expect(e.update(14)).toBe(12);
    expect(e.ready).toBe(false);
    e.update(12);
    expect(e.ready).toBe(true);
  });
});

describe("VolBuckets", () => {
  test("defaults: four buckets, the extreme one pauses", () => {
    const p = defaults();
    expect(p.edges).toEqual([0.5, 0.8, 0.95]);
    expect(p.scales).toEqual([1, 0.75, 0.5, 0]);
  });

  test("bucket -1 (scale 0) while warming up; calm then a burst moves to the extreme bucket and back", () => {
    const v = new VolBuckets(defaults({ windowBars: 5, historyBars: 50, minHistory: 20 }));
    let price = 100_000;
    const step = (d: number): number => v.update((price += d));
    for (let i = 0; i < 10; i++) step(i % 2 === 0 ? 3 : -3);
    expect(v.bucket).toBe(-1);
    expect(v.scale()).toBe(0);
    for (let i = 0; i < 40; i++) step(i % 2 === 0 ? 3 + (i % 3) : -3 - (i % 3));
    expect(v.bucket).toBeGreaterThanOrEqual(0);
    expect(v.bucket).toBeLessThan(3);
    step(200);
    expect(v.bucket).toBe(3);
    expect(v.scale()).toBe(0);
    for (let i = 0; i < 10; i++) step(i % 2 === 0 ? 1 : -1);
    expect(v.bucket).toBe(0);
    expect(v.scale()).toBe(1);
  });

  test("inconsistent edges and scales are refused with every problem named", () => {
    expect(volBucketProblems(defaults({ edges: [0.8, 0.5], scales: [1, 0] }))).toEqual([
      "vol.scales: expected 3 values (edges + 1), got 2",
      "vol.edges[1]: must be above vol.edges[0]",
    ]);
    expect(() => new VolBuckets(defaults({ scales: [1] }))).toThrow("PLUGIN_PARAMS_INVALID");
  });
});
