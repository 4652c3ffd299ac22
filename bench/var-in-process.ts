/**
 * In-process Monte Carlo VaR for the 28-instrument test book: paths/s of `monteCarloVar` (normal
 * and Student-t, 99% 1-day), against the floor of its own sampler in the same run (28 standard
 * normals drawn and summed per path, nothing else). The PyTorch sidecar's figure is in
 * bench/sidecar-var.ts.
 *
 *   bun bench/var-in-process.ts [paths=2000000]
 */
import { monteCarloVar, type VarRequest } from "../gpu-bridge/var/monte-carlo.ts";
import { Variates } from "../gpu-bridge/var/random.ts";
import { book } from "../gpu-bridge/var/test-book.ts";

/** Paths/s of the in-process engine (normal, Student-t) and of its sampler alone. */
export function measureVarInProcess(paths: number): { normalPathsPerSecond: number; studentTPathsPerSecond: number; samplerPathsPerSecond: number } {
  const { exposures, cov } = book(28);
  const req = (dist: "normal" | "student-t", seed: number, n: number): VarRequest => ({
    exposures, cov, covHorizonSeconds: 86_400, horizonSeconds: 86_400, confidence: 0.99, paths: n, dist, dof: 5, seed,
  });
  const rate = (dist: "normal" | "student-t") => {
    monteCarloVar(req(dist, 1, Math.max(1000, paths >> 3))); // JIT warm-up
    const t0 = performance.now();
    const r = monteCarloVar(req(dist, 2, paths));
    if ("code" in r) throw new Error(`monteCarloVar: ${r.code}`);
    return paths / ((performance.now() - t0) / 1000);
  };
  const sampler = () => {
    const rng = new Variates(3);
    let s = 0;
    const t0 = performance.now();
    for (let p = 0; p < paths; p++) for (let j = 0; j < 28; j++) s += rng.normal();
    const secs = (performance.now() - t0) / 1000;
    if (s === 42) console.log("");
    return paths / secs;
  };
  sampler();
  return { normalPathsPerSecond: rate("normal"), studentTPathsPerSecond: rate("student-t"), samplerPathsPerSecond: sampler() };
}

if (import.meta.main) {
  const paths = Number(process.argv[2] ?? 2_000_000);
  const r = measureVarInProcess(paths);
  const f = (x: number) => Math.round(x).toLocaleString("en-US").padStart(12);
  console.log(`28 instruments, ${paths.toLocaleString("en-US")} paths, 99% 1-day VaR/ES`);
  console.log(`in-process normal      ${f(r.normalPathsPerSecond)} paths/s`);
  console.log(`in-process Student-t   ${f(r.studentTPathsPerSecond)} paths/s`);
  console.log(`sampler alone (floor)  ${f(r.samplerPathsPerSecond)} paths/s`);
  console.log(`headline: in-process VaR ${f(r.normalPathsPerSecond).trim()} paths/s = ${(r.normalPathsPerSecond / r.samplerPathsPerSecond).toFixed(3)} of its sampler alone`);
}
