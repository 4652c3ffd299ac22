import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { intensitySpread, MidVariance, quotePrices, type QuotePrices } from "./pricing.ts";

const out = (): QuotePrices => ({ bid: 0, ask: 0, reservation: 0, spread: 0 });

describe("quotePrices", () => {
  test("follows the closed form for reservation price and spread", () => {
    const p = quotePrices(out(), 100_000, 100_002, 0.25, 4, 0.1, 10, intensitySpread(0.1, 1.5));
    expect(p.reservation).toBeCloseTo(100_001 - 0.25 * 0.1 * 4 * 10, 9);
    expect(p.spread).toBeCloseTo(0.1 * 4 * 10 + (2 / 0.1) * Math.log(1 + 0.1 / 1.5), 9);
    expect(p.bid).toBe(Math.floor(p.reservation - p.spread / 2));
    expect(p.ask).toBe(Math.ceil(p.reservation + p.spread / 2));
  });

  test("quotes are integers, never cross the touch, and the bid stays under the ask", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 10_000_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 1e-4, max: 5, noNaN: true }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 0.1, max: 600, noNaN: true }),
        (bid, spread, q, sigma2, gamma, k, tau) => {
          const ask = bid + spread;
          const p = quotePrices(out(), bid, ask, q, sigma2, gamma, tau, intensitySpread(gamma, k));
          return Number.isSafeInteger(p.bid) && Number.isSafeInteger(p.ask) && p.bid <= ask - 1 && p.ask >= bid + 1 && p.bid < p.ask;
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("more inventory lowers the reservation price and never raises a quote", () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true }), (q, dq) => {
        const a = quotePrices(out(), 100_000, 100_001, q, 2, 0.05, 30, intensitySpread(0.05, 0.5));
        const b = quotePrices(out(), 100_000, 100_001, q + dq, 2, 0.05, 30, intensitySpread(0.05, 0.5));
        return b.reservation < a.reservation && b.bid <= a.bid && b.ask <= a.ask;
      }),
    );
  });
});

describe("MidVariance", () => {
  test("starts from the initial sigma and converges to the variance rate of a steady walk", () => {
    const v = new MidVariance(5, 3);
    expect(v.variance).toBe(9);
    // One-tick steps every 10 ms: 100 ticks^2 per second.
    let mid = 100_000;
    for (let i = 0; i < 5_000; i++) {
      mid += i % 2 === 0 ? 1 : -1;
      v.update(mid, 1_000_000 + i * 10_000);
    }
    expect(v.variance).toBeGreaterThan(95);
    expect(v.variance).toBeLessThan(105);
  });

  test("decays towards zero while the mid stands still", () => {
    const v = new MidVariance(1, 2);
    v.update(100, 0);
    v.update(100, 1_000_000);
    expect(v.variance).toBeCloseTo(2, 9); // 4 halved after one half-life
  });
});
