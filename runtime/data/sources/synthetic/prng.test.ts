import { describe, expect, test } from "bun:test";
import { splitmix32, Xoshiro128 } from "./prng.ts";

describe("xoshiro128** generator", () => {
  test("the same seed gives the same words; nearby seeds give unrelated ones", () => {
    const a = new Xoshiro128(7), b = new Xoshiro128(7), c = new Xoshiro128(8);
    const wa = Array.from({ length: 64 }, () => a.nextU32());
    const wb = Array.from({ length: 64 }, () => b.nextU32());
    const wc = Array.from({ length: 64 }, () => c.nextU32());
    expect(wa).toEqual(wb);
    expect(wa.filter((w, i) => w === wc[i]).length).toBe(0);
    expect(wa.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
  });

  test("splitmix32 maps distinct inputs to distinct outputs on a sample", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(splitmix32(i));
    expect(seen.size).toBe(100_000);
  });

  test("uniforms stay inside (0, 1) with mean 1/2", () => {
    const r = new Xoshiro128(3);
    let su = 0, lo = 1, hi = 0;
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      su += u;
    }
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.002);
  });

  test("ziggurat exponentials have mean 1, variance 1 and exponential tails", () => {
    const r = new Xoshiro128(9);
    const n = 2_000_000;
    let s = 0, s2 = 0, lo = Infinity, beyond1 = 0, beyond3 = 0, beyond7 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.exponential();
      s += x;
      s2 += x * x;
      lo = Math.min(lo, x);
      if (x > 1) beyond1++;
      if (x > 3) beyond3++;
      if (x > 7) beyond7++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(Math.abs(s / n - 1)).toBeLessThan(0.003);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1)).toBeLessThan(0.01);
    // P(X > 1) = 0.3679, P(X > 3) = 0.0498, P(X > 7) = 9.1e-4.
    expect(Math.abs(beyond1 / n - 0.3679)).toBeLessThan(0.0015);
    expect(Math.abs(beyond3 / n - 0.0498)).toBeLessThan(0.0006);
    expect(Math.abs(beyond7 / n - 0.000912)).toBeLessThan(0.00012);
  });

  test("ziggurat normals have mean 0, variance 1, kurtosis 3 and Gaussian tails", () => {
    const r = new Xoshiro128(5);
    const n = 2_000_000;
    let s = 0, s2 = 0, s4 = 0, beyond2 = 0, beyond3 = 0, beyond4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      s4 += z * z * z * z;
      const a = Math.abs(z);
      if (a > 2) beyond2++;
      if (a > 3) beyond3++;
      if (a > 4) beyond4++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.003);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.005);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.05);
    // P(|Z| > 2) = 0.0455, P(|Z| > 3) = 0.0027, P(|Z| > 4) = 6.3e-5.
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.0008);
    expect(Math.abs(beyond3 / n - 0.0027)).toBeLessThan(0.0002);
    expect(beyond4).toBeGreaterThan(60);
    expect(beyond4).toBeLessThan(200);
  });
});
