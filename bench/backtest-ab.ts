/**
 * A/B of the real-day backtest between two source trees in the same minutes: alternates a child
 * process of each tree (`bench/backtest-profile.ts --child <config> <runs>`, no profiler), `rounds`
 * times, and prints per tree the median CPU events/s of the first run in a process (cold JIT, as
 * `kestrel backtest` runs it) and of the warm runs (run 4 onwards), and the ratio B/A of the medians.
 * Every run's fills hash is checked to be the same in both trees.
 *
 *   bun bench/backtest-ab.ts <treeA> <treeB> [rounds] [runs] [config]   (default 6 rounds, 8 runs, configs/backtest.yaml)
 */
import { resolve } from "node:path";

/** One child's runs: CPU events/s per run and the fills hash prefixes it printed. */
export interface ChildRuns {
  rates: number[];
  hashes: string[];
}

/** Parses the `run N: ... hash H, R events per CPU-second` lines of backtest-profile.ts's child. */
export function parseRuns(out: string): ChildRuns {
  const rates: number[] = [];
  const hashes: string[] = [];
  for (const m of out.matchAll(/^run \d+: .*hash (\w+), ([\d,]+) events per CPU-second$/gm)) {
    hashes.push(m[1]!);
    rates.push(Number(m[2]!.replaceAll(",", "")));
  }
  return { rates, hashes };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function child(tree: string, config: string, runs: number): Promise<ChildRuns> {
  const proc = Bun.spawn([process.execPath, "bench/backtest-profile.ts", "--child", config, String(runs)], { cwd: tree, stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if ((await proc.exited) !== 0) throw new Error(`backtest-ab: child in ${tree} failed: ${err.slice(-500)}`);
  const r = parseRuns(out);
  if (r.rates.length !== runs) throw new Error(`backtest-ab: child in ${tree} printed ${r.rates.length} runs, expected ${runs}`);
  return r;
}

if (import.meta.main) {
  const [a, b] = [resolve(process.argv[2]!), resolve(process.argv[3]!)];
  const rounds = Number(process.argv[4] ?? 6);
  const runs = Number(process.argv[5] ?? 8);
  const config = process.argv[6] ?? "configs/backtest.yaml";
  const cold = { a: [] as number[], b: [] as number[] };
  const warm = { a: [] as number[], b: [] as number[] };
  const hashes = new Set<string>();
  const load = () => require("node:os").loadavg()[0].toFixed(2);
  console.log(`A=${a}\nB=${b}\n${rounds} rounds x ${runs} runs of ${config}; load ${load()}`);
  for (let i = 0; i < rounds; i++) {
    for (const side of i % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const)) {
      const r = await child(side === "a" ? a : b, config, runs);
      for (const h of r.hashes) hashes.add(h);
      cold[side].push(r.rates[0]!);
      warm[side].push(...r.rates.slice(3));
      console.log(`round ${i + 1} ${side.toUpperCase()}: ${r.rates.map((x) => Math.round(x / 1000)).join(" ")} k ev/CPU-s (load ${load()})`);
    }
  }
  if (hashes.size !== 1) throw new Error(`backtest-ab: fills hashes differ: ${[...hashes].join(" ")}`);
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(`fills hash ${[...hashes][0]} in every run of both trees`);
  console.log(`first run in process: A median ${f(median(cold.a))}, B median ${f(median(cold.b))} ev/CPU-s, B/A ${(median(cold.b) / median(cold.a)).toFixed(3)} (${rounds} each)`);
  if (runs >= 4) console.log(`warm (runs 4-${runs}): A median ${f(median(warm.a))}, B median ${f(median(warm.b))} ev/CPU-s, B/A ${(median(warm.b) / median(warm.a)).toFixed(3)} (${warm.a.length} each)`);
  console.log(`load at end ${load()}`);
}
