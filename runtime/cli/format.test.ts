import { expect, test } from "bun:test";
import { PerformanceTracker } from "../portfolio/performance.ts";
import type { SessionSummary } from "../session/summary.ts";
import { formatReport, formatStatus } from "./format.ts";

const DAY = 86_400_000_000;

function summary(performance: SessionSummary["performance"]): SessionSummary {
  return {
    mode: "paper", features: "ts", events: 1, timers: 0, wallSeconds: 1, eventsPerSecond: 1, orders: 0, rejectedOrders: 0, openOrders: 0,
    fills: 0, fillsHash: "h", pnl: 0, equity: 0, currency: "USD", positions: {}, performance, dataAnomalies: {}, badRows: { total: 0, bySource: {}, first: {} }, riskRejections: {}, tradingState: "active", heldIntents: {}, alerts: 0,
    quarantined: [], tickToOrderNs: { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0 }, tickToOrderRecentNs: { count: 0, p50: 0, p99: 0, p999: 0, max: 0, windowSeconds: 60 }, journalRecords: 0, restoredRecords: 0, sidecars: null,
  } as SessionSummary;
}

test("a short session prints n/a with the days the ratios need instead of an annualised figure", () => {
  const t = new PerformanceTracker();
  for (let k = 0; k < 7; k++) t.sample(1_700_000_000_000_000 + k * 10_000_000, 1_000_000 - k * 100);
  const text = formatReport(summary(t.report()));
  expect(text).toMatch(/^Sharpe\s+n\/a \(needs ≥ 20 days, have 1\)$/m);
  expect(text).toMatch(/^Sortino\s+n\/a \(needs ≥ 20 days, have 1\)$/m);
  expect(text).toMatch(/^Calmar\s+n\/a \(needs ≥ 20 days, have 1\)$/m);
});

test("a long enough run prints the ratio and the returns it comes from", () => {
  const t = new PerformanceTracker();
  for (let d = 0; d <= 25; d++) t.sample(d * DAY + 1, 1_000_000 + d * 100 + (d % 3) * 250);
  const text = formatReport(summary(t.report()));
  expect(text).toMatch(/^Sharpe\s+-?[\d,.]+ \(25 day returns\)$/m);
});

test("the status line shows tick-to-order p50, p99, p99.9 and max over the sliding window, not since start", () => {
  const s = summary(new PerformanceTracker().report());
  s.tickToOrderNs = { count: 900, p50: 90_000, p99: 900_000, p999: 990_000, max: 999_000, mean: 100_000 };
  s.tickToOrderRecentNs = { count: 12, p50: 3_200, p99: 41_500, p999: 52_000, max: 61_000, windowSeconds: 60 };
  expect(formatStatus(s, 400)).toContain("t2o 60s p50 3.2 p99 41.5 p99.9 52.0 max 61.0µs");
  s.tickToOrderRecentNs = { ...s.tickToOrderRecentNs, count: 0 };
  expect(formatStatus(s, 400)).not.toContain("t2o");
});
