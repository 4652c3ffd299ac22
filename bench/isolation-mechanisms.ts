/**
 * Issue 14: which isolation mechanism the measurements favour. The round trip of a hot frame — a
 * QUOTE frame out (8-byte header, 52-byte body), an 8-byte answer back computed from it — over the
 * project's own rings (`gpu-bridge/shm/ring.ts`), every answer checked, for:
 *   1. a Bun Worker over a SharedArrayBuffer, both sides spinning (what Kestrel uses; the baseline);
 *   1b. the same, the Worker asleep on its doorbell between frames (Kestrel's sleeping isolate);
 *   2. a Bun child process over a /dev/shm segment both map shared (`Bun.mmap`);
 *   3. a Deno child process over the same kind of segment, mapped through FFI (`--allow-ffi`);
 *   4. a Deno host (3, trusted) relaying each frame to a Deno Worker with no permissions over a
 *      SharedArrayBuffer (two hops per direction); the Worker sleeps on its doorbell, because this
 *      machine has two cores and the runtime and the host already spin on both;
 *   5. (reference) a Bun Worker answering postMessage (structured clone), ping-pong.
 * Measured interleaved in rounds (1, 1b, 2, ... then reversed), the runtime's thread pinned to cpu 0,
 * the other side to cpu 1 (`pinThread`; `taskset -c 1` for a child). Deno from env KESTREL_DENO or
 * `deno` on PATH (never a project dependency); without it rows 3-4 are skipped.
 *
 *   bun bench/isolation-mechanisms.ts [--rounds R] [--trips N]
 */
import { execSync } from "node:child_process";
import { rmSync } from "node:fs";
import { LatencyHistogram } from "../runtime/kernel/latency-histogram.ts";
import { pinThread } from "../runtime/kernel/thread-affinity.ts";
import { bunChildArgv, bundleDenoWorker, bunWorker, bunWorkerPostMessage, childProcess, denoChildArgv, denoInnerHop, findDeno, type Mechanism } from "./isolation-mechanisms/mechanisms.ts";

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: expected a positive integer, got ${process.argv[at + 1]}`);
  return v;
};
const rounds = arg("--rounds", 10);
const trips = arg("--trips", 20_000);
const WARM = 2_000;
const RUNTIME_CPU = 0;
const OTHER_CPU = 1;

const load = (): string => execSync("uptime").toString().trim();
console.log(`uptime: ${load()}`);
const pinned = pinThread(0, RUNTIME_CPU);
console.log(`runtime thread: ${pinned ?? `pinned to cpu ${RUNTIME_CPU}`}; other side: cpu ${OTHER_CPU}; ${rounds} rounds × ${trips} trips (+${WARM} warm-up each)`);

const deno = findDeno();
const bundle = `/tmp/kestrel-bench-mech-${process.pid}-deno-worker.js`;
const mechanisms: Mechanism[] = [];
/** Each row's number and short name, by mechanism. */
const labels: string[] = [];
const shorts: string[] = [];
const add = (label: string, short: string, m: Mechanism): void => {
  mechanisms.push(m);
  labels.push(label);
  shorts.push(short);
};
try {
  // Started one at a time, nothing else running; each then naps between its turns.
  add("1", "BunWorker", await bunWorker(OTHER_CPU, false));
  add("1b", "BunWorker-asleep", await bunWorker(OTHER_CPU, true));
  add("2", "BunChild", await childProcess("Bun child process, /dev/shm", OTHER_CPU, bunChildArgv));
  if (deno === null) console.log("deno: not found (set KESTREL_DENO), rows 3-4 skipped");
  else {
    console.log(`deno: ${deno} (${execSync(`${deno} --version`).toString().split("\n")[0]})`);
    await bundleDenoWorker(bundle);
    add("3", "DenoChild", await childProcess("Deno child process, /dev/shm via FFI", OTHER_CPU, denoChildArgv(deno, "direct")));
    const host = await childProcess("Deno host spinning + Deno Worker (none)", OTHER_CPU, denoChildArgv(deno, "spin", bundle));
    add("4", "DenoHost+Worker", host);
    add("4b", "DenoHost+Worker-handoff", await childProcess("Deno host hand-off + Deno Worker (none)", OTHER_CPU, denoChildArgv(deno, "handoff", bundle)));
    add("4c", "DenoWorkerHop", denoInnerHop(host));
  }
  add("5", "postMessage", await bunWorkerPostMessage(OTHER_CPU));
  for (const m of mechanisms) {
    for (const n of m.notes) {
      if (n === "ready") continue;
      if (!n.startsWith("probe ")) console.log(`  ${m.name}: ${n}`);
      else {
        const p = JSON.parse(n.slice(6)) as { probe: string; read: string; ffi: string };
        console.log(`  ${m.name}: in the Worker, Deno.readTextFileSync("/etc/hostname") threw ${p.probe}; permissions read=${p.read} ffi=${p.ffi}`);
      }
    }
  }
  if (deno !== null) console.log("  rows 3, 4: the Deno process maps the segment through FFI, so it runs with --allow-ffi, which in Deno amounts to every permission; in row 4 only the Worker is confined");

  const merged = mechanisms.map(() => new LatencyHistogram());
  const ratios = mechanisms.map(() => [] as number[]);
  const p99Ratios = mechanisms.map(() => [] as number[]);
  const wrong = mechanisms.map(() => 0);
  const h = new LatencyHistogram();
  for (let r = 0; r < rounds; r++) {
    const order = mechanisms.map((_, k) => k);
    if (r % 2 === 1) order.reverse();
    const p50 = new Array<number>(mechanisms.length);
    const p99 = new Array<number>(mechanisms.length);
    for (const k of order) {
      h.reset();
      const m = mechanisms[k]!;
      wrong[k]! += await m.trips(trips, WARM, h);
      merged[k]!.merge(h);
      p50[k] = m.reported?.roundP50 ?? h.percentile(50);
      p99[k] = m.reported?.roundP99 ?? h.percentile(99);
    }
    for (let k = 0; k < mechanisms.length; k++) {
      ratios[k]!.push(p50[k]! / p50[0]!);
      p99Ratios[k]!.push(p99[k]! / p99[0]!);
    }
    console.log(`round ${r + 1}: p50 µs ${mechanisms.map((m, k) => `${shorts[k]} ${us(p50[k]!)}`).join(", ")}`);
  }

  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  console.log(`\n${"mechanism".padEnd(44)} ${"trips".padStart(7)} ${"p50 µs".padStart(8)} ${"p99 µs".padStart(8)} ${"p99.9 µs".padStart(9)} ${"p50 ×base".padStart(10)} ${"(range)".padStart(13)} ${"p99 ×base".padStart(10)} ${"start ms".padStart(9)} ${"RSS MiB".padStart(8)} ${"wrong".padStart(6)}`);
  mechanisms.forEach((m, k) => {
    const s = m.reported ?? merged[k]!.summary();
    const rs = ratios[k]!;
    const range = `${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)}`;
    const rss = m.rssMiB === null || Number.isNaN(m.rssMiB) ? "—" : m.rssMiB.toFixed(1);
    const start = Number.isNaN(m.startMs) ? "—" : m.startMs.toFixed(1);
    console.log(
      `${`${labels[k]} ${m.name}`.padEnd(44)} ${String(s.count).padStart(7)} ${us(s.p50).padStart(8)} ${us(s.p99).padStart(8)} ${us(s.p999).padStart(9)} ${median(rs).toFixed(2).padStart(10)} ${range.padStart(13)} ${median(p99Ratios[k]!).toFixed(2).padStart(10)} ${start.padStart(9)} ${rss.padStart(8)} ${String(wrong[k]).padStart(6)}`,
    );
  });
  console.log(
    "ratios: median over the rounds of each round's p50 (p99) over the Bun Worker's in the same round; RSS: a child's own VmRSS after its first answer, a Worker's: this process's VmRSS growth (rough)",
  );
  if (mechanisms.some((m) => m.reported !== undefined)) {
    console.log("4c is timed by the Deno host (performance.now), its main thread on cpu 0 while this process sleeps: the Worker hop alone, both spinning (not a mechanism of its own; not ranked)");
  }
  // Ranked: the mechanisms the runtime can use (4c, a part of 4 timed alone, is not one).
  const ranked = mechanisms.map((_, k) => k).filter((k) => mechanisms[k]!.reported === undefined);
  const byP50 = [...ranked].sort((a, b) => merged[a]!.percentile(50) - merged[b]!.percentile(50));
  const byP99 = [...ranked].sort((a, b) => merged[a]!.percentile(99) - merged[b]!.percentile(99));
  console.log(
    `\nheadline: fastest at p50: ${mechanisms[byP50[0]!]!.name} (${us(merged[byP50[0]!]!.percentile(50))} µs); at p99: ${mechanisms[byP99[0]!]!.name} (${us(merged[byP99[0]!]!.percentile(99))} µs); p50 × the Bun Worker: ${mechanisms.map((m, k) => `${shorts[k]} ${median(ratios[k]!).toFixed(2)}`).join(", ")}; wrong answers: ${wrong.reduce((a, b) => a + b, 0)}`,
  );
  // A per-round p50 ratio within ±10% of the Bun Worker's is level with it on this machine, whose cross-core latency swings more than that.
  const level = ranked.filter((k) => k > 0 && Math.abs(median(ratios[k]!) - 1) <= 0.1).map((k) => mechanisms[k]!.name);
  console.log(`level with the Bun Worker at p50 (median per-round ratio within ±10%): ${level.length === 0 ? "none" : level.join("; ")}`);
  console.log(`uptime: ${load()}`);
} finally {
  for (const m of mechanisms) await m.stop();
  rmSync(bundle, { force: true });
}

function us(ns: number): string {
  return (ns / 1000).toFixed(2);
}
