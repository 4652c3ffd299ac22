/**
 * Benchmark of Monte Carlo VaR for a 28-instrument book: the in-process TypeScript engine (the
 * fallback and baseline) against the PyTorch sidecar over the shm bridge (CUDA when present,
 * else CPU), same run, normal and Student-t. Reports paths/s from the sidecar's own timer and
 * from the runtime's round trip; then the request's round trip as a binary frame against msgpack
 * (few paths, so the transport shows). Usage: `bun bench/sidecar-var.ts [--paths N] [--device cpu|cuda] [--rtt-paths N] [--rtt-n N]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShmClient } from "../gpu-bridge/shm/client.ts";
import { monteCarloVar, type VarRequest, type VarResult } from "../gpu-bridge/var/monte-carlo.ts";
import { type VarAnswer, VarService } from "../gpu-bridge/var/service.ts";
import { book } from "../gpu-bridge/var/test-book.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const PATHS = Number(arg("--paths") ?? 2_000_000);
const device = arg("--device");
const { exposures, cov } = book(28);
const req = (dist: "normal" | "student-t", seed: number): VarRequest => ({
  exposures, cov, covHorizonSeconds: 86_400, horizonSeconds: 86_400, confidence: 0.99, paths: PATHS, dist, dof: 5, seed,
});

const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-var-"));
const path = process.platform === "linux" ? `/dev/shm/kestrel-bench-var-${process.pid}` : join(dir, "gpu");
const client = ShmClient.create({ path, capacity: 1 << 20, heartbeatMs: 5, deadAfterMs: 5000 });
if ("code" in client) throw new Error(client.code);
const py = Bun.spawn(["/usr/bin/python3", new URL("../gpu-bridge/sidecar/var_sidecar.py", import.meta.url).pathname, path, ...(device ? ["--device", device] : [])], { stdout: "inherit", stderr: "inherit" });

interface Row { engine: string; dist: string; var: number; es: number; simPerSec: number; rttPerSec: number }
const rows: Row[] = [];
const RTT_PATHS = Number(arg("--rtt-paths") ?? 1_000);
const RTT_N = Number(arg("--rtt-n") ?? 300);
const rtt: Array<{ wire: string; p50: number; p99: number; mean: number }> = [];
const stats = (a: number[]) => {
  const s = a.slice().sort((x, y) => x - y);
  return { p50: s[Math.floor(0.5 * (s.length - 1))]!, p99: s[Math.floor(0.99 * (s.length - 1))]!, mean: a.reduce((x, y) => x + y, 0) / a.length };
};
try {
  const until = performance.now() + 60_000;
  while (client.health() !== null && performance.now() < until) await Bun.sleep(5);
  const svc = new VarService({ client, timeoutUs: 600_000_000 });
  for (const dist of ["normal", "student-t"] as const) {
    monteCarloVar({ ...req(dist, 1), paths: 200_000 }); // JIT warm-up
    const t0 = performance.now();
    const local = monteCarloVar(req(dist, 2)) as VarResult;
    const s = (performance.now() - t0) / 1000;
    rows.push({ engine: "in-process TypeScript", dist, var: local.var, es: local.es, simPerSec: PATHS / s, rttPerSec: PATHS / s });

    await svc.compute({ ...req(dist, 3), paths: 200_000 }); // warm-up
    const t1 = performance.now();
    const remote = (await svc.compute(req(dist, 4))) as VarAnswer;
    const s1 = (performance.now() - t1) / 1000;
    if (remote.source !== "sidecar") throw new Error("sidecar did not answer");
    rows.push({ engine: `torch sidecar (${remote.device})`, dist, var: remote.result.var, es: remote.result.es, simPerSec: PATHS / (remote.elapsedNs! / 1e9), rttPerSec: PATHS / s1 });
  }
  // The request's round trip as a binary frame (the runtime's wire) and as msgpack (the former
  // wire), same sidecar, same 28-instrument request with few paths so the transport shows;
  // alternating calls so both see the same load.
  const framed = new VarService({ client, timeoutUs: 600_000_000 });
  const packed = new VarService({ client, timeoutUs: 600_000_000, wire: "msgpack" });
  const small = { ...req("normal", 21), paths: RTT_PATHS };
  const lf: number[] = [];
  const lm: number[] = [];
  for (let i = 0; i < 20; i++) (await framed.compute(small), await packed.compute(small));
  for (let i = 0; i < RTT_N; i++) {
    // Which wire goes first alternates (the second call finds the sidecar awake).
    const one = async (svc: VarService, into: number[]) => {
      const t = Bun.nanoseconds();
      const r = (await svc.compute(small)) as VarAnswer;
      into.push((Bun.nanoseconds() - t) / 1000);
      return r;
    };
    let a: VarAnswer, b: VarAnswer;
    if (i % 2 === 0) (a = await one(framed, lf), b = await one(packed, lm));
    else (b = await one(packed, lm), a = await one(framed, lf));
    if (a.source !== "sidecar" || b.source !== "sidecar" || a.result.var !== b.result.var) throw new Error("frame and msgpack answers differ or fell back");
  }
  rtt.push({ wire: "binary frame", ...stats(lf) }, { wire: "msgpack", ...stats(lm) });
} finally {
  client.close();
  py.kill(9);
  await py.exited;
  rmSync(dir, { recursive: true, force: true });
}

const m = (x: number) => Math.round(x).toLocaleString("en-US").padStart(14);
console.log(`28 instruments, ${PATHS.toLocaleString("en-US")} paths, 99% 1-day VaR/ES, Student-t dof 5`);
console.log(`${"engine".padEnd(26)} ${"dist".padEnd(10)} ${"VaR".padStart(12)} ${"ES".padStart(12)} ${"paths/s (sim)".padStart(14)} ${"paths/s (rtt)".padStart(14)}`);
for (const r of rows) console.log(`${r.engine.padEnd(26)} ${r.dist.padEnd(10)} ${m(r.var).slice(2)} ${m(r.es).slice(2)} ${m(r.simPerSec)} ${m(r.rttPerSec)}`);
const ratio = (d: string) => rows.find((r) => r.dist === d && r.engine.startsWith("torch"))!.rttPerSec / rows.find((r) => r.dist === d && r.engine.startsWith("in-process"))!.rttPerSec;
console.log(`ratio sidecar/in-process paths/s (round trip): normal ${ratio("normal").toFixed(2)}x, student-t ${ratio("student-t").toFixed(2)}x`);
console.log(`VaR request round trip, 28 instruments (exposures + 28x28 covariance), ${RTT_PATHS} paths, ${RTT_N} calls per wire, alternating:`);
for (const r of rtt) console.log(`  ${r.wire.padEnd(14)} p50 ${r.p50.toFixed(0).padStart(7)} µs  p99 ${r.p99.toFixed(0).padStart(7)} µs  mean ${r.mean.toFixed(0).padStart(7)} µs`);
if (rtt.length === 2) console.log(`ratio binary/msgpack round trip: p50 ${(rtt[0]!.p50 / rtt[1]!.p50).toFixed(2)}x, p99 ${(rtt[0]!.p99 / rtt[1]!.p99).toFixed(2)}x`);
