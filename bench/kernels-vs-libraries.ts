/**
 * Per-indicator speed against the npm indicator libraries, same input, same run: EMA(20),
 * RSI(14), Donchian channel (rolling max and min, 20) and rolling z-score (SMA and population
 * standard deviation, 20) over the 136,741 mids of the Dukascopy EURUSD day (in ticks). Ours are
 * the count-based series kernels (WebAssembly, input copied into module memory inside the timed
 * region; and the TypeScript twin); the libraries run in their fastest mode (trading-signals
 * streams one value at a time, its only mode; @ixjb94/indicators IndicatorsSync and
 * technicalindicators `calculate` take whole arrays). tests in kernels-wasm/src/wasm/series.test.ts
 * check that ours and the libraries compute the same values. Figures are CPU ns (process user +
 * system time, which leaves out the time a pass spends descheduled on a shared machine) per
 * input value, best of 9 passes after a warm-up; the floor is a loop that only reads the input. The last
 * line is the headline: the smallest margin of ours over the fastest library, across indicators;
 * then the per-kernel twin gate (twinGateFailures): exit code 1 when a WASM kernel is slower than its
 * TypeScript twin by more than the noise band.
 *
 *   bun bench/kernels-vs-libraries.ts
 */
import { IndicatorsSync } from "@ixjb94/indicators";
import { readFileSync } from "node:fs";
import * as ti from "technicalindicators";
import { BollingerBands, DonchianChannels, EMA, RSI } from "trading-signals";
import { createSeriesKernels } from "../kernels-wasm/index.ts";
import * as twin from "../kernels-wasm/src/twin/series.ts";

/** One indicator: CPU ns per input value (best pass) of ours (WASM, TS twin) and of each library, and the median passes of ours. */
export interface IndicatorRow {
  name: string; wasm: number; ts: number; signals: number; ixjb94: number; ti: number;
  wasmMedian: number; tsMedian: number;
}

/** Least noise band of the twin gate: a WASM kernel within 5% of its twin is a tie, not a failure. */
export const TWIN_GATE_MIN_BAND = 0.05;

/** A WASM kernel the twin gate fails, with the band it was judged by. */
export interface TwinGateFailure { name: string; wasm: number; ts: number; band: number }

/**
 * The per-kernel gate: a WASM kernel fails when its best pass is slower than its twin's best pass
 * by more than the noise band, the larger of TWIN_GATE_MIN_BAND and the best-to-median spread of
 * either side's passes in this run (the spread a pass shows on this machine at this load).
 */
export function twinGateFailures(rows: IndicatorRow[]): TwinGateFailure[] {
  const failed: TwinGateFailure[] = [];
  for (const r of rows) {
    const band = Math.max(TWIN_GATE_MIN_BAND, r.wasmMedian / r.wasm - 1, r.tsMedian / r.ts - 1);
    if (r.wasm > r.ts * (1 + band)) failed.push({ name: r.name, wasm: r.wasm, ts: r.ts, band });
  }
  return failed;
}

let PASSES = 9; // set by measureIndicators
let sink = 0;

/** Every indicator over the first `limit` EURUSD mids (all when undefined), best of `passes`; `floor` reads the input only. */
export function measureIndicators(passes = 9, limit?: number): { rows: IndicatorRow[]; floor: number; values: number } {
  PASSES = passes;
  const csv = readFileSync(new URL("../../shared/data/dukascopy/EURUSD/2019-02-04.csv", import.meta.url), "utf8");
  const mids: number[] = [];
  for (const line of csv.split("\n").slice(1)) {
    if (!line) continue;
    const [, bid, ask] = line.split(",");
    mids.push((Math.round(Number(bid) * 100_000) + Math.round(Number(ask) * 100_000)) / 2);
  }
  const N = limit === undefined ? mids.length : Math.min(limit, mids.length);
  mids.length = N;
  const src = Float64Array.from(mids);

  let lastMedian = 0;
  /** Best pass, CPU ns per value; the median pass is left in lastMedian. */
  function ns(run: () => void): number {
    run();
    const t: number[] = [];
    for (let p = 0; p < PASSES; p++) {
      const t0 = process.cpuUsage();
      run();
      const d = process.cpuUsage(t0);
      t.push(((d.user + d.system) * 1000) / N);
    }
    t.sort((a, b) => a - b);
    lastMedian = t[t.length >> 1];
    return t[0];
  }
  /** Ours, WASM then twin: best and median passes. */
  function ours(wasmRun: () => void, tsRun: () => void): Pick<IndicatorRow, "wasm" | "ts" | "wasmMedian" | "tsMedian"> {
    const wasm = ns(wasmRun), wasmMedian = lastMedian;
    const ts = ns(tsRun);
    return { wasm, ts, wasmMedian, tsMedian: lastMedian };
  }

  const k = createSeriesKernels(N, 64);
  const out = new Float64Array(N), out2 = new Float64Array(N);
  const lib = new IndicatorsSync();
  const floor = ns(() => { let s = 0; for (let i = 0; i < N; i++) s += src[i]; sink += s; });

  const rows: IndicatorRow[] = [
    {
      name: "EMA(20)",
      ...ours(() => { k.input.set(src); sink += k.ema(N, 20)[N - 1]; }, () => { twin.emaSeries(src, out, 20); sink += out[N - 1]; }),
      signals: ns(() => { const e = new EMA(20); for (let i = 0; i < N; i++) e.add(mids[i]); sink += e.getResultOrThrow(); }),
      ixjb94: ns(() => { sink += lib.ema(mids, 20)[N - 1]; }),
      ti: ns(() => { const r = ti.EMA.calculate({ period: 20, values: mids }); sink += r[r.length - 1]; }),
    },
    {
      name: "RSI(14)",
      ...ours(() => { k.input.set(src); sink += k.rsi(N, 14)[N - 1]; }, () => { twin.rsiSeries(src, out, 14); sink += out[N - 1]; }),
      signals: ns(() => { const e = new RSI(14); for (let i = 0; i < N; i++) e.add(mids[i]); sink += e.getResultOrThrow(); }),
      ixjb94: ns(() => { sink += lib.rsi(mids, 14)[N - 16]; }),
      ti: ns(() => { const r = ti.RSI.calculate({ period: 14, values: mids }); sink += r[r.length - 1]; }),
    },
    {
      name: "Donchian(20) max+min",
      ...ours(() => { k.input.set(src); const d = k.donchian(N, 20); sink += d.high[N - 1] - d.low[N - 1]; }, () => { twin.donchianSeries(src, out, out2, 20); sink += out[N - 1]; }),
      signals: ns(() => {
        const e = new DonchianChannels(20);
        for (let i = 0; i < N; i++) e.add({ high: mids[i], low: mids[i] });
        sink += e.getResultOrThrow().upper;
      }),
      ixjb94: ns(() => { sink += lib.max(mids, 20)[N - 20] - lib.min(mids, 20)[N - 20]; }),
      ti: ns(() => {
        const h = ti.Highest.calculate({ period: 20, values: mids }), l = ti.Lowest.calculate({ period: 20, values: mids });
        sink += h[h.length - 1] - l[l.length - 1];
      }),
    },
    {
      name: "z-score(20) SMA+SD",
      ...ours(() => { k.input.set(src); sink += k.zscore(N, 20)[N - 1]; }, () => { twin.zscoreSeries(src, out, 20); sink += out[N - 1]; }),
      signals: ns(() => { const e = new BollingerBands(20, 1); for (let i = 0; i < N; i++) e.add(mids[i]); sink += e.getResultOrThrow().middle; }),
      ixjb94: ns(() => { sink += lib.sma(mids, 20)[N - 20] + lib.stddev(mids, 20)[N - 20]; }),
      ti: ns(() => {
        const m = ti.SMA.calculate({ period: 20, values: mids }), s = ti.SD.calculate({ period: 20, values: mids });
        sink += m[m.length - 1] + s[s.length - 1];
      }),
    },
  ];
  return { rows, floor, values: N };
}

if (import.meta.main) {
  const { rows, floor, values: N } = measureIndicators();
  const table: string[][] = [["indicator", "wasm", "ts twin", "trading-signals", "@ixjb94", "technicalind.", "fastest lib / wasm", "wasm / floor"]];
  let worst = Infinity, worstName = "";
  for (const r of rows) {
    const fastest = Math.min(r.signals, r.ixjb94, r.ti);
    const margin = fastest / r.wasm;
    if (margin < worst) { worst = margin; worstName = r.name; }
    table.push([r.name, r.wasm.toFixed(2), r.ts.toFixed(2), r.signals.toFixed(2), r.ixjb94.toFixed(2), r.ti.toFixed(2),
      `${margin.toFixed(1)}x`, `${(r.wasm / floor).toFixed(1)}x`]);
  }
  table.push(["floor (read input)", floor.toFixed(2), "", "", "", "", "", "1.0x"]);
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  console.log(`CPU ns per input value, ${N} EURUSD mids, best of ${PASSES} passes`);
  for (const r of table) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  "));
  if (sink === 42) console.log("");
  console.log(`headline: every shared indicator is at least ${worst.toFixed(1)}x faster in wasm than the fastest library (tightest: ${worstName})`);
  // The per-kernel gate: a WASM kernel slower than its TypeScript twin beyond the noise band fails the bench.
  const slower = twinGateFailures(rows);
  for (const r of slower) {
    console.log(`FAIL: ${r.name}: wasm ${r.wasm.toFixed(2)} ns > ts twin ${r.ts.toFixed(2)} ns per value by more than the noise band (${(r.band * 100).toFixed(1)}%)`);
  }
  if (slower.length > 0) process.exitCode = 1;
}
