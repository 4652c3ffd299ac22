/**
 * Differential property tests: the WebAssembly kernels (release and debug builds) against the
 * TypeScript twin, event by event, over random and adversarial streams.
 *
 * Tolerance. Features computed with +, -, *, /, sqrt and comparisons only (mid, spread,
 * microprice, spread mean/max, imbalance, pressure, VWAPs, volume z, Donchian, RSI, z-score)
 * must be bit-identical: both sides run the same IEEE-754 double operations in the same order,
 * and WebAssembly fixes their rounding. Features that pass through exp or log (EMAs, EWMA and
 * realised volatility, and the volatility bucket taken from them) may differ in the last bits,
 * because AssemblyScript's libm and the JavaScript engine's Math are different implementations
 * (each within about 1 ulp per call). A per-call error of 2 ulp is amplified at most by an EWMA's
 * memory 1/(1 - decay) (below 10^4 for these windows and tick gaps), and a log return's absolute
 * error is 2 ulp of log(mid) (below 1.5e-14 for mids up to 10^13), so we allow
 * |a - b| <= 1e-9 * max(|a|, |b|) + 1e-10. The correlation is a ratio of sums the two sides
 * accumulate in different orders; by Cauchy-Schwarz its absolute error stays below
 * (events x ulp), so we allow 1e-9 absolute.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { FeatureKernels } from "../api.ts";
import { createTwinKernels } from "../twin/kernels.ts";
import { applyEvent, type MarketStream, smallConfig, streamArb } from "../testing/events.ts";
import { createWasmKernels, prepareWasmKernels } from "./kernels.ts";

beforeAll(async () => {
  await prepareWasmKernels("release");
  await prepareWasmKernels("debug");
}, 120_000);

const TRANSCENDENTAL = /^(ema_|ewmavol_|rvol_|vol_bucket)/;

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-10;
}

/** Replays `s` into both backends; returns the first disagreement, or undefined. */
function firstDisagreement(s: MarketStream, wasm: FeatureKernels, twin: FeatureKernels): string | undefined {
  const names = Object.entries(twin.layout.index);
  let ts = 1_700_000_000_000_000, drift = 0;
  for (let n = 0; n < s.events.length; n++) {
    const e = s.events[n];
    ts += e.dt;
    drift += Math.sign(e.offset);
    applyEvent(wasm, e, ts, s.scale, drift);
    applyEvent(twin, e, ts, s.scale, drift);
    const a = wasm.features(e.instrument), b = twin.features(e.instrument);
    for (const [name, j] of names) {
      const ok = TRANSCENDENTAL.test(name) ? close(a[j], b[j]) : Object.is(a[j], b[j]);
      if (!ok) return `event=${n}, kind=${e.kind}, feature=${name}, wasm=${a[j]}, ts=${b[j]}`;
    }
    if (wasm.evictions(e.instrument) !== twin.evictions(e.instrument)) return `event=${n}, feature=evictions`;
  }
  const cw = wasm.correlation(), ct = twin.correlation();
  for (let j = 0; j < cw.length; j++) {
    if (!(Object.is(cw[j], ct[j]) || Math.abs(cw[j] - ct[j]) <= 1e-9)) return `correlation[${j}] wasm=${cw[j]} ts=${ct[j]}`;
  }
  for (let i = 0; i < s.instruments; i++) {
    const xw = wasm.context(i), xt = twin.context(i);
    for (let j = 0; j < xt.length; j++) {
      if (!(Object.is(xw[j], xt[j]) || Math.abs(xw[j] - xt[j]) <= 1e-6 * Math.abs(xt[j]) + 1e-9)) {
        return `context[${i}][${j}] wasm=${xw[j]} ts=${xt[j]}`;
      }
    }
  }
  return undefined;
}

function agreeProperty(variant: "release" | "debug", runs: number): void {
  fc.assert(
    fc.property(streamArb(4, 300), (s) => {
      // Odd-length streams sample the correlation path every 500 us, even ones use every quote.
      const cfg = { ...smallConfig(s.instruments, s.capacity), correlationSampleUs: s.events.length % 2 ? 500 : 0 };
      const problem = firstDisagreement(s, createWasmKernels(cfg, variant), createTwinKernels(cfg));
      if (problem) throw new Error(problem);
    }),
    { numRuns: runs, seed: 20261123 },
  );
}

describe("wasm kernels vs the TypeScript twin", () => {
  // Generous limits: a fresh clone builds both modules in here first, on CI's two cores.
  test("release build agrees event by event on random and adversarial streams", () => agreeProperty("release", 150), 90_000);
  test("debug build (no optimisation, assertions on) agrees too", () => agreeProperty("debug", 25), 90_000);

  test("volatility buckets agree past the 64-sample history, where the module updates its sorted copy in place", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3_000_000 }), fc.integer({ min: -3, max: 3 })), { minLength: 70, maxLength: 600 }), (steps) => {
        const cfg = smallConfig(1, 64);
        const w = createWasmKernels(cfg), t = createTwinKernels(cfg);
        const b = t.layout.index.vol_bucket;
        let ts = 0, px = 1_000;
        for (const [dt, move] of steps) {
          ts += dt; px += move;
          w.onQuote(0, ts, px, px + 1, 1, 1);
          t.onQuote(0, ts, px, px + 1, 1, 1);
          expect(w.features(0)[b]).toBe(t.features(0)[b]);
        }
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  test("a batch equals the same quotes one by one, through the module's buffer or a copy", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 5000 }), (rows) => {
        const cfg = smallConfig(3, 1024);
        const one = createTwinKernels(cfg), copied = createWasmKernels(cfg), direct = createWasmKernels(cfg);
        const n = rows.length;
        const batch = { count: n, ts: new Float64Array(n), instrument: new Int32Array(n), bid: new Float64Array(n),
          ask: new Float64Array(n), bidSize: new Float64Array(n), askSize: new Float64Array(n) };
        let ts = 0;
        rows.forEach(([i, dt, bid, spread], k) => {
          ts += dt;
          batch.ts[k] = ts; batch.instrument[k] = i; batch.bid[k] = bid; batch.ask[k] = bid + spread;
          batch.bidSize[k] = spread + 1; batch.askSize[k] = 10 - spread;
          one.onQuote(i, ts, bid, bid + spread, spread + 1, 10 - spread);
        });
        copied.onQuoteBatch(batch);
        const own = direct.quoteBatch;
        for (let start = 0; start < n; start += own.ts.length) {
          const m = Math.min(own.ts.length, n - start);
          own.count = m;
          own.ts.set(batch.ts.subarray(start, start + m)); own.instrument.set(batch.instrument.subarray(start, start + m));
          own.bid.set(batch.bid.subarray(start, start + m)); own.ask.set(batch.ask.subarray(start, start + m));
          own.bidSize.set(batch.bidSize.subarray(start, start + m)); own.askSize.set(batch.askSize.subarray(start, start + m));
          direct.onQuoteBatch(own);
        }
        for (let i = 0; i < 3; i++) {
          const { mid, spread_max, zscore } = one.layout.index;
          for (const j of [mid, spread_max, zscore]) {
            expect(copied.features(i)[j]).toBe(one.features(i)[j]);
            expect(direct.features(i)[j]).toBe(one.features(i)[j]);
          }
        }
      }),
      { numRuns: 20, seed: 7 },
    );
  });

  test("an out-of-range instrument is dropped and counted, never written", () => {
    const cfg = smallConfig(2, 64);
    for (const k of [createWasmKernels(cfg), createTwinKernels(cfg)]) {
      const before = Array.from(k.features(1));
      k.onQuote(2, 10, 100, 102, 1, 1);
      k.onQuote(-1, 10, 100, 102, 1, 1);
      k.onTrade(7, 10, 100, 1, 1);
      k.onBook(2, 10, [1], [1], [2], [1], 1);
      expect(k.rejected()).toBe(4);
      expect(Array.from(k.features(1))).toEqual(before);
    }
  });

  test("reset returns the module to its initial state, with earlier views still valid", () => {
    const cfg = smallConfig(2, 64);
    const k = createWasmKernels(cfg), fresh = createWasmKernels(cfg);
    const view = k.features(1);
    k.onQuote(1, 10, 100, 102, 1, 1);
    k.onTrade(1, 20, 101, 5, 1);
    k.reset();
    expect(Array.from(view)).toEqual(Array.from(fresh.features(1)));
    k.onQuote(1, 30, 200, 202, 1, 1);
    fresh.onQuote(1, 30, 200, 202, 1, 1);
    expect(Array.from(view)).toEqual(Array.from(fresh.features(1)));
    expect(Array.from(k.context(1))).toEqual(Array.from(fresh.context(1)));
  });
});
