import { describe, expect, test } from "bun:test";
import { correlation, emptySeries, imbalanceNextMidCorrelation, intradaySeasonality, spreadVolatilityCorrelation, volatilityClustering, type QuoteSeries } from "./stylized-facts.ts";

const MIN = 60_000_000;
const HOUR = 60 * MIN;

function series(rows: [number, number, number, number, number][]): QuoteSeries {
  const s = emptySeries();
  for (const [ts, bid, ask, b, a] of rows) {
    s.ts.push(ts); s.bid.push(bid); s.ask.push(ask); s.bidSize.push(b); s.askSize.push(a);
  }
  return s;
}

describe("stylized facts", () => {
  test("imbalance that always points to the next move correlates positively; the opposite negatively; unknown sizes are skipped", () => {
    const rows: [number, number, number, number, number][] = [];
    let mid = 1000;
    for (let i = 0; i < 200; i++) {
      const up = (i * 7919) % 3 === 0;
      rows.push([i, mid, mid + 2, up ? 900 : 100, up ? 100 : 900]);
      rows.push([i + 0.5, mid, mid + 2, 0, 0]); // sizes unknown: not a pair
      mid += up ? 1 : -1;
    }
    const s = series(rows);
    // Only quotes with sizes count, and their "next" quote is the size-less one at the same mid.
    expect(imbalanceNextMidCorrelation(s).pairs).toBe(200);
    const clean = series(rows.filter((_, k) => k % 2 === 0));
    expect(imbalanceNextMidCorrelation(clean).correlation).toBeGreaterThan(0.99);
    clean.bidSize.reverse();
    clean.askSize.reverse();
    expect(Number.isFinite(imbalanceNextMidCorrelation(clean).correlation)).toBe(true);
  });

  test("windows whose spread grows with their movement give a positive spread-volatility correlation, and a reversed relation a negative one", () => {
    const build = (sign: number) => {
      const rows: [number, number, number, number, number][] = [];
      for (let w = 0; w < 48; w++) {
        const amp = 1 + (w % 4);
        const spread = sign > 0 ? amp : 6 - amp;
        for (let k = 0; k < 20; k++) {
          const mid = 1000 + (k % 2) * amp;
          rows.push([w * 5 * MIN + k * 1000, mid, mid + spread, 1, 1]);
        }
      }
      return series(rows);
    };
    expect(spreadVolatilityCorrelation(build(1)).correlation).toBeGreaterThan(0.9);
    expect(spreadVolatilityCorrelation(build(-1)).correlation).toBeLessThan(-0.9);
  });

  test("a day with busy hours that also move more shows seasonality", () => {
    const rows: [number, number, number, number, number][] = [];
    for (let h = 0; h < 24; h++) {
      const n = h >= 8 && h < 17 ? 60 : 10;
      for (let k = 0; k < n; k++) rows.push([h * HOUR + k * 1000, 1000 + (k % 2), 1002 + (k % 2), 1, 1]);
    }
    const r = intradaySeasonality(series(rows));
    expect(r.busiestToQuietest).toBe(6);
    expect(r.activityVolatility).toBeGreaterThan(0.99);
  });

  test("bursts of large moves cluster; alternating large and small moves do not", () => {
    const bars = (size: (k: number) => number) => {
      const rows: [number, number, number, number, number][] = [];
      let mid = 10_000;
      for (let k = 0; k < 600; k++) {
        mid += (k % 2 === 0 ? 1 : -1) * size(k);
        rows.push([k * MIN, mid, mid + 2, 1, 1]);
      }
      return series(rows);
    };
    expect(volatilityClustering(bars((k) => (Math.floor(k / 50) % 2 === 0 ? 10 : 1))).meanAutocorrelation).toBeGreaterThan(0.5);
    expect(volatilityClustering(bars((k) => (k % 2 === 0 ? 10 : 1)), MIN, 1).meanAutocorrelation).toBeLessThan(-0.9);
  });

  test("a constant sample has no correlation (NaN), not a number", () => {
    expect(correlation([1, 1, 1, 1], [1, 2, 3, 4])).toBeNaN();
  });
});
