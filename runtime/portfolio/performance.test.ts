import { describe, expect, test } from "bun:test";
import { PerformanceTracker } from "./performance.ts";

const T0 = 1_700_000_000_000_000;
const SECOND = 1_000_000;

/** One return period per sample (1 s), two periods enough for the ratios: the hand computations below. */
function curve(equity: number[], options = {}): PerformanceTracker {
  const t = new PerformanceTracker({ periodUs: SECOND, minPeriods: 2, ...options });
  equity.forEach((e, k) => t.sample(T0 + k * SECOND, e));
  return t;
}

describe("equity curve metrics", () => {
  // Returns 0.1, -0.1, 0.2: mean 1/15, sample variance 7/300, downside sum of squares 0.01.
  const equity = [100, 110, 99, 118.8];

  test("Sharpe and Sortino match the hand computation, annualised by the period", () => {
    const r = curve(equity, { yearMicros: 4 * SECOND }).report();
    expect(r.periodsPerYear).toBe(4);
    expect(r.returnPeriods).toBe(3);
    expect(r.ratiosNote).toBeNull();
    expect(r.sharpe).toBeCloseTo((1 / 15 / Math.sqrt(7 / 300)) * 2, 12);
    expect(r.sortino).toBeCloseTo((1 / 15 / Math.sqrt(0.01 / 3)) * 2, 12);
  });

  test("max drawdown is the largest fall from a running peak, in money and as a fraction of the peak", () => {
    const r = curve([100, 120, 90, 130, 117, 125]).report();
    expect(r.maxDrawdown).toBe(30);
    expect(r.maxDrawdownPct).toBeCloseTo(0.25, 15);
    expect(r.pnl).toBe(25);
    expect(r.samples).toBe(6);
  });

  test("Calmar is CAGR over the max drawdown fraction, with years from the timestamps", () => {
    const r = curve(equity, { yearMicros: 3 * SECOND }).report(); // exactly one year
    expect(r.maxDrawdownPct).toBeCloseTo(0.1, 15);
    expect(r.calmar).toBeCloseTo(0.188 / 0.1, 12);
  });

  test("an explicit periods-per-year overrides the one derived from timestamps", () => {
    const r = curve(equity, { periodsPerYear: 252 }).report();
    expect(r.sharpe).toBeCloseTo((1 / 15 / Math.sqrt(7 / 300)) * Math.sqrt(252), 12);
  });

  test("a flat curve has no Sharpe, Sortino or Calmar (null, not NaN) and no drawdown", () => {
    const r = curve([100, 100, 100, 100]).report();
    expect(r).toMatchObject({ sharpe: null, sortino: null, calmar: null, maxDrawdown: 0, maxDrawdownPct: 0, pnl: 0 });
  });

  test("a curve that only rises has a Sharpe but no Sortino or Calmar", () => {
    const r = curve([100, 101, 103, 106]).report();
    expect(r.sharpe).toBeGreaterThan(0);
    expect(r.sortino).toBeNull();
    expect(r.calmar).toBeNull();
  });

  test("no samples and one sample give zeros and nulls", () => {
    expect(new PerformanceTracker().report()).toMatchObject({ pnl: 0, sharpe: null, maxDrawdown: 0, maxDrawdownPct: null, samples: 0, returnPeriods: 0 });
    expect(curve([100]).report()).toMatchObject({ pnl: 0, sharpe: null, maxDrawdownPct: 0, returnPeriods: 0 });
  });

  test("returns after a non-positive equity make Sharpe and Sortino null", () => {
    const r = curve([100, 0, 50, 60]).report();
    expect(r.sharpe).toBeNull();
    expect(r.sortino).toBeNull();
    expect(r.maxDrawdown).toBe(100);
    expect(r.maxDrawdownPct).toBe(1);
  });

  test("samples going back in time or not finite are refused and ignored", () => {
    const t = curve([100, 110]);
    expect(t.sample(T0, 200)).toBe(false);
    expect(t.sample(T0 + 5 * SECOND, Number.NaN)).toBe(false);
    expect(t.report().samples).toBe(2);
    expect(t.report().pnl).toBe(10);
  });
});

describe("period returns", () => {
  const DAY = 86_400 * SECOND;
  const D0 = Math.floor(T0 / DAY) * DAY;

  test("10-second samples over one day give no ratios: null with a reason naming the days needed", () => {
    const t = new PerformanceTracker();
    for (let k = 0; k < 8_640; k++) t.sample(D0 + k * 10 * SECOND, 1_000_000 - k * 3 + (k % 7) * 5);
    const r = t.report();
    expect(r).toMatchObject({ sharpe: null, sortino: null, calmar: null, returnPeriod: "day", returnPeriods: 1, ratiosNote: "needs ≥ 20 days, have 1" });
    expect(r.maxDrawdown).toBeGreaterThan(0); // drawdown still uses every sample
  });

  test("Sharpe uses each day's last equity, whatever happens inside the day, annualised by 365 days", () => {
    const closes = [100, 101, 100.5, 102, 101, 103, 104, 103.5, 105, 104, 106, 107, 106.5, 108, 107, 109, 110, 109.5, 111, 112, 111.5];
    const t = new PerformanceTracker();
    t.sample(D0, closes[0]!);
    for (let d = 1; d < closes.length; d++) {
      // Wild intraday swings that a per-sample ratio would see, then the day's close.
      for (let k = 1; k < 50; k++) t.sample(D0 + (d - 1) * DAY + k * 600 * SECOND, closes[d - 1]! * (k % 2 === 0 ? 1.02 : 0.98));
      t.sample(D0 + d * DAY - SECOND, closes[d]!);
    }
    const r = t.report();
    const rets = closes.slice(1).map((c, i) => c / closes[i]! - 1);
    const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
    expect(r.returnPeriods).toBe(20);
    expect(r.ratiosNote).toBeNull();
    expect(r.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 9);
  });

  test("a period without samples (a closed weekend) is skipped, not counted as a zero return", () => {
    const t = new PerformanceTracker({ minPeriods: 2 });
    t.sample(D0, 100);
    t.sample(D0 + DAY - 1, 110);
    t.sample(D0 + 4 * DAY, 99);
    expect(t.report().returnPeriods).toBe(2);
    expect(t.report().sharpe).toBeCloseTo(((0.1 - 0.1) / 2 / Math.sqrt(0.02)) * Math.sqrt(365), 9);
  });

  test("the period is named in the note: hours", () => {
    const t = new PerformanceTracker({ periodUs: 3_600 * SECOND, minPeriods: 5 });
    t.sample(D0, 100);
    t.sample(D0 + 3_600 * SECOND, 101);
    expect(t.report()).toMatchObject({ returnPeriod: "hour", ratiosNote: "needs ≥ 5 hours, have 1", sharpe: null });
  });
});

describe("trade metrics", () => {
  test("win rate, profit factor, fees and turnover follow the documented definitions", () => {
    const t = new PerformanceTracker();
    t.onTrade(0, 1, 1000, false); // opening fill: fee and turnover only
    t.onTrade(50, 2, 1000); // +48
    t.onTrade(-20, 2, -500); // -22
    t.onTrade(10, 1, 300); // +9
    t.onTrade(1, 1, 300); // 0: neither win nor loss
    const r = t.report();
    expect(r.trades).toBe(4);
    expect(r.winRate).toBe(0.5);
    expect(r.profitFactor).toBeCloseTo(57 / 22, 15);
    expect(r.fees).toBe(7);
    expect(r.turnover).toBe(3100);
  });

  test("no trades or no losing trade give null ratios rather than NaN or Infinity", () => {
    expect(new PerformanceTracker().report()).toMatchObject({ winRate: null, profitFactor: null, trades: 0 });
    const t = new PerformanceTracker();
    t.onTrade(5, 0, 10);
    expect(t.report()).toMatchObject({ winRate: 1, profitFactor: null, trades: 1 });
  });
});
