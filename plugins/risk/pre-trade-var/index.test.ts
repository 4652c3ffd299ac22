import { describe, expect, test } from "bun:test";
import type { Instrument } from "../../sdk/index.ts";
import { createRiskHarness } from "../testing/risk-harness.ts";
import { EwmaCovariance } from "./ewma-covariance.ts";
import plugin from "./index.ts";
import { historicalVar, normalQuantile, portfolioSigma } from "./var-math.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const GBPUSD: Instrument = { id: 1, symbol: "GBPUSD", venue: "sim", base: "GBP", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

/** Seeded standard normals (xorshift + Box–Muller). */
function normals(seed: number): () => number {
  let s = seed;
  const u = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/**
 * Quotes both pairs once a minute for `minutes`: log returns with sd `sd` per minute and correlation
 * `rho` (plus, with `jumpEvery`, a 6-sd drop in both every so many minutes: fat tails).
 */
function market(h: ReturnType<typeof createRiskHarness>, minutes: number, o: { sd?: number; rho?: number; jumpEvery?: number; seed?: number } = {}): void {
  const sd = o.sd ?? 2e-4, rho = o.rho ?? 0.9, z = normals(o.seed ?? 3);
  let e = 110_000, g = 127_000;
  const t0 = Date.UTC(2024, 0, 8) * 1000;
  for (let m = 0; m <= minutes; m++) {
    const a = z(), b = rho * a + Math.sqrt(1 - rho * rho) * z();
    const jump = o.jumpEvery !== undefined && m > 0 && m % o.jumpEvery === 0 ? -6 : 0;
    e *= Math.exp(sd * (a + jump));
    g *= Math.exp(sd * (b + jump));
    const ts = t0 + m * 60_000_000;
    h.quote(0, Math.round(e) - 1, Math.round(e) + 1, ts);
    h.quote(1, Math.round(g) - 1, Math.round(g) + 1, ts + 1);
  }
}

describe("VaR arithmetic", () => {
  test("the normal quantile matches known values to 1e-8", () => {
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323062, 8);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  test("portfolio sigma is sqrt(eᵀΣe); a hedge on a correlated pair lowers it", () => {
    const cov = Float64Array.from([4, 3.6, 3.6, 4]); // sd 2 each, correlation 0.9
    expect(portfolioSigma(Float64Array.from([1, 0]), cov, 2)).toBeCloseTo(2, 12);
    expect(portfolioSigma(Float64Array.from([1, 1]), cov, 2)).toBeCloseTo(Math.sqrt(4 + 4 + 7.2), 12);
    expect(portfolioSigma(Float64Array.from([1, -1]), cov, 2)).toBeCloseTo(Math.sqrt(0.8), 12);
  });

  test("historical VaR is the loss exceeded by at most 1 - confidence of the samples", () => {
    const ring = Float64Array.from(Array.from({ length: 100 }, (_, i) => (i - 50) / 1000)); // returns -0.05 .. 0.049
    const losses = new Float64Array(100);
    // Long 1000: losses are 50, 49, ..., -49; only the loss of 50 exceeds 49 (1%), five exceed 45 (5%).
    expect(historicalVar(Float64Array.from([1000]), ring, 100, 1, 0.99, losses)).toBeCloseTo(49, 9);
    expect(historicalVar(Float64Array.from([1000]), ring, 100, 1, 0.95, losses)).toBeCloseTo(45, 9);
  });

  test("the EWMA covariance starts at the first sample and converges to the true covariance", () => {
    const c = new EwmaCovariance(2, 200);
    c.update(Float64Array.from([1, 2]));
    expect(Array.from(c.cov)).toEqual([1, 2, 2, 4]);
    const z = normals(5);
    for (let i = 0; i < 20_000; i++) { const a = z(); c.update(Float64Array.from([a, 0.5 * a + Math.sqrt(0.75) * z()])); }
    expect(c.cov[0]!).toBeGreaterThan(0.85);
    expect(c.cov[0]!).toBeLessThan(1.15);
    expect(c.cov[1]! / Math.sqrt(c.cov[0]! * c.cov[3]!)).toBeGreaterThan(0.4);
    expect(c.cov[1]! / Math.sqrt(c.cov[0]! * c.cov[3]!)).toBeLessThan(0.6);
  });
});

describe("pre-trade-var rule", () => {
  const params = { budget: 5000, horizonSeconds: 3600, sampleSeconds: 60, minSamples: 30, recalibrateSeconds: 1e9 };

  test("before minSamples an order that adds exposure is refused with VAR_NO_HISTORY; one that reduces passes", () => {
    const h = createRiskHarness(plugin, { params, instruments: [EURUSD, GBPUSD] });
    market(h, 10);
    expect(h.check({ instrument: 0, side: 1, size: 100_000 })).toMatchObject({ code: "VAR_NO_HISTORY" });
    h.positions[0] = 200_000;
    expect(h.check({ instrument: 0, side: -1, size: 100_000 })).toBeNull();
  });

  test("an order is refused with VAR_BUDGET when the VaR after it exceeds the budget; the figure is z·σ·|exposure|·√(horizon/sample)", () => {
    const h = createRiskHarness(plugin, { params, instruments: [EURUSD, GBPUSD] });
    market(h, 600);
    // 2e-4 per minute, 60 minutes: sd 0.00155 of the exposure; 99%: 2.326 x that = 0.36% of the exposure.
    // Budget 5000 USD allows about 1.39 M USD of EURUSD (1.26 M EUR at 1.10).
    expect(h.check({ instrument: 0, side: 1, size: 1_000_000 })).toBeNull();
    const v = h.check({ instrument: 0, side: 1, size: 2_000_000 });
    expect(v).toMatchObject({ code: "VAR_BUDGET" });
    const varAfter = Number(/var_after=([\d.]+)/.exec(v!.reason)![1]);
    const expected = 2.3263 * 2e-4 * Math.sqrt(60) * 2_000_000 * (h.ctx.book(0).mid2 / 2) / 1e5;
    expect(Math.abs(varAfter / expected - 1)).toBeLessThan(0.25);
    expect(v!.reason).toMatch(/var_before=0\.00 budget=5000 calibration=1\.000 instrument=EURUSD/);
  });

  test("VaR is marginal: with EURUSD long at the budget, shorting correlated GBPUSD passes (it hedges) and buying more is refused", () => {
    const h = createRiskHarness(plugin, { params, instruments: [EURUSD, GBPUSD] });
    market(h, 600, { rho: 0.9 });
    h.positions[0] = 1_300_000;
    expect(h.check({ instrument: 1, side: -1, size: 900_000 })).toBeNull();
    expect(h.check({ instrument: 1, side: 1, size: 900_000 })).toMatchObject({ code: "VAR_BUDGET" });
    // Working orders on the same side count as if filled.
    expect(h.check({ instrument: 0, side: 1, size: 100_000 }, 500_000)).toMatchObject({ code: "VAR_BUDGET" });
  });

  test("an ES budget refuses with ES_BUDGET where the VaR budget alone would pass", () => {
    const h = createRiskHarness(plugin, { params: { ...params, budget: 1e9, esBudget: 5000 }, instruments: [EURUSD, GBPUSD] });
    market(h, 600);
    expect(h.check({ instrument: 0, side: 1, size: 2_000_000 })).toMatchObject({ code: "ES_BUDGET" });
  });

  test("off the order path the parametric VaR is recalibrated against historical simulation: fat tails raise it", () => {
    const h = createRiskHarness(plugin, { params: { ...params, recalibrateSeconds: 3600, historySamples: 1440 }, instruments: [EURUSD, GBPUSD] });
    h.positions[0] = 1_000_000;
    market(h, 1440, { jumpEvery: 50 });
    const logs = h.logs.filter((l) => l.message === "var recalibrated");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.at(-1)!.fields!.factor as number).toBeGreaterThan(1.1);
    const plain = createRiskHarness(plugin, { params: { ...params, recalibrateSeconds: 3600 }, instruments: [EURUSD, GBPUSD] });
    plain.positions[0] = 1_000_000;
    market(plain, 1440);
    const f = (plain.logs.filter((l) => l.message === "var recalibrated").at(-1)?.fields?.factor as number | undefined) ?? 1;
    expect(f).toBeGreaterThan(0.8);
    expect(f).toBeLessThan(1.2);
  });

  test("with calibrateAgainst portfolio-var the factor is the deployment's periodic VaR ÷ the parametric VaR at its confidence and horizon; an answer older than the last fill is not used", () => {
    const h = createRiskHarness(plugin, { params: { ...params, calibrateAgainst: "portfolio-var", calibrationBounds: [0.2, 5] }, instruments: [EURUSD, GBPUSD] });
    h.positions[0] = 1_000_000;
    market(h, 600);
    const t = h.now();
    const answer = (v: number, asOf: number) => ({ var: v, es: v * 1.2, asOf, source: "in-process" as const, method: "monte-carlo" as const, confidence: 0.975, horizonSeconds: 600 });
    const status = () => h.hooks.status!(h.ctx) as { calibration: number; lastPortfolioVarAsOf: number | null };
    expect(status().calibration).toBe(1);
    // Parametric at 97.5% over 600 s: 1.96 · σ(1 min) · √10 · exposure; about 1.96 · 2e-4 · 3.16 · 1.1 M USD.
    h.portfolioVar = answer(3000, t);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, t + 1);
    const first = h.logs.filter((l) => l.message === "var recalibrated").at(-1)!.fields as { factor: number; parametric: number; reference: number; method: string };
    expect(first.reference).toBe(3000);
    expect(first.method).toBe("monte-carlo");
    expect(first.factor).toBeCloseTo(3000 / first.parametric, 12);
    expect(Math.abs(first.parametric / (1.96 * 2e-4 * Math.sqrt(10) * 1_000_000 * (h.ctx.book(0).mid2 / 2) / 1e5) - 1)).toBeLessThan(0.25);
    expect(status()).toMatchObject({ calibration: first.factor, lastPortfolioVarAsOf: t });
    // The same answer again changes nothing; a newer one twice as large doubles the factor.
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, t + 2);
    expect(status().calibration).toBe(first.factor);
    h.portfolioVar = answer(6000, t + 2);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, t + 3);
    expect(status().calibration).toBeCloseTo(2 * first.factor, 9);
    // A fill after the answer was computed: the answer describes another portfolio and is skipped.
    h.hooks.onFill!(h.ctx, { id: 1, orderId: 1, strategy: "s", instrument: 0, side: 1, price: 110_000, size: 1000, fee: 0, liquidity: "taker", ts: t + 10 });
    h.portfolioVar = answer(100, t + 5);
    h.quote(0, h.ctx.book(0).bid, h.ctx.book(0).ask, t + 11);
    expect(status().calibration).toBeCloseTo(2 * first.factor, 9);
    // The factor scales the order path's VaR.
    const v = h.check({ instrument: 0, side: 1, size: 2_000_000 });
    expect(v?.reason).toContain(`calibration=${status().calibration.toFixed(3)}`);
  });

  test("an exposure in a currency without a conversion rate refuses adding orders", () => {
    const EURGBP: Instrument = { id: 1, symbol: "EURGBP", venue: "sim", base: "EUR", quote: "GBP", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
    const h = createRiskHarness(plugin, { params, instruments: [EURUSD, EURGBP] });
    market(h, 100);
    expect(h.check({ instrument: 1, side: 1, size: 100_000 })).toEqual({ code: "VAR_NO_CONVERSION_RATE", reason: "instrument=EURGBP" });
  });
});
