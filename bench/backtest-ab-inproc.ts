/**
 * Paired A/B of the real-day backtest between two source trees in ONE process: each tree's
 * runtime is imported from its own path (two module graphs), both are warmed up, then runs
 * alternate A, B, B, A, ... and each adjacent pair gives a ratio B/A of events per second of main-thread CPU time. A
 * pair runs within a second, so a shared machine's load moves both sides of a pair alike: the
 * median pair ratio is steadier than the ratio of medians of separate processes
 * (backtest-ab.ts), which stays the measure of the first, cold run.
 *
 *   bun bench/backtest-ab-inproc.ts <treeA> <treeB> [pairs] [warmup] [config]   (default 30 pairs, 4 warm-up runs each, configs/backtest.yaml)
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadavg } from "node:os";
import { median } from "./backtest-ab.ts";

/**
 * Seconds the main thread has run on a CPU (Linux /proc schedstat): unlike process CPU time it
 * leaves out JSC's JIT-compiler and GC threads, and unlike wall time the waits for a CPU.
 */
export function mainThreadCpuSeconds(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
}

interface Tree {
  name: string;
  run(): { events: number; fillsHash: string; cpuSeconds: number };
}

async function tree(name: string, root: string, config: string): Promise<Tree> {
  const { loadConfig } = await import(resolve(root, "runtime/config/load.ts"));
  const { buildSession } = await import(resolve(root, "runtime/session/build.ts"));
  const { runBacktest } = await import(resolve(root, "runtime/session/backtest.ts"));
  const file = resolve(root, config);
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  // Sessions are built ahead (building is not what is compared); one is kept ready for the next run.
  const build = () => buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  let next = await build();
  const ready: unknown[] = [];
  return {
    name,
    run() {
      const s = next;
      Bun.gc(true); // each run starts from a collected heap: a collection falls in the same place of every run
      const c0 = mainThreadCpuSeconds();
      const r = runBacktest(s);
      const c = mainThreadCpuSeconds() - c0;
      ready.push(s.close());
      return { events: r.events, fillsHash: r.fillsHash, cpuSeconds: c };
    },
    async refill() {
      await Promise.all(ready.splice(0));
      next = await build();
    },
  } as Tree & { refill(): Promise<void> };
}

if (import.meta.main) {
  const pairs = Number(process.argv[4] ?? 30);
  const warmup = Number(process.argv[5] ?? 4);
  const config = process.argv[6] ?? "configs/backtest.yaml";
  const a = (await tree("A", resolve(process.argv[2]!), config)) as Tree & { refill(): Promise<void> };
  const b = (await tree("B", resolve(process.argv[3]!), config)) as Tree & { refill(): Promise<void> };
  console.log(`A=${resolve(process.argv[2]!)}\nB=${resolve(process.argv[3]!)}\n${pairs} pairs after ${warmup} warm-up runs each, ${config}; load ${loadavg()[0]!.toFixed(2)}`);
  const hashes = new Set<string>();
  const once = async (t: typeof a) => {
    const r = t.run();
    hashes.add(r.fillsHash);
    await t.refill();
    return r.events / r.cpuSeconds;
  };
  for (let i = 0; i < warmup; i++) {
    await once(a);
    await once(b);
  }
  const ratios: number[] = [];
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const [x, y] = i % 2 === 0 ? [await once(a), await once(b)] : (([q, p]) => [p, q])([await once(b), await once(a)]);
    ra.push(x);
    rb.push(y);
    ratios.push(y / x);
  }
  if (hashes.size !== 1) throw new Error(`fills hashes differ: ${[...hashes].join(" ")}`);
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  const sorted = [...ratios].sort((p, q) => p - q);
  const q1 = sorted[Math.floor(sorted.length / 4)]!;
  const q3 = sorted[Math.floor((3 * sorted.length) / 4)]!;
  console.log(`fills hash ${[...hashes][0]!.slice(0, 12)} in every run`);
  console.log(`A median ${f(median(ra))} ev/main-thread-CPU-s, B median ${f(median(rb))}`);
  console.log(`pair ratio B/A: median ${median(ratios).toFixed(3)}, quartiles ${q1.toFixed(3)}–${q3.toFixed(3)} (${pairs} pairs); load ${loadavg()[0]!.toFixed(2)}`);
}
