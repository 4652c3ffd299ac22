/**
 * Binding of the count-based indicator series kernels: one module instance of its own (the
 * series reserve memory, which the feature kernels' instances must never do), input and output
 * buffers sized once for up to `capacity` values, results returned as views into the module's
 * memory (valid until the next call of the same indicator).
 */
import { wasmModule } from "./kernels.ts";

interface SeriesExports {
  memory: WebAssembly.Memory;
  seriesReserve(bytes: number): number;
  emaSeries(src: number, out: number, n: number, period: number): void;
  rsiSeries(src: number, out: number, n: number, period: number): void;
  donchianSeries(src: number, hi: number, lo: number, n: number, period: number, scratch: number): void;
  zscoreSeries(src: number, out: number, n: number, period: number): void;
}

/** Indicator series kernels over inputs of up to `capacity` values. */
export interface SeriesKernels {
  /** The module's input buffer: write values here to skip the copy, then pass `n`. */
  readonly input: Float64Array;
  ema(n: number, period: number): Float64Array;
  rsi(n: number, period: number): Float64Array;
  donchian(n: number, period: number): { high: Float64Array; low: Float64Array };
  zscore(n: number, period: number): Float64Array;
}

/** Creates series kernels with room for `capacity` values and windows up to `maxPeriod`. */
export function createSeriesKernels(capacity: number, maxPeriod = 1024): SeriesKernels {
  const x = new WebAssembly.Instance(wasmModule("release"), { env: { abort() { throw new Error("KERNELS_WASM_ABORT"); } } })
    .exports as unknown as SeriesExports;
  const bytes = capacity * 8;
  const src = x.seriesReserve(bytes), a = x.seriesReserve(bytes), b = x.seriesReserve(bytes);
  const scratch = x.seriesReserve((maxPeriod + 1) * 16);
  if (!src || !a || !b || !scratch) throw new Error(`KERNELS_WASM_OUT_OF_MEMORY: capacity=${capacity}`);
  const buf = x.memory.buffer;
  const input = new Float64Array(buf, src, capacity);
  const outA = new Float64Array(buf, a, capacity), outB = new Float64Array(buf, b, capacity);
  const check = (n: number, period: number) => {
    if (!(n >= 0 && n <= capacity && period >= 1 && period <= maxPeriod)) {
      throw new Error(`KERNELS_SERIES_RANGE: n=${n}, capacity=${capacity}, period=${period}, maxPeriod=${maxPeriod}`);
    }
  };
  return {
    input,
    ema(n, period) { check(n, period); x.emaSeries(src, a, n, period); return outA.subarray(0, n); },
    rsi(n, period) { check(n, period); x.rsiSeries(src, a, n, period); return outA.subarray(0, n); },
    donchian(n, period) {
      check(n, period);
      x.donchianSeries(src, a, b, n, period, scratch);
      return { high: outA.subarray(0, n), low: outB.subarray(0, n) };
    },
    zscore(n, period) { check(n, period); x.zscoreSeries(src, a, n, period); return outA.subarray(0, n); },
  };
}
