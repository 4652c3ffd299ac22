import { expect, test } from "bun:test";
import { BUY, SELL } from "../../plugins/sdk/orders.ts";
import { PerformanceTracker } from "./performance.ts";
import { recordFill, sampleEquity } from "./performance-feed.ts";
import { Portfolio } from "./portfolio.ts";
import { fill, INSTRUMENTS } from "./test-fixtures.ts";

const [EURUSD, USDJPY] = [0, 1];
const T0 = 1_700_000_000_000_000;

test("a portfolio's fills and equity feed the tracker in the account currency", () => {
  const p = new Portfolio(INSTRUMENTS);
  const t = new PerformanceTracker();
  const apply = (f: ReturnType<typeof fill>) => {
    p.applyFill(f);
    recordFill(t, p, f, "USD");
  };
  p.mark(EURUSD, 110000, 110000);
  p.mark(USDJPY, 150000, 150000);
  sampleEquity(t, p, T0, 1000, "USD");
  apply(fill(EURUSD, BUY, 110000, 1000, 100000)); // opens; fee 1 USD, notional 1100 USD
  p.mark(EURUSD, 110100, 110100);
  sampleEquity(t, p, T0 + 1e6, 1000, "USD"); // +1 unrealised - 1 fee
  apply(fill(EURUSD, SELL, 110100, 1000)); // closes: +1 USD
  apply(fill(USDJPY, SELL, 150000, 10));
  apply(fill(USDJPY, BUY, 151000, 10)); // closes: -10 JPY = -1/15 USD at 150
  sampleEquity(t, p, T0 + 2e6, 1000, "USD");
  const r = t.report();
  expect(r.trades).toBe(2);
  expect(r.winRate).toBe(0.5);
  expect(r.profitFactor).toBeCloseTo(15, 12);
  expect(r.fees).toBeCloseTo(1, 12);
  expect(r.turnover).toBeCloseTo(1100 + 1101 + 10 + 1510 / 150, 9);
  expect(r.samples).toBe(3);
  expect(r.pnl).toBeCloseTo(-1 / 15, 12);
  expect(r.maxDrawdown).toBeCloseTo(1 / 15, 12);
});
