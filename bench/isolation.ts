/**
 * What isolating a strategy costs: the real EURUSD day (configs/backtest.yaml, both demo
 * strategies) driven by the backtest loop, with the strategies in process, in sleeping isolates
 * and in spinning isolates, in the same run. Tick-to-order is measured by the core (quote handed to
 * the pipeline → order leaves for the venue), so it includes the isolate's round trips; the fills
 * hash shows the three runs traded identically.
 *
 *   bun bench/isolation.ts [--max-events N]
 *
 * `--max-events N` stops each run after the first N market events of the day (the same slice for
 * all three), for a machine where the isolated runs of the whole day take too long.
 * `--only NAME` keeps one strategy of the deployment (one isolate). `--pin L:I` pins the loop's
 * thread to core L and every thread the session starts (the isolates' workers) to core I with
 * `taskset -p`, so the loop and the isolate never share a core; it prints which threads it pinned.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";

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
/** Pins thread `tid` to `core` with taskset; throws with taskset's message when it fails. */
function pinThread(tid: string, core: string): void {
  const r = Bun.spawnSync(["taskset", "-p", "-c", core, tid], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`taskset -p -c ${core} ${tid}: ${r.stderr.toString().trim()}`);
}
if (pin !== null) pinThread(String(process.pid), pin[1]!);

async function measure(label: string, isolate: boolean, spin: boolean) {
  const config = structuredClone(loaded.ok ? loaded.config : (undefined as never));
  // A generous budget: this measures latency, and on a loaded machine a worker descheduled for a
  // quarter of a second would otherwise be terminated by the watchdog mid-run.
  if (only !== undefined) config.strategies = config.strategies.filter((s) => s.name === only);
  if (config.strategies.length === 0) throw new Error(`--only: no strategy ${only} in ${file}`);
  for (const s of config.strategies) Object.assign(s, { isolate, spin, budgetUs: 30_000_000 });
  const before = threads();
  const session = await buildSession(config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  if (pin !== null) {
    const started = [...threads()].filter((t) => !before.has(t));
    for (const t of started) pinThread(t, pin[2]!);
    const names = started.map((t) => readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim());
    console.log(`  ${label}: loop thread on core ${pin[1]}; ${started.length} new thread(s) on core ${pin[2]}: ${names.join(", ") || "none"}`);
  }
  session.core.measureLatency = true;
  session.core.host.start();
  const t0 = Bun.nanoseconds();
  for (let batch = 0; !session.loop.exhausted && session.loop.marketEvents < maxEvents; batch++) {
    session.loop.runUntil(Infinity, 20_000);
    if (batch === 2) session.core.tickToOrder.reset(); // warm-up: JIT of each path
  }
  const wallNs = Bun.nanoseconds() - t0;
  const h = session.core.tickToOrder.summary();
  const fills = session.core.fillsHash();
  const quarantined = session.core.host.slots.filter((s) => s.state === "quarantined").map((s) => `${s.name}: ${s.failure}`);
  const events = session.loop.marketEvents;
  // Round trips over the rings per hook call: each context call (book, features, position, ...) is one more.
  let hookCalls = 0;
  let contextCalls = 0;
  for (const slot of session.core.host.slots) {
    const st = (slot.plugin as { stats?(): { hookCalls: number; contextCalls: number } }).stats?.();
    hookCalls += st?.hookCalls ?? 0;
    contextCalls += st?.contextCalls ?? 0;
  }
  await session.close();
  return { label, h, wallNs, fills, quarantined, events, hookCalls, contextCalls };
}

const us = (ns: number) => (ns / 1000).toFixed(2);
console.log(`configs/backtest.yaml${only === undefined ? "" : ` (${only} only)`}, ${Number.isFinite(maxEvents) ? `first ${maxEvents} market events` : "whole day"}${pin === null ? "" : `, pinned ${pin[1]}:${pin[2]}`}`);
console.log("strategies              events  orders    p50 µs   p99 µs  p99.9 µs   wall s   p50 added µs   p99 added µs");
const runs: Awaited<ReturnType<typeof measure>>[] = [];
for (const [label, isolate, spin] of [["in process", false, false], ["isolated, sleeping", true, false], ["isolated, spinning", true, true]] as const) {
  const r = await measure(label, isolate, spin);
  runs.push(r);
  const base = runs[0]!;
  console.log(
    `${r.label.padEnd(22)} ${String(r.events).padStart(7)} ${String(r.h.count).padStart(7)}  ${us(r.h.p50).padStart(8)} ${us(r.h.p99).padStart(8)} ${us(r.h.p999).padStart(9)} ${(r.wallNs / 1e9).toFixed(2).padStart(8)} ${us(r.h.p50 - base.h.p50).padStart(14)} ${us(r.h.p99 - base.h.p99).padStart(14)}`,
  );
}
const base = runs[0]!;
console.log(`same fills in all three runs: ${runs.every((r) => r.fills === base.fills)}`);
for (const r of runs.slice(1)) console.log(`${r.label}: ${r.hookCalls} hook calls, ${r.contextCalls} context calls (${(r.contextCalls / Math.max(1, r.hookCalls)).toFixed(2)} context round trips per hook call)`);
for (const r of runs) if (r.quarantined.length > 0) console.log(`quarantined in "${r.label}" (its figures are not comparable): ${r.quarantined.join("; ")}`);
console.log(`headline: a spinning isolate adds ${us(runs[2]!.h.p50 - base.h.p50)} µs at p50 (target ≤ 2 µs), a sleeping one ${us(runs[1]!.h.p50 - base.h.p50)} µs`);
