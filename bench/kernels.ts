/**
 * Feature kernels: ns per quote for the whole feature set (25 features per instrument with the
 * default configuration: 4 VWAP windows, 3 EWMA vols, 2 realised vols, spread mean/max,
 * microprice, imbalance, EMAs, Donchian, RSI, z-score, volatility bucket, context row, and the
 * 28-instrument correlation), WebAssembly vs the TypeScript twin, on 1 and 28 instruments, in
 * batches of 1 (one onQuote call per quote), 64 and 1,024 (onQuoteBatch). The floor is a loop
 * that only reads the same input arrays. Input: a deterministic synthetic quote stream (random
 * walk, 1-3 tick spreads, exponential gaps averaging 20 ms per instrument, so the default 16,384-
 * event rings hold every window). Time is the process's CPU time (user + system), not wall time:
 * on a shared 2-core machine a pass is descheduled for longer than it runs, and CPU time leaves
 * that out. Each cell is the best of 9 passes after a warm-up pass; the last line is the
 * headline ratio, then the twin gate: exit code 1 when the WASM feature set is slower than its
 * TypeScript twin in any cell by more than the noise band (the larger of 5% and either side's
 * best-to-median spread of passes in this run).
 *
 *   bun bench/kernels.ts
 */
import { createFeatureKernels, createWasmKernels, defaultFeatureConfig, type FeatureKernels, type QuoteBatch } from "../kernels-wasm/index.ts";

let QUOTES = 200_000; // set by measureFeatures
let PASSES = 9;

function stream(instruments: number): QuoteBatch {
  const b: QuoteBatch = { count: QUOTES, ts: new Float64Array(QUOTES), instrument: new Int32Array(QUOTES),
    bid: new Float64Array(QUOTES), ask: new Float64Array(QUOTES), bidSize: new Float64Array(QUOTES), askSize: new Float64Array(QUOTES) };
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const px = Array.from({ length: instruments }, (_, i) => 100_000 + i * 1_000);
  let ts = 1_700_000_000_000_000;
  for (let k = 0; k < QUOTES; k++) {
    const i = k % instruments;
    ts += Math.round(-Math.log(1 - rnd()) * 20_000 / instruments);
    px[i] += Math.floor(rnd() * 5) - 2;
    b.ts[k] = ts; b.instrument[k] = i; b.bid[k] = px[i]; b.ask[k] = px[i] + 1 + Math.floor(rnd() * 3);
    b.bidSize[k] = 1 + Math.floor(rnd() * 50); b.askSize[k] = 1 + Math.floor(rnd() * 50);
  }
  return b;
}

let lastMedian = 0;
/** CPU ns per quote of `run`, best of the passes (each preceded by `before`); the median pass is left in lastMedian. */
function measure(run: () => void, before: () => void = () => {}): number {
  before(); run();
  const t: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    before();
    const t0 = process.cpuUsage();
    run();
    const d = process.cpuUsage(t0);
    t.push(((d.user + d.system) * 1000) / QUOTES);
  }
  t.sort((a, b) => a - b);
  lastMedian = t[t.length >> 1];
  return t[0];
}

/** Least noise band of the twin gate (as in kernels-vs-libraries.ts). */
const GATE_MIN_BAND = 0.05;

let sink = 0;
/** The floor: one read of every input field per quote (repeated 20 times per pass so the pass is long enough to time). */
function floor(b: QuoteBatch): number {
  return measure(() => {
    let s = 0;
    for (let rep = 0; rep < 20; rep++) {
      for (let k = 0; k < b.count; k++) s += b.ts[k] + b.instrument[k] + b.bid[k] + b.ask[k] + b.bidSize[k] + b.askSize[k];
    }
    sink += s;
  }) / 20;
}

function one(k: FeatureKernels, b: QuoteBatch): number {
  return measure(() => {
    for (let r = 0; r < b.count; r++) k.onQuote(b.instrument[r], b.ts[r], b.bid[r], b.ask[r], b.bidSize[r], b.askSize[r]);
  }, () => k.reset());
}

function batched(k: FeatureKernels, b: QuoteBatch, size: number): number {
  // Chunks are views made up front: the engine fills its batch arrays in place.
  const chunks: QuoteBatch[] = [];
  for (let s = 0; s < b.count; s += size) {
    const e = Math.min(b.count, s + size);
    chunks.push({ count: e - s, ts: b.ts.subarray(s, e), instrument: b.instrument.subarray(s, e), bid: b.bid.subarray(s, e),
      ask: b.ask.subarray(s, e), bidSize: b.bidSize.subarray(s, e), askSize: b.askSize.subarray(s, e) });
  }
  return measure(() => { for (const c of chunks) k.onQuoteBatch(c); }, () => k.reset());
}

/** WASM batches written straight into the module's own batch buffer (the zero-copy path). */
function inPlace(b: QuoteBatch, instruments: number, size: number): number {
  const k = createWasmKernels(defaultFeatureConfig(instruments));
  const q = k.quoteBatch;
  return measure(() => {
    for (let s = 0; s < b.count; s += size) {
      const m = Math.min(size, b.count - s);
      for (let r = 0; r < m; r++) {
        const x = s + r;
        q.ts[r] = b.ts[x]; q.instrument[r] = b.instrument[x]; q.bid[r] = b.bid[x];
        q.ask[r] = b.ask[x]; q.bidSize[r] = b.bidSize[x]; q.askSize[r] = b.askSize[x];
      }
      q.count = m;
      k.onQuoteBatch(q);
    }
  }, () => k.reset());
}

/** Whole feature set, `instruments` instruments, batches of 1,024: CPU ns per quote of WASM, its TS twin and the floor. */
export function measureFeatures(instruments: number, quotes = 200_000, passes = 9): { wasmNs: number; tsNs: number; floorNs: number } {
  QUOTES = quotes;
  PASSES = passes;
  const b = stream(instruments);
  const floorNs = floor(b);
  const wasmNs = batched(createFeatureKernels(defaultFeatureConfig(instruments), "wasm"), b, 1024);
  const tsNs = batched(createFeatureKernels(defaultFeatureConfig(instruments), "ts"), b, 1024);
  return { wasmNs, tsNs, floorNs };
}

if (import.meta.main) {
  const rows: string[][] = [["instruments", "backend", "batch", "ns/quote", "x floor"]];
  const headline: Record<string, number> = {};
  const medians: Record<string, number> = {};
  for (const n of [1, 28]) {
    const b = stream(n);
    const f = floor(b);
    rows.push([String(n), "floor (read inputs)", "-", f.toFixed(1), "1.0"]);
    for (const backend of ["wasm", "ts"] as const) {
      const k = createFeatureKernels(defaultFeatureConfig(n), backend);
      for (const size of [1, 64, 1024]) {
        const ns = size === 1 ? one(k, b) : batched(k, b, size);
        headline[`${backend}-${n}-${size}`] = ns;
        medians[`${backend}-${n}-${size}`] = lastMedian;
        rows.push([String(n), backend, String(size), ns.toFixed(1), (ns / f).toFixed(1)]);
      }
    }
    const ip = inPlace(b, n, 1024);
    rows.push([String(n), "wasm, filled in place", "1024", ip.toFixed(1), (ip / f).toFixed(1)]);
    const every = createFeatureKernels({ ...defaultFeatureConfig(n), correlationSampleUs: 0 }, "wasm");
    if (n > 1) {
      const ns = batched(every, b, 1024);
      rows.push([String(n), "wasm, correlation every quote", "1024", ns.toFixed(1), (ns / f).toFixed(1)]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => v.padStart(widths[c])).join("  "));
  if (sink === 42) console.log("");
  const best = Math.min(headline["wasm-28-1024"], headline["wasm-28-64"]);
  console.log(`headline: whole feature set, 28 instruments, batch 1024: wasm ${headline["wasm-28-1024"].toFixed(1)} ns/quote vs ts twin ${headline["ts-28-1024"].toFixed(1)} ns/quote = ${(headline["ts-28-1024"] / best).toFixed(2)}x`);
  // The twin gate: the WASM feature set slower than its TypeScript twin, beyond the noise band
  // (the larger of 5% and either side's best-to-median spread), in any cell fails the bench.
  let failed = 0;
  for (const n of [1, 28]) {
    for (const size of [1, 64, 1024]) {
      const w = `wasm-${n}-${size}`, t = `ts-${n}-${size}`;
      const band = Math.max(GATE_MIN_BAND, medians[w] / headline[w] - 1, medians[t] / headline[t] - 1);
      if (headline[w] > headline[t] * (1 + band)) {
        console.log(`FAIL: feature set, ${n} instruments, batch ${size}: wasm ${headline[w].toFixed(1)} ns > ts twin ${headline[t].toFixed(1)} ns per quote by more than the noise band (${(band * 100).toFixed(1)}%)`);
        failed++;
      }
    }
  }
  if (failed > 0) process.exitCode = 1;
}
