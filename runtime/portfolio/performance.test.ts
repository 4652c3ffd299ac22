import { describe, expect, test } from "bun:test";
import { PerformanceTracker } from "./performance.ts";

const T0 = 1_700_000_000_000_000;
const SECOND = 1_000_000;

function curve(equity: number[], options = {}): PerformanceTracker {
  const t = new PerformanceTracker(options);
  equity.forEach((e, k) => t.sample(T0 + k * SECOND, e));
  return t;
}

describe("equity curve metrics", () => {
  // Returns 0.1, -0.1, 0.2: mean 1/15, sample variance 7/300, downside sum of squares 0.01.
  const equity = [100, 110, 99, 118.8];

  test("Sharpe and Sortino match the hand computation, annualised from the sample interval", () => {
    const r = curve(equity, { yearMicros: 4 * SECOND }).report();
    expect(r.periodsPerYear).toBe(4);
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
    expect(new PerformanceTracker().report()).toMatchObject({ pnl: 0, sharpe: null, maxDrawdown: 0, maxDrawdownPct: null, samples: 0, periodsPerYear: null });
    expect(curve([100]).report()).toMatchObject({ pnl: 0, sharpe: null, maxDrawdownPct: 0, periodsPerYear: null });
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
