/**
 * What isolating a strategy costs: the real EURUSD day (configs/backtest.yaml, both demo
 * strategies) driven by the backtest loop, with the strategies in process, in sleeping isolates,
 * in spinning isolates, in spinning isolates whose submit and queued writes cross as msgpack (the
 * protocol before the binary frames), and in spinning isolates without the context mirror (every
 * context call a round trip, msgpack, the protocol before the mirror), in the same run. Tick-to-order is measured by the core
 * (quote handed to the pipeline → order leaves for the venue), so it includes the isolate's round
 * trips; the fills hash shows the runs traded identically. Beside the latencies, figures that do
 * not depend on how the machine schedules: ring round trips per hook call, and the CPU time of the
 * loop's thread and of the isolates' threads per hook call (from /proc, 10 ms ticks summed over the
 * run). Last, the bare round trip of a spinning isolate whose plugin does nothing, hook call by
 * hook call, against the same plugin in process.
 *
 *   bun bench/isolation.ts [--max-events N] [--only NAME] [--pin L:I] [--bare N]
 *
 * `--max-events N` stops each run after the first N market events of the day (the same slice for
 * all three), for a machine where the isolated runs of the whole day take too long.
 * `--only NAME` keeps one strategy of the deployment (one isolate). `--pin L:I` pins the loop's
 * thread to core L and every thread the session starts (the isolates' workers) to core I
 * (`sched_setaffinity` by thread id), so the loop and the isolate never share a core; it prints which threads it pinned.
 * `--bare N` times N bare round trips (default 20,000; 0 skips them). `--rounds K` then runs K
 * more pairs of in process / spinning isolate, alternating, and the headline is the median of the
 * K paired p50 differences (one pair is at the mercy of what else the machine does in its second).
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { createStrategyHarness } from "../plugins/sdk/harness.ts";
import type { StrategyPlugin } from "../plugins/sdk/strategy.ts";
import noop from "../runtime/plugins/isolate/fixtures/noop.ts";
import { isolateDefaults, isolateStrategy } from "../runtime/plugins/isolate/isolated-strategy.ts";
import { MIRROR_BYTES } from "../runtime/plugins/isolate/mirror-layout.ts";
import { MirrorWriter } from "../runtime/plugins/isolate/mirror-writer.ts";
import { buildSession } from "../runtime/session/build.ts";
import { pinThread } from "../runtime/kernel/thread-affinity.ts";

const file = resolve(import.meta.dir, "../configs/backtest.yaml");
const at = process.argv.indexOf("--max-events");
const maxEvents = at > 0 ? Number(process.argv[at + 1]) : Number.POSITIVE_INFINITY;
if (!(maxEvents > 0)) throw new Error(`--max-events: expected a positive number, got ${process.argv[at + 1]}`);
const loaded = loadConfig(file, {});
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const pinAt = process.argv.indexOf("--pin");
const pin = pinAt > 0 ? /^(\d+):(\d+)$/.exec(process.argv[pinAt + 1] ?? "") : null;
if (pinAt > 0 && pin === null) throw new Error(`--pin: expected LOOP_CORE:ISOLATE_CORE such as 0:1, got ${process.argv[pinAt + 1]}`);

/** This process's threads (ids). */
const threads = (): Set<string> => new Set(readdirSync("/proc/self/task"));
/** Pins thread `tid` (0: this one) to `core`; throws with the reason when it cannot. */
function pinTo(tid: string | number, core: string): void {
  const why = pinThread(Number(tid), Number(core));
  if (why !== null) throw new Error(`--pin: ${why}`);
}
if (pin !== null) pinTo(0, pin[1]!);
const roundsAt = process.argv.indexOf("--rounds");
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 0;
if (!(Number.isInteger(rounds) && rounds >= 0)) throw new Error(`--rounds: expected a count, got ${process.argv[roundsAt + 1]}`);
const bareAt = process.argv.indexOf("--bare");
const bareCalls = bareAt > 0 ? Number(process.argv[bareAt + 1]) : 20_000;
if (!(bareCalls >= 0)) throw new Error(`--bare: expected a count, got ${process.argv[bareAt + 1]}`);

/** Loop events run before the tick-to-order histogram is reset (the same slice of events is run either way). */
const WARM_UP = 2_000;

/** CPU time (user + system) of one thread of this process so far, ms (NaN once it has ended); `tid` omitted: the calling thread. */
function cpuMs(tid?: string): number {
  let stat: string;
  try {
    stat = readFileSync(tid === undefined ? "/proc/thread-self/stat" : `/proc/self/task/${tid}/stat`, "utf8");
  } catch {
    return Number.NaN;
  }
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms; f starts at field 3.
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function measure(label: string, isolate: boolean, spin: boolean, mirror: boolean, binary: boolean) {
  const config = structuredClone(loaded.ok ? loaded.config : (undefined as never));
  // A generous budget: this measures latency, and on a loaded machine a worker descheduled for a
  // quarter of a second would otherwise be terminated by the watchdog mid-run.
  if (only !== undefined) config.strategies = config.strategies.filter((s) => s.name === only);
  if (config.strategies.length === 0) throw new Error(`--only: no strategy ${only} in ${file}`);
  for (const s of config.strategies) Object.assign(s, { isolate, spin, budgetUs: 30_000_000 });
  const before = threads();
  isolateDefaults.mirror = mirror;
  isolateDefaults.binary = binary;
  const session = await buildSession(config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  const started = [...threads()].filter((t) => !before.has(t));
  if (pin !== null) {
    for (const t of started) pinTo(t, pin[2]!);
    const names = started.map((t) => readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim());
    console.log(`  ${label}: loop thread on core ${pin[1]}; ${started.length} new thread(s) on core ${pin[2]}: ${names.join(", ") || "none"}`);
  }
  session.core.measureLatency = true;
  session.core.host.start();
  const t0 = Bun.nanoseconds();
  const loopCpu0 = cpuMs();
  // The threads the session started (the isolates' workers and their helpers) that live through the run.
  const isolateCpu0 = started.map((t) => cpuMs(t));
  // Warm-up (the JIT of each path): the orders of the first 2,000 loop events are not timed. Before,
  // the reset came after a third batch of 20,000, which a --max-events run never reached, so every
  // figure held its warm-up, the in-process run (first in the process, coldest) most.
  session.loop.runUntil(Infinity, WARM_UP);
  session.core.tickToOrder.reset();
  for (let batch = 0; !session.loop.exhausted && session.loop.marketEvents < maxEvents; batch++) session.loop.runUntil(Infinity, batch === 0 ? 20_000 - WARM_UP : 20_000);
  const wallNs = Bun.nanoseconds() - t0;
  const loopCpuMs = cpuMs() - loopCpu0;
  const isolateCpuMs = started.reduce((sum, t, k) => {
    const d = cpuMs(t) - isolateCpu0[k]!;
    return Number.isNaN(d) ? sum : sum + d;
  }, 0);
  const h = session.core.tickToOrder.summary();
  const fills = session.core.fillsHash();
  const quarantined = session.core.host.slots.filter((s) => s.state === "quarantined").map((s) => `${s.name}: ${s.failure}`);
  const events = session.loop.marketEvents;
  // Round trips over the rings per hook call: each context call (book, features, position, ...) is one more.
  let hookCalls = 0;
  let contextCalls = 0;
  let queuedWrites = 0;
  const by: Record<string, number> = {};
  for (const slot of session.core.host.slots) {
    const st = (slot.plugin as { stats?(): { hookCalls: number; contextCalls: number; queuedWrites: number; roundTripsBy: Record<string, number> } }).stats?.();
    hookCalls += st?.hookCalls ?? 0;
    contextCalls += st?.contextCalls ?? 0;
    queuedWrites += st?.queuedWrites ?? 0;
    for (const [m, n] of Object.entries(st?.roundTripsBy ?? {})) by[m] = (by[m] ?? 0) + n;
  }
  await session.close();
  isolateDefaults.mirror = true;
  isolateDefaults.binary = true;
  return { label, h, wallNs, fills, quarantined, events, hookCalls, contextCalls, queuedWrites, by, loopCpuMs, isolateCpuMs };
}

/** Quantile `q` of sorted nanoseconds. */
const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Times `n` quote hook calls of the do-nothing plugin, in process or in a spinning isolate (with the mirror written each time). */
function bare(plugin: StrategyPlugin, n: number): Float64Array {
  const h = createStrategyHarness(plugin, { instruments: [{ id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 }] });
  const hooks = plugin.create(h.ctx);
  const q = { ts: 0, instrument: 0, bid: 114_500, ask: 114_502, bidSize: 1_000_000, askSize: 900_000 };
  const out = new Float64Array(n);
  for (let k = -2000; k < n; k++) {
    q.ts = k;
    const t = Bun.nanoseconds();
    hooks.onQuote!(h.ctx, q);
    if (k >= 0) out[k] = Bun.nanoseconds() - t;
  }
  return out.sort();
}

const us = (ns: number) => (ns / 1000).toFixed(2);
console.log(`configs/backtest.yaml${only === undefined ? "" : ` (${only} only)`}, ${Number.isFinite(maxEvents) ? `first ${maxEvents} market events` : "whole day"}${pin === null ? "" : `, pinned ${pin[1]}:${pin[2]}`}; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
console.log("strategies                          events  orders    p50 µs   p99 µs  p99.9 µs   wall s   p50 added µs   p99 added µs");
const runs: Awaited<ReturnType<typeof measure>>[] = [];
const plan = [
  ["in process", false, false, true, true],
  ["isolated, sleeping", true, false, true, true],
  ["isolated, spinning", true, true, true, true],
  ["isolated, spinning, msgpack calls", true, true, true, false],
  ["isolated, spinning, no mirror", true, true, false, false],
] as const;
for (const [label, isolate, spin, mirror, binary] of plan) {
  const r = await measure(label, isolate, spin, mirror, binary);
  runs.push(r);
  const base = runs[0]!;
  console.log(
    `${r.label.padEnd(34)} ${String(r.events).padStart(7)} ${String(r.h.count).padStart(7)}  ${us(r.h.p50).padStart(8)} ${us(r.h.p99).padStart(8)} ${us(r.h.p999).padStart(9)} ${(r.wallNs / 1e9).toFixed(2).padStart(8)} ${us(r.h.p50 - base.h.p50).padStart(14)} ${us(r.h.p99 - base.h.p99).padStart(14)}`,
  );
}
const base = runs[0]!;
console.log(`same fills in all runs: ${runs.every((r) => r.fills === base.fills)}`);
console.log("\nround trips and CPU time (from /proc, 10 ms ticks over the whole run, warm-up included)");
console.log("strategies                         hook calls  context RT  RT per hook call  queued writes  loop CPU µs/event  isolate CPU µs/event");
for (const r of runs) {
  const rt = r.hookCalls === 0 ? "—" : ((r.hookCalls + r.contextCalls) / r.hookCalls).toFixed(3);
  console.log(
    `${r.label.padEnd(34)} ${String(r.hookCalls).padStart(10)} ${String(r.contextCalls).padStart(11)} ${rt.padStart(17)} ${String(r.queuedWrites).padStart(14)} ${((r.loopCpuMs * 1000) / r.events).toFixed(2).padStart(18)} ${((r.isolateCpuMs * 1000) / r.events).toFixed(2).padStart(21)}`,
  );
}
for (const r of runs.slice(1)) console.log(`${r.label}: context round trips by call: ${Object.entries(r.by).sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(", ")}`);
for (const r of runs) if (r.quarantined.length > 0) console.log(`quarantined in "${r.label}" (its figures are not comparable): ${r.quarantined.join("; ")}`);
if (bareCalls > 0) {
  // The bare round trip: a quote hook of a plugin that does nothing, timed call by call.
  const inProc = bare(noop, bareCalls);
  const before = threads();
  const plugin = isolateStrategy(noop, { module: resolve(import.meta.dir, "../runtime/plugins/isolate/fixtures/noop.ts"), budgetUs: 30_000_000, spin: true });
  // Pinned: the isolate's threads on the isolate's core (they inherit the loop thread's otherwise).
  if (pin !== null) for (const t of [...threads()].filter((t) => !before.has(t))) pinTo(t, pin[2]!);
  let iso: Float64Array;
  try {
    iso = bare(plugin, bareCalls);
  } finally {
    plugin.stop();
  }
  console.log(`\nbare quote hook call, ${bareCalls} calls (do-nothing plugin; the isolate spinning, its mirror written each call): ns`);
  console.log("                  min      p10      p50      p90      p99");
  for (const [label, d] of [["in process", inProc], ["isolated", iso]] as const) console.log(`${label.padEnd(12)} ${[0, 0.1, 0.5, 0.9, 0.99].map((q) => String(Math.round(q === 0 ? d[0]! : quantile(d, q))).padStart(8)).join(" ")}`);
  const rtMin = iso[0]! - inProc[0]!;
  const rtP50 = quantile(iso, 0.5) - quantile(inProc, 0.5);
  const spinning = runs[2]!;
  const perHook = (spinning.hookCalls + spinning.contextCalls) / Math.max(1, spinning.hookCalls);
  // What writing the mirror costs the loop per event (one instrument, 8 features, in the bare calls above too).
  const h = createStrategyHarness(noop, { instruments: [{ id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 }], features: { names: ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"] } });
  const writer = new MirrorWriter(new SharedArrayBuffer(MIRROR_BYTES), 0, h.ctx);
  /** Thread CPU ns per call of `fn` over `n` calls (10 ms ticks), and wall ns. */
  const perCall = (fn: () => void, n: number): [number, number] => {
    for (let k = 0; k < 10_000; k++) fn();
    const w0 = Bun.nanoseconds();
    const c0 = cpuMs();
    for (let k = 0; k < n; k++) fn();
    return [((cpuMs() - c0) * 1e6) / n, (Bun.nanoseconds() - w0) / n];
  };
  const [writeCpu, writeWall] = perCall(() => writer.write(h.ctx), 500_000);
  const [openCpu, openWall] = perCall(() => void h.ctx.openOrders(), 500_000);
  console.log(`mirror write (1 instrument, 8 features, no open orders, the SDK harness's context): ${writeCpu.toFixed(0)} ns thread CPU (${writeWall.toFixed(0)} wall) per event, of which the context's openOrders() alone ${openCpu.toFixed(0)} ns (${openWall.toFixed(0)} wall)`);
  console.log(`bare round trip added: ${us(rtMin)} µs at the minimum, ${us(rtP50)} µs at p50`);
  console.log(`estimate on free cores (bare round trip × round trips per hook call, ${perHook.toFixed(3)}): ${us(rtMin * perHook)}–${us(rtP50 * perHook)} µs per hook call`);
}
let headline = `a spinning isolate adds ${us(runs[2]!.h.p50 - base.h.p50)} µs at p50`;
if (rounds > 0) {
  // Pairs alternate which runs first, so neither side always gets the warmer process.
  const added: number[] = [];
  console.log(`\n${rounds} paired rounds (in process, spinning isolate; the order alternates): p50 µs`);
  for (let k = 0; k < rounds; k++) {
    const pair = k % 2 === 0 ? [false, true] : [true, false];
    const [x, y] = [await measure("pair", pair[0]!, pair[0]!, true, true), await measure("pair", pair[1]!, pair[1]!, true, true)];
    const [inProc, iso] = pair[0] ? [y, x] : [x, y];
    added.push(iso.h.p50 - inProc.h.p50);
    console.log(`round ${k + 1}: in process ${us(inProc.h.p50)}, isolated ${us(iso.h.p50)}, added ${us(iso.h.p50 - inProc.h.p50)}${iso.fills === base.fills && inProc.fills === base.fills ? "" : " (fills differ!)"}`);
  }
  const sorted = [...added].sort((a, b) => a - b);
  headline = `a spinning isolate adds ${us(sorted[Math.floor((sorted.length - 1) / 2)]!)} µs at p50 (median of ${rounds} paired rounds; range ${us(sorted[0]!)}–${us(sorted[sorted.length - 1]!)})`;
}
console.log(`headline: ${headline} (target ≤ 2 µs; with the submit and writes as msgpack ${us(runs[3]!.h.p50 - base.h.p50)} µs, without the mirror ${us(runs[4]!.h.p50 - base.h.p50)} µs), a sleeping one ${us(runs[1]!.h.p50 - base.h.p50)} µs; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
