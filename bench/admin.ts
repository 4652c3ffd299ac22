/**
 * Admin load while trading: a real-time paper session (28-pair synthetic market, obi-scalper on
 * the majors, sim venue) runs at wall speed with the admin server up. Rounds alternate between no
 * admin load and load from a separate process (50 WebSocket clients subscribed, plus GET requests
 * over read routes at the target rate). For each condition it reports the loop's tick-to-order
 * p50/p99 (the core's histogram, reset each round) and the quote processing lag p99 (how late a
 * quote is handled after its due wall time), and for the load rounds requests/s and request p99.
 * The last line is the headline: tick-to-order p99 under load / without load. Each round also
 * shows the loop thread's CPU time and its run-queue wait (runnable but another thread or process
 * had the CPU) per second, which tell loop work from scheduling.
 *
 * With ADMIN_SNAPSHOT_COMPARE=1 the whole measurement runs twice in the same process, first with
 * every read walking live state (snapshotMs 0), then with reads from the loop's snapshots
 * (ADMIN_SNAPSHOT_MS, default 20), and a last line compares the two loaded quote-lag ratios.
 *
 * ADMIN_THREAD=loop|worker picks where the admin server's HTTP and WebSocket work runs (default
 * worker, the front); with ADMIN_THREAD_COMPARE=1 the measurement runs with `thread: loop`, then
 * with `thread: worker`, in the same process, and a last line compares the two. With at least two
 * CPUs (ADMIN_PIN=0 turns it off) the loop's thread is pinned to the first CPU, and the admin
 * front's thread and the load generator process to the second (`sched_setaffinity` on the
 * thread itself; `taskset -c` for the generator). ADMIN_FRONT_NICE=n raises the front thread's
 * niceness by n; ADMIN_LOAD_NICE=n runs the load generator under `nice -n n`.
 *
 * Run: bun bench/admin.ts [requestsPerSecond=5000] [secondsPerRound=6] [rounds=3] [wsClients=50] [path,path,...]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { wallMicros } from "../runtime/kernel/clock.ts";
import { LatencyHistogram } from "../runtime/kernel/latency-histogram.ts";
import { buildSession } from "../runtime/session/build.ts";
import { startRealtime } from "../runtime/session/realtime.ts";
import { issueToken, startAdmin, type AdminThread } from "../runtime/admin/index.ts";
import { pinThisThread, threadCpus } from "../runtime/kernel/thread-affinity.ts";

/** Options of the admin-load measurement. */
export interface AdminLoadOptions {
  rps: number;
  seconds: number;
  rounds: number;
  wsClients: number;
  /** Comma-separated read routes ("" = the load generator's default mix). */
  paths: string;
  /** The admin's loop budget, ms (0 turns off its yielding to the loop). */
  loopBudgetMs: number;
  /** Period of the read snapshots the loop publishes, ms (0 = live reads; default: the admin's default). */
  snapshotMs?: number;
  /** Where the admin server's HTTP and WebSocket work runs (default worker). */
  thread?: AdminThread;
  /** Raise the admin front thread's niceness by this much (default 0). */
  frontNice?: number;
  /** Run the load generator at this niceness increment (default 0: the bench's own). */
  loadNice?: number;
  /** Pin the loop's thread to the first allowed CPU, the front and the load generator to the second (default true; needs two CPUs and taskset). */
  pin?: boolean;
}

/** The CPUs to pin to: [loop, admin + generator], or null when fewer than two are allowed or taskset is missing. */
function pinCpus(): [number, number] | null {
  const list = threadCpus();
  if (list === null || Bun.which("taskset") === null) return null;
  const cpus = list.split(",").flatMap((part) => {
    const [a, b] = part.split("-").map(Number) as [number, number?];
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
  return cpus.length >= 2 ? [cpus[0]!, cpus[1]!] : null;
}

/** One round of the measurement. */
export interface Round {
  load: boolean;
  t2oP50: number;
  t2oP99: number;
  orders: number;
  lagP99: number;
  /** CPU time of the loop's thread per wall second, ms (/proc; NaN where unavailable). */
  loopCpuMsPerS: number;
  /** Time the loop's thread waited runnable for a CPU (others ran) per wall second, ms (/proc schedstat). */
  loopRunqMsPerS: number;
  http?: { rps: number; p99Ms: number; errors: number; wsMessages: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Alternating rounds without and with admin load; medians of quote lag and tick-to-order p99 (ns) per condition. */
export async function measureAdminLoad(o: AdminLoadOptions) {
  const { rps: RPS, seconds: SECONDS, rounds: ROUNDS, wsClients: WS_CLIENTS, paths: PATHS, loopBudgetMs: LOOP_BUDGET_MS } = o;

  const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-admin-"));
  const file = join(dir, "paper.yaml");
  writeFileSync(
    file,
    `name: bench-admin
mode: paper
seed: 42
account: { currency: USD, capital: 1000000 }
market: { source: synthetic, speed: 1, synthetic: { start: now, params: { quotesPerSecond: 2000 } } }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 150, reportLatencyUs: 150, jitterUs: 50, makerFeePpm: 0, takerFeePpm: 20 } }
strategies:
  - name: obi
    plugin: obi-scalper
    instruments: [EURUSD, GBPUSD, USDJPY, AUDUSD]
    params: { orderSize: 100000, maxPosition: 200000, entryImbalance: 0.3, maxSpreadTicks: 30, cooldownUs: 100000, staleOrderUs: 500000 }
risk:
  limits: { maxPosition: 5000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 1000, priceCollarBps: 300, maxDailyLoss: 10000000, maxDrawdown: 10000000 }
admin: { port: 0 }
`,
  );
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const session = await buildSession(loaded.config, file, { journalPath: "", log: () => {} });
  const thread = o.thread ?? "worker";
  const cpus = o.pin === false ? null : pinCpus();
  const cpusBefore = threadCpus();
  const pinned = cpus === null ? "not pinned" : pinThisThread(cpus[0]) ?? `loop on cpu ${cpus[0]}, ${thread === "worker" ? "admin front and " : ""}load generator on cpu ${cpus[1]}`;
  const run = startRealtime(session);
  const key = "bench-key-0123456789abcdef0123456789abcdef";
  const admin = await startAdmin(session, run, { port: 0, keys: [key], rateLimitPerSecond: 0, loopBudgetMs: LOOP_BUDGET_MS, snapshotMs: o.snapshotMs, log: () => {}, thread, ...(cpus === null ? {} : { frontCpu: cpus[1] }), ...(o.frontNice ? { frontNice: o.frontNice } : {}) });
  const token = await issueToken("analyst", 3600, key);

  // Quote lag: how long after its due wall time a quote is processed (speed 1: kernel µs = wall µs).
  const k0 = run.syncClock();
  const w0 = wallMicros();
  let lag: LatencyHistogram = new LatencyHistogram();
  session.core.listeners.quote = (ev) => lag.record((k0 + (wallMicros() - w0) - ev.ts) * 1000);

  async function round(load: boolean): Promise<Round> {
    await Bun.sleep(300); // let the previous round's clients go away
    const cpu0 = loopCpuMs();
    const runq0 = loopRunqMs();
    const wall0 = performance.now();
    session.core.tickToOrder.reset();
    lag = new LatencyHistogram();
    let http: Round["http"];
    if (load) {
      const proc = Bun.spawn([...(o.loadNice ? ["nice", "-n", String(o.loadNice)] : []), ...(cpus === null ? [] : ["taskset", "-c", String(cpus[1])]), process.execPath, join(import.meta.dir, "admin-load.ts"), admin.url, token, String(RPS), String(SECONDS), String(WS_CLIENTS), ...(PATHS ? [PATHS] : [])], { stdout: "pipe", stderr: "inherit" });
      const out = await new Response(proc.stdout).text();
      await proc.exited;
      http = JSON.parse(out.trim().split("\n").at(-1)!);
    } else {
      await Bun.sleep(SECONDS * 1000);
    }
    const h = session.core.tickToOrder.summary();
    const wall = performance.now() - wall0;
    const loopCpuMsPerS = ((loopCpuMs() - cpu0) / wall) * 1000;
    const loopRunqMsPerS = ((loopRunqMs() - runq0) / wall) * 1000;
    return { load, t2oP50: h.p50, t2oP99: h.p99, orders: h.count, lagP99: lag.percentile(99), loopCpuMsPerS, loopRunqMsPerS, http };
  }

  const rounds: Round[] = [];
  await round(false); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    rounds.push(await round(false));
    rounds.push(await round(true));
  }
  const snap = { published: admin.snapshots.published, hits: admin.snapshots.hits, misses: admin.snapshots.misses, forwarded: admin.front?.forwarded() ?? null };
  const deferred = /kestrel_admin_deferred_total (\d+)/.exec(await (await fetch(`${admin.url}metrics`, { headers: { Authorization: `Bearer ${token}` } })).text())?.[1] ?? "?";
  await admin.stop();
  run.stop();
  await run.done;
  await session.close();
  rmSync(dir, { recursive: true, force: true });
  if (cpus !== null && cpusBefore !== null) restoreCpus(cpusBefore);
  const idle = rounds.filter((r) => !r.load);
  const loaded2 = rounds.filter((r) => r.load);
  return {
    rounds, deferred, snap, thread, pinned,
    t2oIdle: median(idle.map((r) => r.t2oP99)), t2oLoad: median(loaded2.map((r) => r.t2oP99)),
    lagIdle: median(idle.map((r) => r.lagP99)), lagLoad: median(loaded2.map((r) => r.lagP99)),
    rps: median(loaded2.map((r) => r.http!.rps)), reqP99Ms: median(loaded2.map((r) => r.http!.p99Ms)),
  };
}

/** CPU time (user + system) the calling thread has used, ms, from /proc/thread-self/stat (NaN elsewhere). */
function loopCpuMs(): number {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Time the calling thread has waited on a run queue (runnable, not running), ms, from /proc/thread-self/schedstat (NaN elsewhere). */
function loopRunqMs(): number {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** Gives the calling thread back the CPUs of a list such as "0-1" (after a pinned measurement). */
function restoreCpus(list: string): void {
  const first = Number(list.split(/[-,]/)[0]);
  // sched_setaffinity takes one CPU here; the whole list again needs taskset on this thread's id.
  const tid = require("node:fs").readlinkSync("/proc/thread-self").split("/").at(-1);
  const r = Bun.spawnSync(["taskset", "-p", "-c", list, tid], { stdout: "ignore", stderr: "ignore" });
  if (r.exitCode !== 0) pinThisThread(first);
}

if (import.meta.main) {
  const RPS = Number(process.argv[2] ?? 5000);
  const SECONDS = Number(process.argv[3] ?? 6);
  const ROUNDS = Number(process.argv[4] ?? 3);
  const WS_CLIENTS = Number(process.argv[5] ?? 50);
  const LOOP_BUDGET_MS = Number(process.env.ADMIN_LOOP_BUDGET_MS ?? 2);
  const SNAPSHOT_MS = process.env.ADMIN_SNAPSHOT_MS === undefined ? undefined : Number(process.env.ADMIN_SNAPSHOT_MS);
  const compare = process.env.ADMIN_SNAPSHOT_COMPARE === "1";
  const threadCompare = process.env.ADMIN_THREAD_COMPARE === "1";
  const THREAD = (process.env.ADMIN_THREAD ?? "worker") as AdminThread;
  if (THREAD !== "worker" && THREAD !== "loop") throw new Error(`ADMIN_THREAD: expected worker or loop, got ${THREAD}`);
  const pin = process.env.ADMIN_PIN !== "0";
  const frontNice = Number(process.env.ADMIN_FRONT_NICE ?? 0);
  const loadNice = Number(process.env.ADMIN_LOAD_NICE ?? 0);
  const configs: { snapshotMs: number | undefined; thread: AdminThread }[] = threadCompare
    ? [{ snapshotMs: SNAPSHOT_MS, thread: "loop" }, { snapshotMs: SNAPSHOT_MS, thread: "worker" }]
    : compare
      ? [{ snapshotMs: 0, thread: THREAD }, { snapshotMs: SNAPSHOT_MS ?? 20, thread: THREAD }]
      : [{ snapshotMs: SNAPSHOT_MS, thread: THREAD }];
  const us = (ns: number) => (ns / 1000).toFixed(1);
  const lagRatios: number[] = [];
  const lagLoaded: number[] = [];
  for (const { snapshotMs, thread } of configs) {
    const m = await measureAdminLoad({ rps: RPS, seconds: SECONDS, rounds: ROUNDS, wsClients: WS_CLIENTS, paths: process.argv[6] ?? "", loopBudgetMs: LOOP_BUDGET_MS, snapshotMs, thread, pin, frontNice, loadNice });
    const rounds = m.rounds;
    console.log(`admin load while trading: ${RPS} req/s target, ${WS_CLIENTS} WebSocket clients, ${SECONDS}s rounds, ${ROUNDS} rounds each, admin loop budget ${LOOP_BUDGET_MS} ms, read snapshots ${snapshotMs === 0 ? "off (live reads)" : `every ${snapshotMs ?? 20} ms`}, admin on the ${thread === "worker" ? `worker front${frontNice ? ` (nice +${frontNice})` : ""}` : "loop's thread"}, ${m.pinned}${loadNice ? `, load generator nice +${loadNice}` : ""}; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
    console.log("round  admin load   orders  t2o p50 µs  t2o p99 µs  quote lag p99 µs  loop cpu ms/s  loop runq ms/s  req/s     req p99 ms  errors  ws msgs");
    rounds.forEach((r, i) =>
      console.log(
        `${String(i + 1).padEnd(6)} ${(r.load ? "yes" : "no").padEnd(12)} ${String(r.orders).padStart(6)}  ${us(r.t2oP50).padStart(10)}  ${us(r.t2oP99).padStart(10)}  ${us(r.lagP99).padStart(16)}  ${r.loopCpuMsPerS.toFixed(0).padStart(13)}  ${r.loopRunqMsPerS.toFixed(1).padStart(14)}  ${r.http ? r.http.rps.toFixed(0).padStart(7) : "      -"}   ${r.http ? r.http.p99Ms.toFixed(2).padStart(9) : "        -"}  ${r.http ? String(r.http.errors).padStart(6) : "     -"}  ${r.http ? String(r.http.wsMessages).padStart(7) : "      -"}`,
      ),
    );
    console.log(`median req/s ${m.rps.toFixed(0)}, req p99 ${m.reqP99Ms.toFixed(2)} ms, deferred to the loop ${m.deferred}, snapshots published ${m.snap.published}, reads from a snapshot ${m.snap.hits}, rendered at request ${m.snap.misses}${m.snap.forwarded === null ? "" : `, forwarded by the front to the loop ${m.snap.forwarded}`}`);
    console.log(`quote lag p99 under admin load / without: ${(m.lagLoad / m.lagIdle).toFixed(3)}x (${us(m.lagLoad)} µs vs ${us(m.lagIdle)} µs)`);
    console.log(`tick-to-order p99 under admin load / without: ${(m.t2oLoad / m.t2oIdle).toFixed(3)}x (${us(m.t2oLoad)} µs vs ${us(m.t2oIdle)} µs)`);
    lagRatios.push(m.lagLoad / m.lagIdle);
    lagLoaded.push(m.lagLoad);
  }
  if (threadCompare) console.log(`loaded/unloaded quote lag p99: loop thread ${lagRatios[0]!.toFixed(3)}x, worker front ${lagRatios[1]!.toFixed(3)}x (loaded p99 ${us(lagLoaded[0]!)} µs vs ${us(lagLoaded[1]!)} µs: ${(lagLoaded[0]! / lagLoaded[1]!).toFixed(2)}x lower with the front)`);
  else if (compare) console.log(`loaded/unloaded quote lag p99: live reads ${lagRatios[0]!.toFixed(3)}x, snapshot reads ${lagRatios[1]!.toFixed(3)}x`);
  process.exit(0);
}
