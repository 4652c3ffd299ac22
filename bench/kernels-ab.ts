/**
 * Same-run A/B of feature-kernel builds: loads .wasm files built from different AssemblyScript
 * sources (the first is the base), first checks that every other build gives the base's bytes
 * (every feature after every event, and context rows, correlation and eviction counts every 97
 * events, over mixed quote/trade/book streams with bursts, gaps, stale timestamps and ring
 * overruns, in small and default configurations), then times them in alternating passes on
 * bench/kernels.ts's quote stream (CPU ns per quote, batches of 1,024, best and median). A
 * variant that is only for timing (a part cut out) skips the check with --no-check.
 *
 *   node node_modules/assemblyscript/bin/asc.js <dir>/index.ts -O3 --noAssert --runtime stub --enable simd -o /tmp/x.wasm
 *   bun bench/kernels-ab.ts [--passes 15] [--instruments 28] [--no-check] base.wasm x.wasm ...
 */
import { readFileSync } from "node:fs";
import { defaultFeatureConfig, featureLayout, validateConfig, type FeatureKernelsConfig } from "../kernels-wasm/index.ts";
import { smallConfig } from "../kernels-wasm/src/testing/events.ts";

interface Exports {
  memory: WebAssembly.Memory;
  params(): number; init(): number; reset(): void;
  onQuote(i: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number): void;
  onQuoteBatch(count: number): void;
  onTrade(i: number, ts: number, price: number, size: number, side: number): void;
  onBook(i: number, ts: number, levels: number): void;
  correlation(): number; evictions(i: number): number; contextPos(i: number): number;
  featuresPtr(): number; contextPtr(): number; batchPtr(): number; batchRows(): number; levelsPtr(): number;
}

/** One instantiated build, configured as the real binding configures it. */
interface Build { x: Exports; n: number; feats: Float64Array; ctx: Float32Array; levels: Float64Array; batch: Float64Array[]; inst: Int32Array }

function load(path: string, config: FeatureKernelsConfig): Build {
  const c = validateConfig(config);
  const x = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { env: { abort: () => { throw new Error(`abort in ${path}`); } } }).exports as unknown as Exports;
  const p = new Float64Array(x.memory.buffer, x.params(), 64);
  p.set([c.instruments, c.ringCapacity, c.contextLength, c.spreadWindowUs, c.zscoreWindowUs, c.donchianWindowUs,
    c.pressureWindowUs, c.volumeZWindowUs, c.emaFastUs, c.emaSlowUs, c.rsiPeriod, c.imbalanceLevels,
    c.correlationHalfLifeUs, c.vwapWindowsUs.length, c.ewmaHalfLivesUs.length, c.realisedVolWindowsUs.length]);
  p.set(c.vwapWindowsUs, 16); p.set(c.ewmaHalfLivesUs, 24); p.set(c.realisedVolWindowsUs, 32);
  p[40] = c.correlationSampleUs;
  const width = x.init();
  if (width !== featureLayout(c).width) throw new Error(`KERNELS_AB_LAYOUT: file=${path}, width=${width}`);
  const buf = x.memory.buffer, rows = x.batchRows(), bp = x.batchPtr();
  return { x, n: c.instruments, feats: new Float64Array(buf, x.featuresPtr(), c.instruments * width),
    ctx: new Float32Array(buf, x.contextPtr(), c.instruments * 2 * c.contextLength * width),
    levels: new Float64Array(buf, x.levelsPtr(), 128),
    batch: [0, 1, 2, 3, 4].map((k) => new Float64Array(buf, bp + rows * 8 * k, rows)), inst: new Int32Array(buf, bp + rows * 40, rows) };
}

function sameBytes(a: Float64Array | Float32Array, b: Float64Array | Float32Array, what: string): void {
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) throw new Error(`KERNELS_AB_DIFFERS: ${what}, byte=${i}`);
}

/** Replays one mixed stream into both builds, comparing after every event. */
function check(base: string, other: string, name: string, cfg: FeatureKernelsConfig, events: number, seed: number, gap: number): void {
  const A = load(base, cfg), B = load(other, cfg), n = cfg.instruments;
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  let ts = 1_700_000_000_000_000;
  const px = Array.from({ length: n }, (_, i) => 100_000 + i * 1000);
  for (let e = 0; e < events; e++) {
    const i = Math.floor(rnd() * n), u = rnd();
    ts += u < 0.1 ? 0 : u < 0.98 ? Math.round(-Math.log(1 - rnd()) * gap) : Math.round(rnd() * gap * 5000);
    const t = rnd() < 0.02 ? ts - Math.round(rnd() * gap * 10) : ts;
    px[i] += Math.floor(rnd() * 5) - 2;
    const kind = rnd(), spread = 1 + (e % 3);
    for (const K of [A, B]) {
      if (kind < 0.7) K.x.onQuote(i, t, px[i], px[i] + spread, 1 + (e % 37), e % 5 === 0 ? 0 : 1 + (e % 23));
      else if (kind < 0.9) K.x.onTrade(i, t, px[i], e % 7 === 0 ? 0 : 1 + (e % 41), e % 2 ? 1 : -1);
      else { for (let j = 0; j < 5; j++) { K.levels[j] = (e + j) % 9; K.levels[64 + j] = (e * 3 + j) % 7; } K.x.onBook(i, t, 5); }
    }
    sameBytes(A.feats, B.feats, `${name}, event=${e}, features`);
    if (A.x.contextPos(i) !== B.x.contextPos(i)) throw new Error(`KERNELS_AB_DIFFERS: ${name}, event=${e}, context position`);
    if (e % 97 === 0 || e === events - 1) {
      sameBytes(A.ctx, B.ctx, `${name}, event=${e}, context`);
      sameBytes(new Float64Array(A.x.memory.buffer, A.x.correlation(), n * n), new Float64Array(B.x.memory.buffer, B.x.correlation(), n * n), `${name}, event=${e}, correlation`);
      for (let j = 0; j < n; j++) if (A.x.evictions(j) !== B.x.evictions(j)) throw new Error(`KERNELS_AB_DIFFERS: ${name}, event=${e}, evictions`);
    }
  }
}

/** bench/kernels.ts's stream: a random walk per instrument, exponential gaps averaging 20 ms per instrument. */
function stream(instruments: number, quotes: number): { cols: Float64Array[]; inst: Int32Array } {
  const cols = [0, 1, 2, 3, 4].map(() => new Float64Array(quotes)), inst = new Int32Array(quotes);
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const px = Array.from({ length: instruments }, (_, i) => 100_000 + i * 1_000);
  let ts = 1_700_000_000_000_000;
  for (let k = 0; k < quotes; k++) {
    const i = k % instruments;
    ts += Math.round(-Math.log(1 - rnd()) * 20_000 / instruments);
    px[i] += Math.floor(rnd() * 5) - 2;
    cols[0][k] = ts; inst[k] = i; cols[1][k] = px[i]; cols[2][k] = px[i] + 1 + Math.floor(rnd() * 3);
    cols[3][k] = 1 + Math.floor(rnd() * 50); cols[4][k] = 1 + Math.floor(rnd() * 50);
  }
  return { cols, inst };
}

function pass(k: Build, s: { cols: Float64Array[]; inst: Int32Array }): number {
  const q = s.inst.length;
  k.x.reset();
  const t0 = process.cpuUsage();
  for (let start = 0; start < q; start += 1024) {
    const m = Math.min(1024, q - start);
    for (let c = 0; c < 5; c++) k.batch[c].set(s.cols[c].subarray(start, start + m));
    k.inst.set(s.inst.subarray(start, start + m));
    k.x.onQuoteBatch(m);
  }
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / q;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number) => { const i = args.indexOf(name); if (i < 0) return dflt; const v = Number(args[i + 1]); args.splice(i, 2); return v; };
  const passes = opt("--passes", 15), instruments = opt("--instruments", 28);
  const noCheck = args.includes("--no-check");
  const files = args.filter((a) => a !== "--no-check");
  const loadavg = () => readFileSync("/proc/loadavg", "utf8").trim();
  console.log(`load at start: ${loadavg()}`);
  if (!noCheck) {
    for (const f of files.slice(1)) {
      check(files[0], f, "small, 1 instrument, ring 16", smallConfig(1, 16), 4000, 1, 150);
      check(files[0], f, "small, 3 instruments, ring 64", smallConfig(3, 64), 6000, 100, 300);
      check(files[0], f, "small, Donchian = z-score window", { ...smallConfig(2, 64), donchianWindowUs: 3_000 }, 6000, 300, 200);
      check(files[0], f, "small, Donchian = spread = rvol window", { ...smallConfig(2, 64), donchianWindowUs: 20_000, spreadWindowUs: 20_000 }, 6000, 350, 200);
      check(files[0], f, "default, 28 instruments", defaultFeatureConfig(28), 100_000, 400, 700);
      check(files[0], f, "default, 3 instruments, ring 256", { ...defaultFeatureConfig(3), ringCapacity: 256 }, 30_000, 500, 20_000);
      console.log(`identical to the base: ${f}`);
    }
  }
  const s = stream(instruments, 200_000);
  const builds = files.map((f) => load(f, defaultFeatureConfig(instruments)));
  const times: number[][] = files.map(() => []);
  for (let p = 0; p <= passes; p++) builds.forEach((b, i) => { const t = pass(b, s); if (p > 0) times[i].push(t); });
  files.forEach((f, i) => {
    const t = times[i].sort((a, b) => a - b);
    console.log(`${f}: best ${t[0].toFixed(1)} ns/quote, median ${t[t.length >> 1].toFixed(1)}, best/base ${(t[0] / times[0][0]).toFixed(2)}`);
  });
  console.log(`load at end: ${loadavg()}`);
}
