/**
 * CPU profile of a backtest: runs a config's backtest `runs` times in one child process under Bun's
 * sampling profiler (`--cpu-prof --cpu-prof-interval=100`) and prints the top functions by self and
 * by inclusive share of the samples taken under `runBacktest`, plus process CPU events/s per run.
 *
 *   bun bench/backtest-profile.ts [config.yaml] [runs] [top]   (default: configs/backtest.yaml 4 20)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** One function's share of the samples under the root frame. */
export interface ProfileEntry {
  name: string;
  selfShare: number;
  inclusiveShare: number;
}

/** Self and inclusive shares of every function below frames named `root`, from a .cpuprofile's JSON. */
export function summarizeProfile(profile: { nodes: ProfileNode[]; samples: number[] }, root = "runBacktest"): { samples: number; entries: ProfileEntry[] } {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  for (const s of profile.samples) {
    const stack: ProfileNode[] = [];
    for (let id: number | undefined = s; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!);
    const at = stack.findIndex((n) => n.callFrame.functionName === root);
    if (at < 0) continue;
    total++;
    const leaf = label(stack[0]!);
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    const seen = new Set<string>();
    for (let i = 0; i < at; i++) {
      const l = label(stack[i]!);
      if (seen.has(l)) continue; // recursion counts once per sample
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + 1);
    }
  }
  const entries = [...incl.keys()].map((name) => ({ name, selfShare: (self.get(name) ?? 0) / total, inclusiveShare: incl.get(name)! / total }));
  return { samples: total, entries };
}

async function child(file: string, runs: number): Promise<void> {
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  for (let i = 0; i < runs; i++) {
    const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
    const c0 = process.cpuUsage();
    const r = runBacktest(s);
    const c = process.cpuUsage(c0);
    await s.close();
    const cpu = (c.user + c.system) / 1e6;
    console.log(`run ${i + 1}: ${r.events} events, ${r.fills} fills, hash ${r.fillsHash.slice(0, 12)}, ${Math.round(r.events / cpu).toLocaleString("en-US")} events per CPU-second`);
  }
}

if (import.meta.main) {
  if (process.argv[2] === "--child") await child(process.argv[3]!, Number(process.argv[4]));
  else {
    const file = resolve(process.argv[2] ?? resolve(import.meta.dir, "../configs/backtest.yaml"));
    const runs = Number(process.argv[3] ?? 4);
    const top = Number(process.argv[4] ?? 20);
    const dir = mkdtempSync(join(tmpdir(), "kestrel-prof-"));
    try {
      const proc = Bun.spawn([process.execPath, "--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${dir}`, import.meta.path, "--child", file, String(runs)], { stdout: "inherit", stderr: "inherit" });
      if ((await proc.exited) !== 0) throw new Error(`backtest-profile: child exited ${proc.exitCode}`);
      const name = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
      if (name === undefined) throw new Error(`backtest-profile: no .cpuprofile written in ${dir}`);
      const { samples, entries } = summarizeProfile(JSON.parse(readFileSync(join(dir, name), "utf8")));
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);
      console.log(`${samples} samples under runBacktest`);
      console.log("top self:");
      for (const e of [...entries].sort((a, b) => b.selfShare - a.selfShare).slice(0, top)) console.log(`  ${pct(e.selfShare)} self ${pct(e.inclusiveShare)} incl  ${e.name}`);
      console.log("top inclusive:");
      for (const e of [...entries].sort((a, b) => b.inclusiveShare - a.inclusiveShare).slice(0, top)) console.log(`  ${pct(e.inclusiveShare)} incl ${pct(e.selfShare)} self  ${e.name}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
