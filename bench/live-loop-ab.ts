/**
 * Issue 13: why the live loop's tick-to-order is 10–100× the backtest loop's. Runs paper.yaml's
 * deployment as a paced paper session (busy poll, speed 20, as the `tickToOrderPaced` row) with one
 * toggle at a time, and the same deployment in the backtest loop, each in a fresh child process;
 * the toggles run in alternating order (forward, then reversed) for `rounds` rounds, so that the
 * machine's load falls on all of them alike. Prints tick-to-order p50/p99/p99.9/max per run and the
 * median over rounds, with the minor page faults per thousand events, the GCs logged
 * (BUN_JSC_logGC) and the load average.
 *
 *   bun bench/live-loop-ab.ts [rounds=2] [seconds=12] [--only a,b,...] [--list]
 *
 * Toggles (`--list` prints them): the live session as the row runs it; without the DuckDB recorder;
 * with the loop pinned to core 0 and every other thread to core 1; yielding to I/O every 200 ms
 * instead of 5; at speed 200 (ten times less idle time between events); a cache polluter (a 4 MiB
 * sweep) or a warm-keeping pass while idle. And the backtest loop: back to back (the row's
 * baseline), and with a spin of the live session's mean gap between events (no real-time code).
 * A child is `bun bench/live-loop-ab.ts --child '<json options>'` and prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession, type Session } from "../runtime/session/build.ts";
import { startRealtime } from "../runtime/session/realtime.ts";
import { warmPass } from "../runtime/session/idle-warm.ts";

/** What one child runs. */
interface ChildOptions {
  /** "live": the paced paper session; "hot": the same deployment driven by the backtest loop. */
  mode: "live" | "hot";
  seconds: number;
  store: boolean;
  speed?: number;
  spinMs?: number;
  /** Pin the loop thread to core 0 and the process's other threads to core 1. */
  pin?: boolean;
  /** Work done while idle: nothing, a 4 MiB sweep (pollutes the caches), or the warm-keeping pass. */
  idle?: "none" | "pollute" | "warm";
  /** Backtest loop only: wall µs spun between two events (0: back to back). */
  gapUs?: number;
  /** Use the runtime's own idle warm pass (RealtimeOptions.warmIdle) rather than the bench's hook. */
  runtimeWarm?: boolean;
}

/** One child's figures, ns (percentiles) and counts. */
interface ChildResult {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  events: number;
  minorFaultsPerKEvent: number;
  idleCalls: number;
  gcs?: number;
}

const TOGGLES: Record<string, ChildOptions> = {
  live: { mode: "live", seconds: 0, store: true, speed: 20 },
  "live no-store": { mode: "live", seconds: 0, store: false, speed: 20 },
  "live pinned": { mode: "live", seconds: 0, store: true, speed: 20, pin: true },
  "live yield/200ms": { mode: "live", seconds: 0, store: true, speed: 20, spinMs: 200 },
  "live speed 200": { mode: "live", seconds: 0, store: true, speed: 200 },
  "live idle pollute": { mode: "live", seconds: 0, store: true, speed: 20, idle: "pollute" },
  "live idle warm": { mode: "live", seconds: 0, store: true, speed: 20, idle: "warm" },
  "backtest loop": { mode: "hot", seconds: 0, store: true, gapUs: 0 },
  "backtest loop, 110 µs gaps": { mode: "hot", seconds: 0, store: true, gapUs: 110 },
  "backtest loop, gaps + warm": { mode: "hot", seconds: 0, store: true, gapUs: 110, idle: "warm" },
};

const POLLUTE = new Int32Array(1 << 20);
let polluteSink = 0;
/** Touches one int per cache line of a 4 MiB buffer (what another tenant's work would do to the caches). */
function pollute(): void {
  let s = 0;
  for (let i = 0; i < POLLUTE.length; i += 16) s += POLLUTE[i]!;
  polluteSink += s;
}

function minorFaults(): number {
  // Fields after the ")" of comm: state is field 3, minflt field 10.
  const stat = readFileSync("/proc/self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
}

function threads(): string[] {
  return Bun.spawnSync(["ls", `/proc/${process.pid}/task`]).stdout.toString().trim().split("\n");
}

function pinThreads(): void {
  for (const tid of threads()) {
    const core = tid === String(process.pid) ? "0" : "1";
    const r = Bun.spawnSync(["taskset", "-p", "-c", core, tid], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`taskset -p -c ${core} ${tid}: ${r.stderr.toString().trim()}`);
  }
}

function idleFn(o: ChildOptions, session: Session): { fn: (() => void) | undefined; calls: () => number } {
  let calls = 0;
  if (o.idle === "pollute") return { fn: () => (calls++, pollute()), calls: () => calls };
  if (o.idle === "warm") {
    const warm = warmPass(session);
    return { fn: () => (calls++, warm()), calls: () => calls };
  }
  return { fn: undefined, calls: () => calls };
}

async function runChild(o: ChildOptions): Promise<ChildResult> {
  const file = resolve(import.meta.dir, "../configs/paper.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const warmupSeconds = 3;
  if (o.mode === "live") {
    const session = await buildSession(loaded.config, file, { journalPath: "", store: o.store, log: () => {} });
    const idle = idleFn(o, session);
    const run = startRealtime(session, {
      forUs: (o.seconds + warmupSeconds) * 1e6, speed: o.speed ?? 20, busyPoll: true, spinMs: o.spinMs,
      onIdle: idle.fn, warmIdle: o.runtimeWarm === true,
    });
    if (o.pin === true) pinThreads();
    let faults0 = 0, events0 = 0;
    const warm = setTimeout(() => {
      session.core.tickToOrder.reset();
      faults0 = minorFaults();
      events0 = session.loop.marketEvents + session.loop.timerEvents;
    }, warmupSeconds * 1000);
    const summary = await run.done;
    clearTimeout(warm);
    const events = session.loop.marketEvents + session.loop.timerEvents - events0;
    const faults = minorFaults() - faults0;
    await session.close();
    const t = summary.tickToOrderNs;
    return { count: t.count, p50: t.p50, p99: t.p99, p999: t.p999, max: t.max, events, minorFaultsPerKEvent: (faults / Math.max(1, events)) * 1000, idleCalls: idle.calls() };
  }
  // The backtest loop: back to back for the JIT's warm-up, then one event at a time with a spin of
  // `gapUs` between two (no real-time code, no I/O turns), for `seconds` of wall time.
  const config = structuredClone(loaded.config);
  config.market.synthetic = { ...config.market.synthetic, start: "2024-01-08T07:00:00Z", durationSeconds: 36_000 };
  const hot = await buildSession(config, file, { mode: "backtest", journalPath: "", store: o.store, log: () => {} });
  const idle = idleFn(o, hot);
  hot.core.measureLatency = true;
  hot.core.host.start();
  for (let batch = 0; batch < 5; batch++) hot.loop.runUntil(Infinity, 20_000);
  hot.core.tickToOrder.reset();
  const faults0 = minorFaults();
  const events0 = hot.loop.marketEvents + hot.loop.timerEvents;
  const gapMs = (o.gapUs ?? 0) / 1000;
  const end = performance.now() + o.seconds * 1000;
  while (!hot.loop.exhausted && performance.now() < end) {
    if (gapMs === 0) {
      hot.loop.runUntil(Infinity, 2_000);
      continue;
    }
    hot.loop.runUntil(Infinity, 1);
    const until = performance.now() + gapMs;
    if (idle.fn === undefined) while (performance.now() < until);
    else while (performance.now() < until) idle.fn();
  }
  const events = hot.loop.marketEvents + hot.loop.timerEvents - events0;
  const faults = minorFaults() - faults0;
  await hot.close();
  const t = hot.core.tickToOrder.summary();
  return { count: t.count, p50: t.p50, p99: t.p99, p999: t.p999, max: t.max, events, minorFaultsPerKEvent: (faults / Math.max(1, events)) * 1000, idleCalls: idle.calls() };
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const us = (ns: number) => (ns / 1000).toFixed(1);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs one toggle in a fresh child process (GCs counted from BUN_JSC_logGC's lines). */
async function spawnChild(o: ChildOptions): Promise<ChildResult> {
  const p = Bun.spawn([process.execPath, import.meta.path, "--child", JSON.stringify(o)], { stdout: "pipe", stderr: "pipe", env: { ...process.env, BUN_JSC_logGC: "1" } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const line = out.trim().split("\n").findLast((l) => l.startsWith("{"));
  if (code !== 0 || line === undefined) throw new Error(`child ${JSON.stringify(o)} exited ${code}: ${err.split("\n").filter((l) => !l.includes("GC")).slice(-20).join("\n")}`);
  const r = JSON.parse(line) as ChildResult;
  r.gcs = err.split("\n").filter((l) => /\bGC\b|GC</.test(l) && /END|took|ms/.test(l)).length;
  return r;
}

if (process.argv[2] === "--child") {
  const r = await runChild(JSON.parse(process.argv[3]!) as ChildOptions);
  console.log(JSON.stringify(r));
  process.exit(0);
} else if (import.meta.main) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  if (process.argv.includes("--list")) {
    for (const [name, o] of Object.entries(TOGGLES)) console.log(`${name}: ${JSON.stringify(o)}`);
    process.exit(0);
  }
  const rounds = Number(args[0] ?? 2);
  const seconds = Number(args[1] ?? 12);
  const onlyAt = process.argv.indexOf("--only");
  const names = onlyAt > 0 ? process.argv[onlyAt + 1]!.split(",") : Object.keys(TOGGLES);
  for (const n of names) if (TOGGLES[n] === undefined) throw new Error(`--only: no toggle "${n}" (see --list)`);
  console.log(`paper.yaml, ${seconds} s per run after 3 s of warm-up, ${rounds} round(s), order alternating; load at start ${load()}`);
  console.log("round  toggle                          orders   p50 µs   p99 µs  p99.9 µs   max µs  faults/kev   GCs  load");
  const byName = new Map<string, ChildResult[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const r = await spawnChild({ ...TOGGLES[name]!, seconds });
      (byName.get(name) ?? byName.set(name, []).get(name)!).push(r);
      console.log(`${String(round + 1).padStart(5)}  ${name.padEnd(30)} ${String(r.count).padStart(7)} ${us(r.p50).padStart(8)} ${us(r.p99).padStart(8)} ${us(r.p999).padStart(9)} ${us(r.max).padStart(8)} ${r.minorFaultsPerKEvent.toFixed(1).padStart(11)} ${String(r.gcs).padStart(5)}  ${load()}`);
    }
  }
  console.log(`\nmedian over rounds                      orders   p50 µs   p99 µs  p99.9 µs   max µs   (load at end ${load()})`);
  const base = byName.get("backtest loop");
  for (const name of names) {
    const rs = byName.get(name)!;
    const p50 = median(rs.map((r) => r.p50)), p99 = median(rs.map((r) => r.p99));
    const ratio = base === undefined ? "" : `  p50 ${(p50 / median(base.map((r) => r.p50))).toFixed(1)}x, p99 ${(p99 / median(base.map((r) => r.p99))).toFixed(1)}x the backtest loop`;
    console.log(`       ${name.padEnd(30)} ${String(median(rs.map((r) => r.count))).padStart(7)} ${us(p50).padStart(8)} ${us(p99).padStart(8)} ${us(median(rs.map((r) => r.p999))).padStart(9)} ${us(median(rs.map((r) => r.max))).padStart(8)}${ratio}`);
  }
  const live = byName.get("live");
  if (live !== undefined && base !== undefined) console.log(`headline: live p99 ${us(median(live.map((r) => r.p99)))} µs = ${(median(live.map((r) => r.p99)) / median(base.map((r) => r.p99))).toFixed(1)}x the backtest loop's p99 in the same run`);
}
