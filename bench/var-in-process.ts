/**
 * In-process Monte Carlo VaR for the 28-instrument test book (99% 1-day VaR/ES): paths/s of
 * `monteCarloVar` for each engine ("ts", the default, and the WASM kernel "wasm") and sampler
 * ("per-instrument", the default: 28 normals per path, and "exact-linear": one normal per path),
 * normal and Student-t, against two floors measured in the same run: each engine's sampler alone
 * (28 standard normals drawn and summed per path, nothing else). Every figure is given as wall
 * time and as process CPU time (user + system, all threads), the latter being what a loaded
 * machine distorts least; the ratios are against the default engine in the same round. Each
 * configuration runs `rounds` times, interleaved, and the best round counts.
 *
 *   bun bench/var-in-process.ts [paths=2000000] [rounds=3]
 *
 * The PyTorch sidecar's figure is in bench/sidecar-var.ts.
 */
import { monteCarloVar, type VarRequest } from "../gpu-bridge/var/monte-carlo.ts";
import { Variates } from "../gpu-bridge/var/random.ts";
import { book } from "../gpu-bridge/var/test-book.ts";
import { varMc } from "../gpu-bridge/var/wasm-module.ts";

/** One measured configuration: best paths/s over the rounds, by wall and by CPU time. */
export interface VarRate {
  readonly name: string;
  readonly wall: number;
  readonly cpu: number;
}

/** Paths/s of every engine and sampler, and of both samplers alone. */
export interface VarInProcessFigures {
  /** The default engine (ts, per-instrument), normal and Student-t: the row's figures. */
  readonly normalPathsPerSecond: number;
  readonly studentTPathsPerSecond: number;
  /** The TypeScript sampler alone (28 normals per path). */
  readonly samplerPathsPerSecond: number;
  readonly rates: readonly VarRate[];
}

type Config = { name: string; run: (paths: number, seed: number) => void };

const N = 28;
/** Sums of the bare samplers' draws, kept so that the draws are not dead code. */
let sink = 0;

function configs(): Config[] {
  const { exposures, cov } = book(N);
  const var_ = (dist: "normal" | "student-t", engine: "ts" | "wasm", sampler: "per-instrument" | "exact-linear") => (paths: number, seed: number) => {
    const req: VarRequest = { exposures, cov, covHorizonSeconds: 86_400, horizonSeconds: 86_400, confidence: 0.99, paths, dist, dof: 5, seed, engine, sampler };
    const r = monteCarloVar(req);
    if ("code" in r) throw new Error(`monteCarloVar: ${r.code} ${r.context}`);
  };
  return [
    { name: "ts per-instrument normal (default)", run: var_("normal", "ts", "per-instrument") },
    { name: "ts per-instrument Student-t", run: var_("student-t", "ts", "per-instrument") },
    { name: "wasm per-instrument normal", run: var_("normal", "wasm", "per-instrument") },
    { name: "wasm per-instrument Student-t", run: var_("student-t", "wasm", "per-instrument") },
    { name: "ts exact-linear normal", run: var_("normal", "ts", "exact-linear") },
    { name: "wasm exact-linear normal", run: var_("normal", "wasm", "exact-linear") },
    { name: "wasm exact-linear Student-t", run: var_("student-t", "wasm", "exact-linear") },
    {
      name: "ts sampler alone (28 normals/path)",
      run: (paths, seed) => {
        const rng = new Variates(seed);
        let s = 0;
        for (let p = 0; p < paths; p++) for (let j = 0; j < N; j++) s += rng.normal();
        sink += s;
      },
    },
    {
      name: "wasm sampler alone (28 normals/path)",
      run: (paths, seed) => {
        const mc = varMc();
        mc.layout(N, 256);
        mc.seed(seed);
        sink += mc.drawOnly(N, paths);
      },
    },
  ];
}

/** Measures every configuration on `paths` paths, best of `rounds` interleaved rounds. */
export function measureVarInProcess(paths: number, rounds = 1): VarInProcessFigures {
  const all = configs();
  for (const c of all) c.run(Math.max(1000, paths >> 3), 1); // JIT and WASM tier-up, module build
  const best = all.map((c) => ({ name: c.name, wall: 0, cpu: 0 }));
  for (let r = 0; r < rounds; r++) {
    all.forEach((c, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      c.run(paths, 2 + r);
      const wall = (performance.now() - t0) / 1000;
      const u = process.cpuUsage(c0);
      const cpu = (u.user + u.system) / 1e6;
      const b = best[i]!;
      b.wall = Math.max(b.wall, paths / wall);
      b.cpu = Math.max(b.cpu, paths / Math.max(cpu, 1e-6));
    });
  }
  if (sink === 42) console.log("");
  return { normalPathsPerSecond: best[0]!.wall, studentTPathsPerSecond: best[1]!.wall, samplerPathsPerSecond: best[7]!.wall, rates: best };
}

/** Returns the named configuration's figures. */
export function rateOf(f: VarInProcessFigures, prefix: string): VarRate {
  const r = f.rates.find((x) => x.name.startsWith(prefix));
  if (!r) throw new Error(`no VaR bench configuration named ${prefix}`);
  return r;
}

if (import.meta.main) {
  const paths = Number(process.argv[2] ?? 2_000_000);
  const rounds = Number(process.argv[3] ?? 3);
  const f = measureVarInProcess(paths, rounds);
  const base = f.rates[0]!;
  const m = (x: number) => (x / 1e6).toFixed(2).padStart(8);
  console.log(`${N} instruments, ${paths.toLocaleString("en-US")} paths, 99% 1-day VaR/ES, best of ${rounds} rounds; load ${(await Bun.file("/proc/loadavg").text().catch(() => "?")).trim()}`);
  console.log(`${"configuration".padEnd(38)} ${"wall M/s".padStart(8)} ${"CPU M/s".padStart(8)}  ${"×default (wall)".padStart(15)} ${"×default (CPU)".padStart(14)}`);
  for (const r of f.rates) {
    console.log(`${r.name.padEnd(38)} ${m(r.wall)} ${m(r.cpu)}  ${(r.wall / base.wall).toFixed(2).padStart(15)} ${(r.cpu / base.cpu).toFixed(2).padStart(14)}`);
  }
  const wasm = rateOf(f, "wasm per-instrument normal");
  const one = rateOf(f, "wasm exact-linear normal");
  const wasmFloor = rateOf(f, "wasm sampler alone");
  console.log(`headline: wasm per-instrument ${m(wasm.cpu).trim()} M paths/s CPU = ${(wasm.cpu / wasmFloor.cpu).toFixed(2)} of its sampler alone, ${(wasm.cpu / base.cpu).toFixed(2)}x the ts engine; exact-linear ${m(one.cpu).trim()} M paths/s CPU (${m(one.wall).trim()} wall)`);
}
