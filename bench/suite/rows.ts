/**
 * The suite's rows: each runs an existing benchmark of bench/ as a module, at the size asked, and
 * returns its figure with the same-run baseline. Titles and targets follow issue 13's table.
 */
import type { BenchRow, BenchSize, Json, RowResult } from "./types.ts";

const pick = <T>(size: BenchSize, tiny: T, quick: T, full: T): T => (size === "tiny" ? tiny : size === "quick" ? quick : full);
const us = (ns: number) => Math.round(ns) / 1000;
const m = (x: number) => `${(x / 1e6).toFixed(2)} M`;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function backtest(real: boolean, size: BenchSize): Promise<RowResult> {
  const { measureBacktestReal, measureBacktestSynthetic } = await import("../backtest.ts");
  const r = real ? await measureBacktestReal("wasm", true) : await measureBacktestSynthetic("wasm", pick(size, 600, 14_400, 86_400));
  const warm: { [k: string]: Json } = r.warm === undefined ? {} : { secondRun: { eventsPerSecond: Math.round(r.warm.eventsPerSecond), floorEventsPerSecond: Math.round(r.warm.floorEventsPerSecond), floorRatio: r3(r.warm.floorRatio) } };
  if (r.warm !== undefined && r.warm.fillsHash !== r.fillsHash) throw new Error(`the second run's fills differ: ${r.warm.fillsHash} vs ${r.fillsHash}`);
  return {
    figures: { events: r.events, eventsPerSecond: Math.round(r.eventsPerSecond), floorRatio: r3(r.floorRatio), fills: r.fills, fillsHash: r.fillsHash, buildSeconds: r3(r.buildSeconds), ...warm },
    baseline: { what: "floor loop reading the same events from the same source", eventsPerSecond: Math.round(r.floorEventsPerSecond) },
    ratio: r.floorRatio, ratioOf: "pipeline / floor",
    text: `${m(r.eventsPerSecond)} events/s (${r.events.toLocaleString("en-US")} events)${r.warm ? `; second run ${m(r.warm.eventsPerSecond)}` : ""}`, baselineText: `floor ${m(r.floorEventsPerSecond)} events/s`,
  };
}

async function tickToOrder(paced: boolean, size: BenchSize): Promise<RowResult> {
  const { measureLatency } = await import("../latency.ts");
  // Tiny runs at speed 20 whatever the row, so that a 2-second run sends orders at all.
  const r = await measureLatency({
    seconds: pick(size, 2, 12, 20), speed: paced || size === "tiny" ? 20 : 1, busyPoll: paced, store: true,
    warmupSeconds: pick(size, 0.5, 3, 3), hotSeconds: paced ? pick(size, 600, 3600, 7200) : 0,
  });
  // The same session again with --idle-shadow (a copy of the deployment run while idle keeps the
  // pipeline's code cached; issue 13), in the same run.
  const s = await measureLatency({
    seconds: pick(size, 2, 12, 20), speed: paced || size === "tiny" ? 20 : 1, busyPoll: paced, store: true,
    warmupSeconds: pick(size, 0.5, 3, 3), hotSeconds: 0, idleShadow: true,
  });
  const t = r.paced, f = r.floor, h = r.hot;
  const l = r.lag;
  const w = s.paced;
  const idleShadow = { orders: w.count, p50Us: us(w.p50), p99Us: us(w.p99), p999Us: us(w.p999), maxUs: us(w.max), quoteLagP99Us: us(s.lag.p99) };
  const figures = { orders: t.count, p50Us: us(t.p50), p99Us: us(t.p99), p999Us: us(t.p999), maxUs: us(t.max), quoteLagP50Us: us(l.p50), quoteLagP99Us: us(l.p99), quoteLagMaxUs: us(l.max), idleShadow };
  const text = `p50 ${us(t.p50)} µs, p99 ${us(t.p99)} µs (${t.count} orders); quote lag p99 ${us(l.p99)} µs; with --idle-shadow p50 ${us(w.p50)} µs, p99 ${us(w.p99)} µs`;
  if (h !== null) {
    return {
      figures, baseline: { what: "the same deployment driven by the backtest loop", orders: h.count, p50Us: us(h.p50), p99Us: us(h.p99), timingFloorP99Us: us(f.p99) },
      ratio: t.p99 / Math.max(1, h.p99), ratioOf: "paced p99 / backtest-loop p99",
      text, baselineText: `backtest loop p50 ${us(h.p50)} µs, p99 ${us(h.p99)} µs`,
    };
  }
  return {
    figures, baseline: { what: "timing an empty span (two Bun.nanoseconds calls)", p50Us: us(f.p50), p99Us: us(f.p99) },
    ratio: t.p99 / Math.max(1, f.p99), ratioOf: "p99 / timing floor p99",
    text, baselineText: `timing floor p99 ${us(f.p99)} µs`,
  };
}

/** Every row, in the order of the issue's table. */
export const ROWS: BenchRow[] = [
  { key: "backtestReal", title: "backtest, real EURUSD day", target: ">= 3 M events/s, >= 0.3 of the floor", quick: true, run: (s) => backtest(true, s) },
  { key: "backtestSynthetic", title: "backtest, synthetic 28 pairs", target: ">= 5 M events/s", quick: true, run: (s) => backtest(false, s) },
  { key: "tickToOrderDefault", title: "tick-to-order, paper.yaml at speed 1, sleeping loop", target: "p99 <= 50 µs", quick: false, run: (s) => tickToOrder(false, s) },
  { key: "tickToOrderPaced", title: "tick-to-order, paced paper, --busy-poll, speed 20", target: "p99 <= 10 µs", quick: true, run: (s) => tickToOrder(true, s) },
  {
    key: "features", title: "whole feature set per quote, 28 instruments, batch 1024", target: "< 100 ns", quick: true,
    run: async (size) => {
      const { measureFeatures } = await import("../kernels.ts");
      const r = measureFeatures(28, pick(size, 20_000, 200_000, 200_000), pick(size, 2, 5, 9));
      return {
        figures: { nsPerQuote: r3(r.wasmNs), instruments: 28, batch: 1024 },
        baseline: { what: "the TypeScript twin of the kernels, and a loop reading the inputs", tsTwinNsPerQuote: r3(r.tsNs), floorNsPerQuote: r3(r.floorNs) },
        ratio: r.tsNs / r.wasmNs, ratioOf: "twin / wasm (speed-up)",
        text: `${r.wasmNs.toFixed(1)} ns/quote (wasm)`, baselineText: `ts twin ${r.tsNs.toFixed(1)} ns, floor ${r.floorNs.toFixed(1)} ns`,
      };
    },
  },
  {
    key: "kernelsVsTwin", title: "WASM kernel vs its TypeScript twin and the libraries", target: "every kernel faster than its twin, >= 5x the fastest library", quick: true,
    run: async (size) => {
      const { measureIndicators, twinGateFailures } = await import("../kernels-vs-libraries.ts");
      const r = measureIndicators(pick(size, 2, 5, 9), size === "tiny" ? 5_000 : undefined);
      const kernels: { [k: string]: { wasmNs: number; twinNs: number; fastestLibraryNs: number } } = {};
      for (const k of r.rows) kernels[k.name] = { wasmNs: r3(k.wasm), twinNs: r3(k.ts), fastestLibraryNs: r3(Math.min(k.signals, k.ixjb94, k.ti)) };
      const twin = Math.min(...r.rows.map((k) => k.ts / k.wasm));
      const lib = Math.min(...r.rows.map((k) => Math.min(k.signals, k.ixjb94, k.ti) / k.wasm));
      // A kernel fails when slower than its twin beyond the run's noise band (the kernels bench's own rule).
      const slower = twinGateFailures(r.rows).map((f) => `${f.name} (${(f.wasm / f.ts).toFixed(2)}x its twin, band ${(f.band * 100).toFixed(0)}%)`);
      return {
        figures: { kernels, minTwinOverWasm: r3(twin), minLibraryOverWasm: r3(lib), slowerThanTwin: slower },
        baseline: { what: "each kernel's TypeScript twin and the fastest of three npm indicator libraries, same input", floorNsPerValue: r3(r.floor) },
        ratio: twin, ratioOf: "slowest kernel: twin / wasm",
        text: `min twin/wasm ${twin.toFixed(2)}x, min library/wasm ${lib.toFixed(2)}x`, baselineText: `twins and libraries on ${r.values.toLocaleString("en-US")} mids`,
        failed: slower.length > 0 ? `WASM slower than its TypeScript twin beyond the noise band: ${slower.join(", ")}` : undefined,
      };
    },
  },
  {
    key: "adminQuoteLag", title: "quote lag p99 under admin load (req/s + WS clients)", target: "<= 1.1x the unloaded figure", quick: false,
    run: async (size) => {
      const { measureAdminLoad } = await import("../admin.ts");
      const r = await measureAdminLoad({ rps: pick(size, 500, 5000, 5000), seconds: pick(size, 1, 6, 6), rounds: pick(size, 1, 3, 3), wsClients: pick(size, 5, 50, 50), paths: "", loopBudgetMs: 2, thread: "worker" });
      return {
        figures: { loadedP99Us: us(r.lagLoad), requestsPerSecond: Math.round(r.rps), requestP99Ms: r3(r.reqP99Ms), admin: "worker front", pinned: r.pinned },
        baseline: { what: "the same session's quote lag in the rounds without admin load", unloadedP99Us: us(r.lagIdle) },
        ratio: r.lagLoad / Math.max(1, r.lagIdle), ratioOf: "loaded / unloaded p99",
        text: `${us(r.lagLoad)} µs at ${Math.round(r.rps)} req/s`, baselineText: `unloaded ${us(r.lagIdle)} µs`,
      };
    },
  },
  {
    key: "shmFrameRtt", title: "shm 64-byte frame round trip (msgpack control, binary hot messages)", target: "p99 <= 2 µs", quick: true,
    run: async (size) => {
      const { measureShmFrames } = await import("../shm.ts");
      const r = await measureShmFrames(pick(size, 2_000, 10_000, 200_000), pick(size, 20_000, 50_000, 2_000_000));
      return {
        figures: {
          p50Us: r3(r.binary.p50), p99Us: r3(r.binary.p99), framesPerSecond: Math.round(r.binary.fps),
          msgpack: { p50Us: r3(r.msgpack.p50), p99Us: r3(r.msgpack.p99), framesPerSecond: Math.round(r.msgpack.fps) },
          pinned: r.binary.pinned ?? "not pinned",
        },
        baseline: { what: "the same rings carrying the same 64 bytes as msgpack frames (the control path), and echoed raw (no decoding)", p50Us: r3(r.msgpack.p50), p99Us: r3(r.msgpack.p99), framesPerSecond: Math.round(r.msgpack.fps), rawP50Us: r3(r.raw.p50), rawP99Us: r3(r.raw.p99) },
        ratio: r.binary.p99 / r.msgpack.p99, ratioOf: "binary p99 / msgpack p99",
        text: `binary p50 ${r.binary.p50.toFixed(2)} µs, p99 ${r.binary.p99.toFixed(2)} µs`, baselineText: `msgpack p50 ${r.msgpack.p50.toFixed(2)} µs, p99 ${r.msgpack.p99.toFixed(2)} µs; raw p99 ${r.raw.p99.toFixed(2)} µs`,
      };
    },
  },
  {
    key: "matching", title: "matching, exchange-core mix", target: ">= 10 M ops/s; per-op p50 <= 0.5 µs, p99.99 <= 5 µs", quick: true,
    run: async (size) => {
      const { measureMatching } = await import("../matching.ts");
      const r = measureMatching(pick(size, 20_000, 200_000, 1_000_000), pick(size, 1, 3, 7), pick(size, 1, 1, 3));
      return {
        figures: { opsPerSecond: Math.round(r.opsPerSecond), perOpP50Us: us(r.perOp.p50), perOpP99Us: us(r.perOp.p99), perOpP9999Us: us(r.perOp.p9999), pacedOpsPerSecond: r.perOp.ratePerSecond, responseP9999Us: us(r.perOp.response.p9999), floorP9999Us: us(r.perOp.floor.p9999), busyFloorP9999Us: us(r.perOp.busyFloor.p9999), slowOps: r.perOp.slowByOp.reduce((a, b) => a + b, 0), slowFloor: r.perOp.slowFloor, equalDepth: r.equalDepth },
        baseline: { what: "nodejs-order-book replaying the same seeded stream", opsPerSecond: Math.round(r.libOpsPerSecond) },
        ratio: r.opsPerSecond / r.libOpsPerSecond, ratioOf: "L3Book / nodejs-order-book ops/s",
        text: `${m(r.opsPerSecond)} ops/s, per op at 1 M ops/s p50 ${us(r.perOp.p50)} µs, p99.99 ${us(r.perOp.p9999)} µs (busy floor p99.99 ${us(r.perOp.busyFloor.p9999)} µs)`, baselineText: `nodejs-order-book ${m(r.libOpsPerSecond)} ops/s`,
        failed: r.equalDepth ? undefined : "final depths differ between the two books",
      };
    },
  },
  {
    key: "fixDecode", title: "FIX decode + read of an ExecutionReport", target: ">= 3 M msgs/s", quick: true,
    run: async (size) => {
      const { measureFixCodec } = await import("../fix-codec.ts");
      const { measureQuickFix } = await import("../quickfix-baseline.ts");
      const { sampleExecutionReport } = await import("../../plugins/venues/fix44/testing/messages.ts");
      const rounds = pick(size, 1, 3, 5), roundMs = pick(size, 50, 200, 400);
      const rows = await measureFixCodec({ rounds, roundMs, onlyExecutionReport: true });
      const [, ours, theirs, oursCpu] = rows.find(([name]) => name === "decode+read ExecutionReport")!;
      const qf = await measureQuickFix(sampleExecutionReport(), rounds, roundMs);
      const qfFigures: Json = "unavailable" in qf ? { unavailable: qf.unavailable } : { validatedMessagesPerSecond: Math.round(qf.validated), unvalidatedMessagesPerSecond: Math.round(qf.unvalidated), compileSeconds: r3(qf.compileSeconds) };
      return {
        figures: { messagesPerSecond: Math.round(ours), nsPerMessage: r3(1e9 / ours), cpuMessagesPerSecond: Math.round(oursCpu), cpuNsPerMessage: r3(1e9 / oursCpu), ...("unavailable" in qf ? {} : { overQuickFix: r3(ours / qf.validated) }) },
        baseline: { what: "jspurefix's AsciiParser on the same messages; QuickFIX C++ (FIX::Message::setString with the FIX 4.4 dictionary, fields read) built and run in the same bench", messagesPerSecond: Math.round(theirs), quickfix: qfFigures },
        ratio: ours / theirs, ratioOf: "kestrel / jspurefix msgs/s",
        text: `${m(ours)} msgs/s (${m(oursCpu)} per CPU-second)`,
        baselineText: `jspurefix ${m(theirs)} msgs/s; ${"unavailable" in qf ? `QuickFIX C++ unavailable: ${qf.unavailable}` : `QuickFIX C++ ${m(qf.validated)} msgs/s validated (${m(qf.unvalidated)} unvalidated), kestrel ${(ours / qf.validated).toFixed(1)}x`}`,
      };
    },
  },
  {
    key: "varInProcess", title: "Monte Carlo VaR in process, 28 assets", target: ">= 10 M paths/s", quick: true,
    run: async (size) => {
      const { measureVarInProcess, rateOf } = await import("../var-in-process.ts");
      const r = measureVarInProcess(pick(size, 20_000, 500_000, 2_000_000), pick(size, 1, 1, 3));
      const wasm = rateOf(r, "wasm per-instrument normal"), one = rateOf(r, "wasm exact-linear normal"), ts = rateOf(r, "ts per-instrument normal");
      return {
        figures: {
          pathsPerSecond: Math.round(r.normalPathsPerSecond), studentTPathsPerSecond: Math.round(r.studentTPathsPerSecond),
          wasmPathsPerSecond: Math.round(wasm.wall), wasmCpuPathsPerSecond: Math.round(wasm.cpu),
          exactLinearPathsPerSecond: Math.round(one.wall), exactLinearCpuPathsPerSecond: Math.round(one.cpu),
          defaultCpuPathsPerSecond: Math.round(ts.cpu),
        },
        baseline: { what: "the default engine's sampler alone (28 standard normals drawn and summed per path); the default engine (ts, per-instrument) for the wasm and exact-linear figures", pathsPerSecond: Math.round(r.samplerPathsPerSecond) },
        ratio: r.normalPathsPerSecond / r.samplerPathsPerSecond, ratioOf: "VaR / sampler paths/s",
        text: `${m(r.normalPathsPerSecond)} paths/s (normal, default ts engine); wasm ${m(wasm.wall)} (${(wasm.cpu / ts.cpu).toFixed(2)}x CPU), exact-linear wasm ${m(one.wall)} (${(one.cpu / ts.cpu).toFixed(2)}x CPU)`,
        baselineText: `sampler ${m(r.samplerPathsPerSecond)} paths/s`,
      };
    },
  },
  {
    key: "importBi5", title: "bi5 import of the real EURUSD day into DuckDB", target: "faster than the JS LZMA decoder allows (194k ticks/s)", quick: false,
    run: async (size) => {
      const { measureImport } = await import("../import-bi5.ts");
      const { measureLzma } = await import("../lzma-decode.ts");
      const r = await measureImport(pick(size, 1, 1, 5), false);
      const z = measureLzma(pick(size, 1, 3, 7));
      return {
        figures: {
          ticksPerSecond: Math.round(r.bi5), decodeOnlyTicksPerSecond: Math.round(r.decBi5),
          lzma: { files: z.files, identicalOutput: true, ticksPerSecond: Math.round(z.after.ticksPerS), beforeRewriteTicksPerSecond: Math.round(z.before.ticksPerS), overBeforeRewrite: r3(z.after.ticksPerS / z.before.ticksPerS), nativeDecoder: z.native.note },
        },
        baseline: { what: "importing the same day from its decoded CSV; the LZMA decoder as it was before its rewrite, on every real .bi5 file", ticksPerSecond: Math.round(r.csv), lzmaBeforeRewriteTicksPerSecond: Math.round(z.before.ticksPerS) },
        ratio: r.bi5 / r.csv, ratioOf: "bi5 / CSV import ticks/s",
        text: `${Math.round(r.bi5).toLocaleString("en-US")} ticks/s; LZMA alone ${Math.round(z.after.ticksPerS).toLocaleString("en-US")} ticks/s (${(z.after.ticksPerS / z.before.ticksPerS).toFixed(2)}x the old decoder, ${z.files} files identical)`,
        baselineText: `CSV ${Math.round(r.csv).toLocaleString("en-US")} ticks/s; old LZMA decoder ${Math.round(z.before.ticksPerS).toLocaleString("en-US")} ticks/s`,
      };
    },
  },
];
