/**
 * Issue 13: why the live loop's tick-to-order is 10–100× the backtest loop's. Runs paper.yaml's
 * deployment as a paced paper session (busy poll, speed 20, as the `tickToOrderPaced` row) with one
 * toggle at a time, and the same deployment in the backtest loop, each in a fresh child process;
 * the toggles run in alternating order (forward, then reversed) for `rounds` rounds, so that the
 * machine's load falls on all of them alike. Prints tick-to-order p50/p99/p99.9/max per run and the
 * median over rounds, with the minor page faults per thousand events, the GCs logged
 * (BUN_JSC_logGC) and the load average.
 *
 *   bun bench/live-loop-ab.ts [rounds=2] [seconds=12] [--only "a|b|..."] [--list]
 *
 * Toggles (`--list` prints them): the live session as the row runs it; without the DuckDB recorder;
 * with the loop pinned to core 0 and every other thread to core 1; yielding to I/O every 200 ms
 * instead of 5; at speed 200 (ten times less idle time between events); a cache polluter (a 4 MiB
 * sweep) or a warm-keeping pass while idle; a JIT warmed first; the idle shadow (the bench's own
 * hook, and the runtime's `idleShadow`, alone or with the warm pass); the sleeping pacer at speed 1
 * with and without the shadow. And the backtest loop: back to back (the row's baseline), and with a
 * spin of 20, 110 (the live session's mean gap) or 500 µs between events (no real-time code), alone
 * or with the shadow. Last, probes without a session: a pointer chase of 16 KiB to 512 KiB after
 * each 110 or 500 µs spin, and again at once
 * (its row reads: p50 and p99 columns = ns per line after the spin; p99.9 and max columns = p50 and
 * p99 of the immediate second chase).
 * A child is `bun bench/live-loop-ab.ts --child '<json options>'` and prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession, type Session } from "../runtime/session/build.ts";
import { startRealtime } from "../runtime/session/realtime.ts";
import { warmPass } from "./idle-warm.ts";
import { startIdleShadow } from "../runtime/session/idle-shadow.ts";
import { LatencyHistogram } from "../runtime/kernel/latency-histogram.ts";
import { wallMicros } from "../runtime/kernel/clock.ts";

/** What one child runs. */
interface ChildOptions {
  /** "live": the paced paper session; "hot": the same deployment driven by the backtest loop; "probe": no session, a memory probe after each gap. */
  mode: "live" | "hot" | "probe";
  seconds: number;
  store: boolean;
  speed?: number;
  spinMs?: number;
  /** Pin the loop thread to core 0 and the process's other threads to core 1. */
  pin?: boolean;
  /**
   * Work done while idle: nothing; a 4 MiB sweep (pollutes the caches); the warm-keeping pass
   * (reads books and features); "shadow": one event at a time of a second copy of the deployment
   * in the backtest loop (same code, its own state; run only when the next event is due in more than
   * SHADOW_MIN_US); "jit": that copy built and run back to back first, as for "shadow", but idle after.
   */
  idle?: "none" | "pollute" | "warm" | "shadow" | "jit";
  /** Backtest loop only: wall µs spun between two events (0: back to back). */
  gapUs?: number;
  /** Live only: the runtime's idle shadow (RealtimeOptions.idleShadow). */
  shadow?: boolean;
  /** Live only: false for the sleeping pacer (default true: busy poll). */
  busyPoll?: boolean;
  /** Probe only: run a 4 MiB sweeping process on core 1 meanwhile (does the other vCPU share this one's caches?). */
  hog?: boolean;
  /** Probe only: cache lines chased (64 bytes each). */
  probeLines?: number;
  /** With `shadow`: the warm pass on each idle spin as well (through `onIdle`). */
  shadowWarm?: boolean;
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
  /** Live only: how late after its due wall time a quote reached the pipeline, p50 and p99, ns. */
  lagP50?: number;
  lagP99?: number;
  /** Times per second the loop thread was descheduled against its will (another thread took its core). */
  preemptionsPerSecond: number;
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
  "backtest loop, 20 µs gaps": { mode: "hot", seconds: 0, store: true, gapUs: 20 },
  "backtest loop, 110 µs gaps": { mode: "hot", seconds: 0, store: true, gapUs: 110 },
  "backtest loop, 500 µs gaps": { mode: "hot", seconds: 0, store: true, gapUs: 500 },
  "backtest loop, gaps + warm": { mode: "hot", seconds: 0, store: true, gapUs: 110, idle: "warm" },
  "live jit-warmed": { mode: "live", seconds: 0, store: true, speed: 20, idle: "jit" },
  "live idle shadow": { mode: "live", seconds: 0, store: true, speed: 20, idle: "shadow" },
  "live + runtime idle shadow": { mode: "live", seconds: 0, store: true, speed: 20, shadow: true },
  "live + runtime idle shadow + warm pass": { mode: "live", seconds: 0, store: true, speed: 20, shadow: true, shadowWarm: true },
  "sleeping, speed 1": { mode: "live", seconds: 0, store: true, speed: 1, busyPoll: false },
  "sleeping, speed 1 + runtime idle shadow": { mode: "live", seconds: 0, store: true, speed: 1, busyPoll: false, shadow: true },
  "backtest loop, gaps + shadow": { mode: "hot", seconds: 0, store: true, gapUs: 110, idle: "shadow" },
  "probe: 64 KiB chase after 110 µs spin": { mode: "probe", seconds: 0, store: false, gapUs: 110, probeLines: 1024 },
  "probe: 16 KiB chase after 110 µs spin": { mode: "probe", seconds: 0, store: false, gapUs: 110, probeLines: 256 },
  "probe: 16 KiB chase after 500 µs spin": { mode: "probe", seconds: 0, store: false, gapUs: 500, probeLines: 256 },
  "probe: 512 KiB chase after 500 µs spin": { mode: "probe", seconds: 0, store: false, gapUs: 500, probeLines: 8192 },
  "probe: 16 KiB after 110 µs, core 0, core 1 idle": { mode: "probe", seconds: 0, store: false, gapUs: 110, probeLines: 256, pin: true },
  "probe: 16 KiB after 110 µs, core 0, 4 MiB sweep on core 1": { mode: "probe", seconds: 0, store: false, gapUs: 110, probeLines: 256, pin: true, hog: true },
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

/** Involuntary context switches of the calling (loop) thread so far. */
function preemptions(): number {
  const m = /nonvoluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync("/proc/thread-self/status", "utf8"));
  return m === null ? 0 : Number(m[1]);
}

/** Counts the loop thread's preemptions from now; `perSecond()` divides by the wall time since. */
function preemptionMeter(): { perSecond(): number } {
  const p0 = preemptions(), t0 = performance.now();
  return { perSecond: () => (preemptions() - p0) / Math.max(1e-3, (performance.now() - t0) / 1000) };
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

/** A shadow event runs only when the next real event is due later than this, wall µs. */
const SHADOW_MIN_US = 30;

/** A second copy of the deployment in the backtest loop (its own state, venue and market), run back to back for the JIT first. */
async function shadowSession(): Promise<Session> {
  const file = resolve(import.meta.dir, "../configs/paper.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const config = structuredClone(loaded.config);
  config.market.synthetic = { ...config.market.synthetic, start: "2024-01-15T07:00:00Z", durationSeconds: 36_000 };
  const shadow = await buildSession(config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  shadow.core.measureLatency = true;
  shadow.core.host.start();
  for (let batch = 0; batch < 5; batch++) shadow.loop.runUntil(Infinity, 20_000);
  return shadow;
}

async function idleFn(o: ChildOptions, session: Session): Promise<{ fn: ((dueInUs: number) => void) | undefined; calls: () => number }> {
  let calls = 0;
  if (o.idle === "pollute") return { fn: () => (calls++, pollute()), calls: () => calls };
  if (o.idle === "warm") {
    const warm = warmPass(session);
    return { fn: () => (calls++, warm()), calls: () => calls };
  }
  if (o.idle === "jit") await shadowSession();
  if (o.idle === "shadow") {
    const shadow = await shadowSession();
    return {
      fn: (dueInUs) => {
        if (dueInUs <= SHADOW_MIN_US || shadow.loop.exhausted) return;
        calls++;
        shadow.loop.runUntil(Infinity, 1);
      },
      calls: () => calls,
    };
  }
  return { fn: undefined, calls: () => calls };
}

/**
 * No session: spins `gapUs` (as the live loop does between events), then times a dependent chase
 * through `probeLines` cache lines (1,024: 64 KiB, twice L1D, well inside L2) in a random order, then the same
 * chase again at once. The first chase after the spin against the second shows how much of a
 * working set the machine takes away from an idle spinning core in one gap; ns per line.
 */
function runProbe(o: ChildOptions): ChildResult {
  if (o.pin === true) pinThreads();
  const hog = o.hog === true ? Bun.spawn(["taskset", "-c", "1", process.execPath, "-e", "const a = new Int32Array(1 << 20); let s = 0; for (;;) for (let i = 0; i < a.length; i += 16) s += a[i]++;"]) : null;
  try {
    return probe(o);
  } finally {
    hog?.kill();
  }
}

function probe(o: ChildOptions): ChildResult {
  const lines = o.probeLines ?? 1024;
  const next = new Int32Array(lines * 16);
  const order = Array.from({ length: lines }, (_, i) => i);
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let k = 0; k < lines; k++) next[order[k]! * 16] = order[(k + 1) % lines]! * 16;
  const chase = () => {
    let p = 0;
    for (let k = 0; k < lines; k++) p = next[p]!;
    return p;
  };
  const first = new LatencyHistogram(), second = new LatencyHistogram();
  const gapMs = (o.gapUs ?? 110) / 1000;
  let sink = 0;
  const meter = preemptionMeter();
  const end = performance.now() + o.seconds * 1000;
  for (let round = 0; performance.now() < end; round++) {
    const until = performance.now() + gapMs;
    while (performance.now() < until);
    const t0 = Bun.nanoseconds();
    sink += chase();
    const t1 = Bun.nanoseconds();
    sink += chase();
    const t2 = Bun.nanoseconds();
    if (round < 100) continue;
    first.record(((t1 - t0) / lines) * 1000);
    second.record(((t2 - t1) / lines) * 1000);
  }
  const a = first.summary(), b = second.summary();
  // Reported as "ns per line × 1000" in the ns fields, so that the table's µs columns read ns per line.
  return { count: a.count + (sink === -1 ? 1 : 0), p50: a.p50, p99: a.p99, p999: b.p50, max: b.p99, events: 0, minorFaultsPerKEvent: 0, preemptionsPerSecond: meter.perSecond(), idleCalls: 0 };
}

async function runChild(o: ChildOptions): Promise<ChildResult> {
  if (o.mode === "probe") return runProbe(o);
  const file = resolve(import.meta.dir, "../configs/paper.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const warmupSeconds = 3;
  if (o.mode === "live") {
    const session = await buildSession(loaded.config, file, { journalPath: "", store: o.store, log: () => {} });
    const idle = await idleFn(o, session);
    const shadow = o.shadow === true ? await startIdleShadow(loaded.config, file) : undefined;
    if (shadow !== undefined && "unsupported" in shadow) throw new Error(`no idle shadow: ${shadow.unsupported}`);
    const run = startRealtime(session, {
      forUs: (o.seconds + warmupSeconds) * 1e6, speed: o.speed ?? 20, busyPoll: o.busyPoll ?? true, spinMs: o.spinMs,
      onIdle: o.shadowWarm === true ? warmPass(session) : idle.fn, idleShadow: shadow,
    });
    if (o.pin === true) pinThreads();
    const k0 = run.syncClock();
    const w0 = wallMicros();
    const lag = new LatencyHistogram();
    const speed = o.speed ?? 20;
    const quote = session.core.listeners.quote;
    session.core.listeners.quote = (ev) => {
      quote?.(ev);
      lag.record(((k0 + (wallMicros() - w0) * speed - ev.ts) / speed) * 1000);
    };
    let faults0 = 0, events0 = 0;
    let meter = preemptionMeter();
    const warm = setTimeout(() => {
      session.core.tickToOrder.reset();
      lag.reset();
      meter = preemptionMeter();
      faults0 = minorFaults();
      events0 = session.loop.marketEvents + session.loop.timerEvents;
    }, warmupSeconds * 1000);
    const summary = await run.done;
    const preemptionsPerSecond = meter.perSecond();
    clearTimeout(warm);
    const events = session.loop.marketEvents + session.loop.timerEvents - events0;
    const faults = minorFaults() - faults0;
    await session.close();
    await shadow?.close();
    const t = summary.tickToOrderNs;
    return { count: t.count, p50: t.p50, p99: t.p99, p999: t.p999, max: t.max, events, minorFaultsPerKEvent: (faults / Math.max(1, events)) * 1000, preemptionsPerSecond, idleCalls: idle.calls() + (shadow?.events ?? 0), lagP50: lag.percentile(50), lagP99: lag.percentile(99) };
  }
  // The backtest loop: back to back for the JIT's warm-up, then one event at a time with a spin of
  // `gapUs` between two (no real-time code, no I/O turns), for `seconds` of wall time.
  const config = structuredClone(loaded.config);
  config.market.synthetic = { ...config.market.synthetic, start: "2024-01-08T07:00:00Z", durationSeconds: 36_000 };
  const hot = await buildSession(config, file, { mode: "backtest", journalPath: "", store: o.store, log: () => {} });
  const idle = await idleFn(o, hot);
  hot.core.measureLatency = true;
  hot.core.host.start();
  for (let batch = 0; batch < 5; batch++) hot.loop.runUntil(Infinity, 20_000);
  hot.core.tickToOrder.reset();
  const faults0 = minorFaults();
  const events0 = hot.loop.marketEvents + hot.loop.timerEvents;
  const gapMs = (o.gapUs ?? 0) / 1000;
  const meter = preemptionMeter();
  const end = performance.now() + o.seconds * 1000;
  while (!hot.loop.exhausted && performance.now() < end) {
    if (gapMs === 0) {
      hot.loop.runUntil(Infinity, 2_000);
      continue;
    }
    hot.loop.runUntil(Infinity, 1);
    const until = performance.now() + gapMs;
    if (idle.fn === undefined) while (performance.now() < until);
    else for (let now = performance.now(); now < until; now = performance.now()) idle.fn((until - now) * 1000);
  }
  const events = hot.loop.marketEvents + hot.loop.timerEvents - events0;
  const faults = minorFaults() - faults0;
  const preemptionsPerSecond = meter.perSecond();
  await hot.close();
  const t = hot.core.tickToOrder.summary();
  return { count: t.count, p50: t.p50, p99: t.p99, p999: t.p999, max: t.max, events, minorFaultsPerKEvent: (faults / Math.max(1, events)) * 1000, preemptionsPerSecond, idleCalls: idle.calls() };
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
  const names = onlyAt > 0 ? process.argv[onlyAt + 1]!.split("|") : Object.keys(TOGGLES);
  for (const n of names) if (TOGGLES[n] === undefined) throw new Error(`--only: no toggle "${n}" (see --list)`);
  console.log(`paper.yaml, ${seconds} s per run after 3 s of warm-up, ${rounds} round(s), order alternating; load at start ${load()}`);
  console.log("round  toggle                          orders   p50 µs   p99 µs  p99.9 µs   max µs  faults/kev   GCs  preempt/s  lag p50/p99 µs  load");
  const byName = new Map<string, ChildResult[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const r = await spawnChild({ ...TOGGLES[name]!, seconds });
      // A live run whose loop fell behind the market (median quote lag over 100 µs, the machine's
      // other work took its core) then ran events back to back: not a paced figure, left out of the medians.
      const behind = r.lagP50 !== undefined && r.lagP50 > 100_000;
      if (!behind) (byName.get(name) ?? byName.set(name, []).get(name)!).push(r);
      console.log(`${String(round + 1).padStart(5)}  ${name.padEnd(30)} ${String(r.count).padStart(7)} ${us(r.p50).padStart(8)} ${us(r.p99).padStart(8)} ${us(r.p999).padStart(9)} ${us(r.max).padStart(8)} ${r.minorFaultsPerKEvent.toFixed(1).padStart(11)} ${String(r.gcs).padStart(5)} ${r.preemptionsPerSecond.toFixed(0).padStart(10)}  ${(r.lagP50 === undefined ? "-" : `${us(r.lagP50)}/${us(r.lagP99!)}`).padStart(14)}  ${load()}${behind ? "  (fell behind: not counted)" : ""}`);
    }
  }
  console.log(`\nmedian over rounds                      orders   p50 µs   p99 µs  p99.9 µs   max µs   (load at end ${load()})`);
  const base = byName.get("backtest loop");
  for (const name of names) {
    const rs = byName.get(name);
    if (rs === undefined) {
      console.log(`       ${name.padEnd(30)} every run fell behind`);
      continue;
    }
    const p50 = median(rs.map((r) => r.p50)), p99 = median(rs.map((r) => r.p99));
    const ratio = base === undefined ? "" : `  p50 ${(p50 / median(base.map((r) => r.p50))).toFixed(1)}x, p99 ${(p99 / median(base.map((r) => r.p99))).toFixed(1)}x the backtest loop`;
    console.log(`       ${name.padEnd(30)} ${String(median(rs.map((r) => r.count))).padStart(7)} ${us(p50).padStart(8)} ${us(p99).padStart(8)} ${us(median(rs.map((r) => r.p999))).padStart(9)} ${us(median(rs.map((r) => r.max))).padStart(8)}${ratio}`);
  }
  const live = byName.get("live");
  if (live !== undefined && base !== undefined) console.log(`headline: live p99 ${us(median(live.map((r) => r.p99)))} µs = ${(median(live.map((r) => r.p99)) / median(base.map((r) => r.p99))).toFixed(1)}x the backtest loop's p99 in the same run`);
}
