/**
 * The WebAssembly backend of the feature kernels: the binding that hides pointers from the
 * feature engine. Each FeatureKernels gets its own instance of the module (compiled once per
 * process); memory is laid out once by init() and never grows, so the feature, context and
 * correlation views are made once and stay valid.
 */
import { readFileSync } from "node:fs";
import type { FeatureKernels, QuoteBatch } from "../api.ts";
import type { FeatureKernelsConfig } from "../config.ts";
import { validateConfig } from "../config.ts";
import { ContextViews } from "../context.ts";
import { featureLayout } from "../layout.ts";
import { ensureWasm, ensureWasmAsync, type WasmVariant } from "./build.ts";

interface KernelExports {
  memory: WebAssembly.Memory;
  params(): number;
  init(): number;
  reset(): void;
  onQuote(i: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number): void;
  onQuoteBatch(count: number): void;
  onTrade(i: number, ts: number, price: number, size: number, side: number): void;
  onBook(i: number, ts: number, levels: number): void;
  correlation(): number;
  evictions(i: number): number;
  rejected(): number;
  featuresPtr(): number;
  contextPtr(): number;
  contextPos(i: number): number;
  batchPtr(): number;
  batchRows(): number;
  levelsPtr(): number;
}

/** WebAssembly feature kernels, with zero-copy batch buffers added to the common interface. */
export interface WasmFeatureKernels extends FeatureKernels {
  /** The module's own batch arrays (capacity rows): fill them and pass this object to onQuoteBatch to skip the copy. */
  readonly quoteBatch: QuoteBatch;
}

const modules = new Map<WasmVariant, WebAssembly.Module>();
let availability: boolean | undefined;

/** Returns the compiled module of `variant`, building the .wasm first when the sources changed. */
export function wasmModule(variant: WasmVariant = "release"): WebAssembly.Module {
  let m = modules.get(variant);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(ensureWasm(variant)));
    modules.set(variant, m);
  }
  return m;
}

/**
 * Builds (when the sources changed) and compiles the module without blocking the event loop;
 * call it at start-up or in a test's beforeAll (with a timeout of a minute: a cold build takes
 * 3-10 s on a busy 2-core machine) so that later synchronous creation finds it ready.
 */
export async function prepareWasmKernels(variant: WasmVariant = "release"): Promise<void> {
  await ensureWasmAsync(variant);
  wasmModule(variant);
}

/** Whether the WebAssembly kernels can be built and instantiated here (checked once). */
export function wasmAvailable(): boolean {
  if (availability === undefined) {
    try {
      availability = typeof WebAssembly === "object" && wasmModule("release") !== undefined;
    } catch {
      availability = false;
    }
  }
  return availability;
}

/** Creates the WebAssembly feature kernels; throws KERNELS_WASM_* errors when the module cannot build or load. */
export function createWasmKernels(config: FeatureKernelsConfig, variant: WasmVariant = "release"): WasmFeatureKernels {
  const c = validateConfig(config);
  const layout = featureLayout(c);
  const instance = new WebAssembly.Instance(wasmModule(variant), { env: { abort: wasmAbort } });
  const x = instance.exports as unknown as KernelExports;
  const p = new Float64Array(x.memory.buffer, x.params(), 64);
  p.set([c.instruments, c.ringCapacity, c.contextLength, c.spreadWindowUs, c.zscoreWindowUs, c.donchianWindowUs,
    c.pressureWindowUs, c.volumeZWindowUs, c.emaFastUs, c.emaSlowUs, c.rsiPeriod, c.imbalanceLevels,
    c.correlationHalfLifeUs, c.vwapWindowsUs.length, c.ewmaHalfLivesUs.length, c.realisedVolWindowsUs.length]);
  p.set(c.vwapWindowsUs, 16);
  p.set(c.ewmaHalfLivesUs, 24);
  p.set(c.realisedVolWindowsUs, 32);
  p[40] = c.correlationSampleUs;
  const width = x.init();
  if (width === 0) throw new Error(`KERNELS_WASM_OUT_OF_MEMORY: instruments=${c.instruments}, ringCapacity=${c.ringCapacity}`);
  if (width !== layout.width) throw new Error(`KERNELS_WASM_LAYOUT_MISMATCH: wasm=${width}, ts=${layout.width}`);

  const buf = x.memory.buffer;
  const n = c.instruments, L = c.contextLength;
  const featureViews = Array.from({ length: n }, (_, i) => new Float64Array(buf, x.featuresPtr() + i * width * 8, width));
  const contextViews = Array.from({ length: n }, (_, i) =>
    new ContextViews(new Float32Array(buf, x.contextPtr() + i * 2 * L * width * 4, 2 * L * width), L, width));
  const corr = new Float64Array(buf, x.correlation(), n * n);
  const rows = x.batchRows(), bp = x.batchPtr();
  const quoteBatch: QuoteBatch = {
    count: 0,
    ts: new Float64Array(buf, bp, rows),
    bid: new Float64Array(buf, bp + rows * 8, rows),
    ask: new Float64Array(buf, bp + rows * 16, rows),
    bidSize: new Float64Array(buf, bp + rows * 24, rows),
    askSize: new Float64Array(buf, bp + rows * 32, rows),
    instrument: new Int32Array(buf, bp + rows * 40, rows),
  };
  const levelBids = new Float64Array(buf, x.levelsPtr(), 64);
  const levelAsks = new Float64Array(buf, x.levelsPtr() + 64 * 8, 64);
  const onQuoteExport = x.onQuote;

  return {
    backend: "wasm",
    layout,
    quoteBatch,
    onQuote: onQuoteExport,
    onTrade: x.onTrade,
    onBook(i, ts, _bidPrices, bidSizes, _askPrices, askSizes, levels) {
      const k = levels < 64 ? levels : 64;
      for (let j = 0; j < k; j++) { levelBids[j] = bidSizes[j]; levelAsks[j] = askSizes[j]; }
      x.onBook(i, ts, k);
    },
    onQuoteBatch(b: QuoteBatch) {
      if (b === quoteBatch) { x.onQuoteBatch(b.count); return; }
      const q = quoteBatch;
      for (let start = 0; start < b.count; start += rows) {
        const m = b.count - start < rows ? b.count - start : rows;
        for (let k = 0; k < m; k++) {
          const s = start + k;
          q.ts[k] = b.ts[s]; q.instrument[k] = b.instrument[s]; q.bid[k] = b.bid[s];
          q.ask[k] = b.ask[s]; q.bidSize[k] = b.bidSize[s]; q.askSize[k] = b.askSize[s];
        }
        x.onQuoteBatch(m);
      }
    },
    features: (i) => featureViews[i],
    correlation() { x.correlation(); return corr; },
    context: (i) => contextViews[i].at(x.contextPos(i)),
    evictions: (i) => x.evictions(i),
    rejected: () => x.rejected(),
    reset: () => x.reset(),
  };
}

function wasmAbort(_msg: number, _file: number, line: number, column: number): never {
  throw new Error(`KERNELS_WASM_ABORT: line=${line}, column=${column}`);
}
