/**
 * Test and benchmark inputs for the signal model: random windows, and real context windows
 * built by the feature kernels from the Dukascopy EURUSD day in ../shared/data (prices in
 * 1e-5 ticks, volumes in 1e4 units, as the kernels' Dukascopy test feeds them).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createFeatureKernels, defaultFeatureConfig, type FeatureKernels } from "../../kernels-wasm/index.ts";

/** The shared Dukascopy EURUSD day. */
export const DUKASCOPY_CSV = fileURLToPath(new URL("../../../shared/data/dukascopy/EURUSD/2019-02-04.csv", import.meta.url));

/** Quotes of the Dukascopy day as integer columns. */
export interface QuoteColumns { ts: number[]; bid: number[]; ask: number[]; bidSize: number[]; askSize: number[] }

/** Reads the first `limit` quotes of the Dukascopy day. */
export function readDukascopy(limit = Infinity): QuoteColumns {
  const lines = readFileSync(DUKASCOPY_CSV, "utf8").split("\n");
  const q: QuoteColumns = { ts: [], bid: [], ask: [], bidSize: [], askSize: [] };
  for (let i = 1; i < lines.length && q.ts.length < limit; i++) {
    const f = lines[i]!.split(",");
    if (f.length < 5) continue;
    q.ts.push(Number(f[0]) * 1000);
    q.bid.push(Math.round(Number(f[1]) * 100_000));
    q.ask.push(Math.round(Number(f[2]) * 100_000));
    q.bidSize.push(Math.round(Number(f[3]) * 100));
    q.askSize.push(Math.round(Number(f[4]) * 100));
  }
  return q;
}

/** Feeds instrument i the quotes starting at row i * stride, for `quotes` quotes each, in time order per instrument. */
export function feedInstruments(k: FeatureKernels, q: QuoteColumns, instruments: number, quotes: number, stride: number): void {
  for (let n = 0; n < quotes; n++) {
    for (let i = 0; i < instruments; i++) {
      const r = (i * stride + n) % q.ts.length;
      k.onQuote(i, q.ts[r]!, q.bid[r]!, q.ask[r]!, q.bidSize[r]!, q.askSize[r]!);
    }
  }
}

/** Returns `count` real windows of the newest `rows` rows, one instrument at different times of the day. */
export function realWindows(count: number, rows: number): { windows: Float32Array; width: number } {
  const q = readDukascopy();
  const k = createFeatureKernels(defaultFeatureConfig(1));
  const width = k.layout.width;
  const per = rows * width;
  const windows = new Float32Array(count * per);
  const step = Math.floor(q.ts.length / (count + 1));
  let taken = 0;
  for (let r = 0; r < q.ts.length && taken < count; r++) {
    k.onQuote(0, q.ts[r]!, q.bid[r]!, q.ask[r]!, q.bidSize[r]!, q.askSize[r]!);
    if (r > 0 && r % step === 0) {
      const c = k.context(0);
      windows.set(c.subarray(c.length - per), taken * per);
      taken++;
    }
  }
  return { windows, width };
}

/** Returns `count` random windows: features of mixed scales (1e-3 to 1e5), as raw kernel outputs have. */
export function randomWindows(count: number, rows: number, width: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const out = new Float32Array(count * rows * width);
  for (let b = 0; b < count; b++) {
    for (let f = 0; f < width; f++) {
      const scale = 10 ** (u() * 8 - 3);
      const level = (u() - 0.5) * scale * 10;
      for (let r = 0; r < rows; r++) out[(b * rows + r) * width + f] = level + (u() - 0.5) * scale;
    }
  }
  return out;
}
