/**
 * The twin against brute force: after every event, each windowed feature is recomputed by
 * scanning every event of the instrument in (ts - W, ts] and must match. Rolling sums add and
 * subtract integers, so they are exact while every partial sum stays below 2^53 (the streams
 * here keep to that; beyond it, as with 10^12-tick prices times 10^9-unit sizes, a rolling sum
 * carries an absolute error up to a few ulp of the largest sum the window held since it was last
 * empty, and the kernels stay bit-identical to each other but not to a fresh sum). The only
 * rounding left is the final division, so ratios compare within 1e-9 relative; maxima and
 * minima compare exactly.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { applyEvent, smallConfig, streamArb } from "../testing/events.ts";
import { createTwinKernels } from "./kernels.ts";

interface Row { ts: number; a: number; b: number; c: number }

const near = (a: number, b: number) =>
  (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;

test("every windowed feature equals a brute-force scan of its window", () => {
  fc.assert(
    fc.property(streamArb(3, 200, true), (s) => {
      const cfg = smallConfig(s.instruments, 1024);
      const k = createTwinKernels(cfg);
      const ix = k.layout.index;
      const quotes: Row[][] = Array.from({ length: s.instruments }, () => []);
      const trades: Row[][] = Array.from({ length: s.instruments }, () => []);
      let ts = 1_000_000_000, drift = 0;
      for (const e of s.events) {
        ts += e.dt;
        drift += Math.sign(e.offset);
        applyEvent(k, e, ts, s.scale, drift);
        const bid = s.scale + drift + e.offset;
        if (e.kind === "quote") quotes[e.instrument].push({ ts, a: e.spread, b: bid + e.spread / 2, c: 0 });
        if (e.kind === "trade") trades[e.instrument].push({ ts, a: bid + (e.side > 0 ? e.spread : 0), b: e.bidSize, c: e.side });
        const f = k.features(e.instrument);
        const inWin = (rows: Row[], w: number) => rows.filter((r) => r.ts > ts - w);
        const sq = inWin(quotes[e.instrument], cfg.spreadWindowUs);
        expect(near(f[ix.spread_mean], sq.length ? sq.reduce((x, r) => x + r.a, 0) / sq.length : NaN)).toBe(true);
        expect(f[ix.spread_max]).toBe(sq.length ? Math.max(...sq.map((r) => r.a)) : NaN);
        const dq = inWin(quotes[e.instrument], cfg.donchianWindowUs);
        expect(f[ix.donchian_high]).toBe(dq.length ? Math.max(...dq.map((r) => r.b)) : NaN);
        expect(f[ix.donchian_low]).toBe(dq.length ? Math.min(...dq.map((r) => r.b)) : NaN);
        for (const w of cfg.vwapWindowsUs) {
          const t = inWin(trades[e.instrument], w);
          const v = t.reduce((x, r) => x + r.b, 0);
          expect(near(f[ix[`vwap_${w}`]], v > 0 ? t.reduce((x, r) => x + r.a * r.b, 0) / v : NaN)).toBe(true);
        }
        const pt = inWin(trades[e.instrument], cfg.pressureWindowUs);
        const pv = pt.reduce((x, r) => x + r.b, 0);
        expect(near(f[ix.pressure], pv > 0 ? pt.reduce((x, r) => x + r.c * r.b, 0) / pv : 0)).toBe(true);
      }
      for (let i = 0; i < s.instruments; i++) expect(k.evictions(i)).toBe(0);
    }),
    { numRuns: 120, seed: 11 },
  );
}, 20_000);

test("a full ring evicts its oldest event early and counts it", () => {
  const k = createTwinKernels({ ...smallConfig(1, 16), vwapWindowsUs: [1_000_000] });
  for (let t = 0; t < 20; t++) k.onTrade(0, t, 100 + t, 1, 1);
  // The ring holds the last 16 trades (prices 104..119) though the window would hold all 20.
  expect(k.features(0)[k.layout.index.vwap_1000000]).toBe((104 + 119) / 2);
  expect(k.evictions(0)).toBeGreaterThan(0);
});

test("RSI follows Wilder's smoothing: 100 on only gains, 50 when flat", () => {
  const k = createTwinKernels(smallConfig(1, 64));
  const rsi = k.layout.index.rsi;
  k.onQuote(0, 0, 100, 102, 1, 1);
  for (let t = 1; t <= 5; t++) k.onQuote(0, t, 100 + t, 102 + t, 1, 1);
  expect(k.features(0)[rsi]).toBe(100);
  const flat = createTwinKernels(smallConfig(1, 64));
  for (let t = 0; t <= 5; t++) flat.onQuote(0, t, 100, 102, 1, 1);
  expect(flat.features(0)[rsi]).toBe(50);
});
