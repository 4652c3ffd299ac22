/**
 * What bounds the z-score series kernel: the WASM kernel (with and without the copy of the input
 * into module memory), its TypeScript twin, and variants of the twin that each keep one part of the
 * loop (the running sums alone; the division and square root alone; the sums reassociated to one
 * add per sum on the loop-carried chain), ns per value over the real day's mids, best of P passes
 * (wall clock, interleaved), then the twin/wasm ratio.
 *
 *   bun bench/zscore-bounds.ts [passes, default 41]
 */
import { readFileSync } from "node:fs";
import { createSeriesKernels } from "../kernels-wasm/index.ts";
import * as twin from "../kernels-wasm/src/twin/series.ts";
const csv = readFileSync(new URL("../../shared/data/dukascopy/EURUSD/2019-02-04.csv", import.meta.url), "utf8");
const mids: number[] = [];
for (const line of csv.split("\n").slice(1)) { if (!line) continue; const [, b, a] = line.split(","); mids.push((Math.round(Number(b) * 1e5) + Math.round(Number(a) * 1e5)) / 2); }
const N = mids.length, src = Float64Array.from(mids), out = new Float64Array(N), P = Number(process.argv[2] ?? 41);
const k = createSeriesKernels(N, 64);
let sink = 0;
function chainOnly(src: Float64Array, out: Float64Array, period: number) { // sums only, no div/sqrt
  const ref = src[0], inv = 1 / period; let s1 = 0, s2 = 0;
  for (let k = 0; k < src.length; k++) { const d = src[k] - ref; s1 += d; s2 += d * d; if (k >= period) { const e = src[k - period] - ref; s1 -= e; s2 -= e * e; } if (k + 1 < period) { out[k] = NaN; continue; } const mean = s1 * inv; out[k] = (d - mean) + (s2 * inv - mean * mean); }
}
function oneChain(src: Float64Array, out: Float64Array, period: number) { // s += d - e: one add per sum on the chain
  const ref = src[0], inv = 1 / period; let s1 = 0, s2 = 0;
  for (let k = 0; k < src.length; k++) { const d = src[k] - ref; let a = d, b = d * d; if (k >= period) { const e = src[k - period] - ref; a -= e; b -= e * e; } s1 += a; s2 += b; if (k + 1 < period) { out[k] = NaN; continue; } const mean = s1 * inv; const v = s2 * inv - mean * mean; out[k] = v > 0 ? (d - mean) / Math.sqrt(v) : 0; }
}
function divOnly(src: Float64Array, out: Float64Array, _period: number) { // one division + one sqrt per value, no carried chain
  const ref = src[0];
  for (let k = 0; k < src.length; k++) { const d = src[k] - ref; const v = d * d + 1; out[k] = d / Math.sqrt(v); }
}
const runs: [string, () => void][] = [
  ["twin (TS)", () => { twin.zscoreSeries(src, out, 20); sink += out[N - 1]; }],
  ["wasm incl. input copy (the bench's row)", () => { k.input.set(src); sink += k.zscore(N, 20)[N - 1]; }],
  ["wasm, input already in module memory", () => { sink += k.zscore(N, 20)[N - 1]; }],
  ["input copy alone (k.input.set)", () => { k.input.set(src); sink += k.input[N - 1]; }],
  ["TS, running sums only (no div/sqrt)", () => { chainOnly(src, out, 20); sink += out[N - 1]; }],
  ["TS, div+sqrt only (no carried sums)", () => { divOnly(src, out, 20); sink += out[N - 1]; }],
  ["TS, one add per sum on the chain (reassociated)", () => { oneChain(src, out, 20); sink += out[N - 1]; }],
];
const best = runs.map(() => Infinity);
for (let w = 0; w < 3; w++) for (const [, f] of runs) f();
for (let p = 0; p < P; p++) for (let i = 0; i < runs.length; i++) { const t0 = Bun.nanoseconds(); runs[i]![1](); best[i] = Math.min(best[i]!, (Bun.nanoseconds() - t0) / N); }
for (let i = 0; i < runs.length; i++) console.log(`${best[i]!.toFixed(2).padStart(6)} ns/value  ${runs[i]![0]}`);
// exactness of the reassociated form on these (half-tick) inputs
const o1 = new Float64Array(N); twin.zscoreSeries(src, o1, 20); const o2 = new Float64Array(N); oneChain(src, o2, 20);
let diff = 0; for (let i = 0; i < N; i++) if (!(o1[i] === o2[i] || (Number.isNaN(o1[i]) && Number.isNaN(o2[i])))) diff++;
console.log(`twin / wasm (incl. copy): ${(best[0]! / best[1]!).toFixed(2)}x`);
console.log(`reassociated vs twin: ${diff} of ${N} values differ`, sink !== 0);
