/**
 * The indicator series kernels: WebAssembly against the TypeScript twin (bit-identical: same
 * operations in the same order, no transcendental functions; the twin's Donchian is a plain
 * scan, so it also checks the deques), and against the npm libraries the benchmark compares
 * them with, so that the benchmark compares the same computation. Library values are compared
 * within 1e-9 relative (they sum in other orders).
 */
import { IndicatorsSync } from "@ixjb94/indicators";
import { beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { EMA, RSI } from "trading-signals";
import * as twin from "../twin/series.ts";
import { prepareWasmKernels } from "./kernels.ts";
import { createSeriesKernels } from "./series.ts";

beforeAll(() => prepareWasmKernels(), 60_000);

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, k) => Object.is(v, b[k]));
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

test("wasm series equal their TypeScript twins bit for bit", () => {
  const k = createSeriesKernels(2000, 64);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 1, maxLength: 2000 }), fc.integer({ min: 1, max: 64 }), (steps, period) => {
      const src = new Float64Array(steps.length);
      let v = 100_000;
      steps.forEach((s, i) => (src[i] = v += s));
      k.input.set(src);
      const n = src.length, out = new Float64Array(n), hi = new Float64Array(n), lo = new Float64Array(n);
      twin.emaSeries(src, out, period);
      expect(same(k.ema(n, period), out)).toBe(true);
      twin.rsiSeries(src, out, period);
      expect(same(k.rsi(n, period), out)).toBe(true);
      twin.zscoreSeries(src, out, period);
      expect(same(k.zscore(n, period), out)).toBe(true);
      twin.donchianSeries(src, hi, lo, period);
      const d = k.donchian(n, period);
      expect(same(d.high, hi) && same(d.low, lo)).toBe(true);
    }),
    { numRuns: 150, seed: 3 },
  );
});

/** Values the general-float tests draw from: any doubles, plus repeats (flat runs) and edge values. */
const general = (edges: number[]) => fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double(), fc.constantFrom(0, 1.1, 1.1, 1.1, -0.5, 1e-300, ...edges));
/** Each lane-parallel kernel against its scalar twin on general floats: [what, edge values, kernel, twin, seed]. */
const laneCases: [string, number[], (k: ReturnType<typeof createSeriesKernels>, n: number, period: number) => Float64Array[], (src: Float64Array, period: number) => Float64Array[], number][] = [
  ["the z-score's paired f64x2 lanes", [], (k, n, p) => [k.zscore(n, p)], (src, p) => { const o = new Float64Array(src.length); twin.zscoreSeries(src, o, p); return [o]; }, 11],
  ["the RSI's gain/loss lanes", [-0, Number.NaN, Infinity, -Infinity], (k, n, p) => [k.rsi(n, p)], (src, p) => { const o = new Float64Array(src.length); twin.rsiSeries(src, o, p); return [o]; }, 12],
  ["the Donchian's [max, -min] lanes", [Number.NaN, Infinity, -Infinity], (k, n, p) => { const d = k.donchian(n, p); return [d.high, d.low]; }, (src, p) => { const hi = new Float64Array(src.length), lo = new Float64Array(src.length); twin.donchianSeries(src, hi, lo, p); return [hi, lo]; }, 13],
];

for (const [what, edges, kernel, scalar, seed] of laneCases) {
  test(`${what} equal the scalar twin bit for bit on general floats (NaN and infinities among them), flat runs and odd lengths`, () => {
    const k = createSeriesKernels(600, 64);
    fc.assert(
      fc.property(fc.array(general(edges), { minLength: 1, maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (values, period) => {
        const src = Float64Array.from(values);
        k.input.set(src);
        const ours = kernel(k, src.length, period), theirs = scalar(src, period);
        expect(ours.every((o, j) => same(o, theirs[j]!))).toBe(true);
      }),
      { numRuns: 300, seed },
    );
  });
}

test("series agree with trading-signals (EMA, RSI) and @ixjb94/indicators (Donchian, SMA/stddev z-score)", () => {
  const n = 3000, period = 14;
  const k = createSeriesKernels(n, 64);
  let v = 114_543;
  for (let i = 0; i < n; i++) k.input[i] = v += ((i * 7919) % 11) - 5;
  const values = Array.from(k.input.subarray(0, n));
  const ema = new EMA(period), rsi = new RSI(period);
  const ourEma = Array.from(k.ema(n, period)), ourRsi = Array.from(k.rsi(n, period));
  let checked = 0;
  values.forEach((x, i) => {
    ema.add(x); rsi.add(x);
    if (i >= 10 * period) {
      expect(near(ourEma[i], ema.getResultOrThrow())).toBe(true);
      expect(near(ourRsi[i], rsi.getResultOrThrow())).toBe(true);
      checked++;
    }
  });
  expect(checked).toBeGreaterThan(2500);
  const lib = new IndicatorsSync();
  const max = lib.max(values, period), min = lib.min(values, period);
  const sma = lib.sma(values, period), sd = lib.stddev(values, period);
  const d = k.donchian(n, period);
  const high = Array.from(d.high), low = Array.from(d.low);
  const z = Array.from(k.zscore(n, period));
  // The library's outputs start at the first full window.
  for (let j = 0; j < max.length; j++) {
    const i = j + period - 1;
    expect(high[i]).toBe(max[j]);
    expect(low[i]).toBe(min[j]);
    if (sd[j] > 1e-6) expect(Math.abs(z[i] - (values[i] - sma[j]) / sd[j])).toBeLessThan(1e-6);
  }
});
