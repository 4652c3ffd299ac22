import { describe, expect, test } from "bun:test";
import { ShadowScorer } from "./scorer.ts";

describe("ShadowScorer", () => {
  test("scores both models' samples against the mid's forward return once the horizon has passed", () => {
    // One instrument; the mid doubles its 2x value by +1 tick each second: every forward return is positive.
    let mid2 = 200_000;
    const s = new ShadowScorer({ instruments: 1, everyUs: 1_000_000, horizonUs: 2_000_000, threshold: 0.5, mid2: () => mid2 });
    const a = [0.9]; // right and above the threshold
    const b = [-0.7]; // wrong and above the threshold
    for (let t = 0; t <= 10; t++) {
      s.tick(t * 1_000_000, a, b);
      mid2 += 2;
    }
    const c = s.comparison("a", "b");
    expect(c.samples).toBe(11);
    expect(c.scored).toBe(9); // samples at t = 0..8 have matured by t = 10
    expect(c.models.a).toMatchObject({ scored: 9, missing: 0, traded: 9, hitRate: 1 });
    expect(c.models.b).toMatchObject({ scored: 9, traded: 9, hitRate: 0 });
    // Edge: the mean forward log return over 2 s, +/-.
    const first = Math.log(200_004 / 200_000) * 1e4;
    expect(c.models.a.edgeBps).toBeGreaterThan(0);
    expect(c.models.a.edgeBps).toBeCloseTo(-c.models.b.edgeBps, 12);
    expect(c.models.a.edgeBps).toBeLessThanOrEqual(first);
    // Constant signals have no correlation to measure.
    expect(Number.isNaN(c.models.a.ic)).toBe(true);
    expect(c.agreement).toEqual({ both: 11, sameSign: 0, sameDecision: 0 });
  });

  test("the information coefficient follows the signal's correlation with the forward return; missing signals are counted, not scored", () => {
    let mid2 = 1_000_000;
    const s = new ShadowScorer({ instruments: 2, everyUs: 100_000, horizonUs: 100_000, mid2: (i) => (i === 0 ? mid2 : 0) });
    const moves = [5, -3, 8, -1, 2, -6, 4, -2, 7, -5];
    for (let k = 0; k < moves.length; k++) {
      // Model a sees the next move; model b sees its negative; instrument 1 never has a book.
      s.tick(k * 100_000, [moves[k]! / 10, 0], [-moves[k]! / 10, NaN]);
      mid2 += moves[k]!;
    }
    s.tick(moves.length * 100_000, [NaN, 0], [NaN, 0]);
    const c = s.comparison("a", "b");
    expect(c.samples).toBe(11); // instrument 1 is never sampled (no valid mid)
    expect(c.scored).toBe(10);
    expect(c.models.a.ic).toBeGreaterThan(0.999);
    expect(c.models.b.ic).toBeLessThan(-0.999);
    expect(c.models.a.hitRate).toBe(1);
    expect(c.agreement.both).toBe(10);
    expect(c.agreement.sameSign).toBe(0);
    // The last sample had no signal from either: counted as missing when it matures.
    s.tick((moves.length + 1) * 100_000, [0, 0], [0, 0]);
    expect(s.comparison("a", "b").models.a.missing).toBe(1);
  });
});
