/**
 * The latency side of the vol-window model's size / context / skill trade-off: one 28-instrument
 * batch in onnxruntime-node on one intra-op thread (the in-process serving path), for iTransformers
 * of other context lengths (rows), widths (d) and depths, against the shipped vol-window/1 (64 rows,
 * d=24, one layer) measured in the same run. The variants are exported seeded and untrained by
 * models/vol_window/size_variants.py (latency depends on the graph, not the weights); skill is known
 * only for the shipped point (its card). Models take turns batch by batch, so the machine's load
 * falls on all of them alike; each batch is timed in wall time and in the process's CPU time
 * (see bench/model-latency.ts). Target: p99 <= 1.4 ms per batch on one core.
 *
 * Run: bun bench/model-size-latency.ts [batches per model, default 500]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { realWindows } from "../gpu-bridge/inference/test-windows.ts";

const BATCHES = Number(process.argv[2] ?? 500);
const N = 28;
const SPECS = ["16:24:1:48", "32:24:1:48", "128:24:1:48", "512:24:1:48", "32:16:1:32", "64:16:1:32", "64:32:1:64", "64:24:2:48"];

const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const dir = mkdtempSync(join(tmpdir(), "kestrel-variants-"));
try {
  const py = Bun.spawnSync(["/usr/bin/python3", "models/vol_window/size_variants.py", dir, ...SPECS], { stderr: "pipe" });
  if (py.exitCode !== 0) throw new Error(`size_variants.py failed: ${py.stderr.toString().slice(-400)}`);
  const variants = py.stdout.toString().trim().split("\n").map((l) => JSON.parse(l) as { path: string; rows: number; d: number; layers: number; params: number });
  const models = [{ name: "vol-window/1 (shipped: 64 rows, d=24, 1 layer)", path: "models/vol-window.onnx", rows: 64, params: 45_869 }, ...variants.map((v) => ({ name: `${v.rows} rows, d=${v.d}, ${v.layers} layer${v.layers > 1 ? "s" : ""}`, path: v.path, rows: v.rows, params: v.params }))];
  const runs = [];
  for (const m of models) {
    const session = await ort.InferenceSession.create(m.path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const { windows } = realWindows(N, m.rows);
    runs.push({ ...m, session, input: { context: new ort.Tensor("float32", windows, [N, m.rows, 25]) }, wall: [] as number[], cpu: [] as number[] });
  }
  for (let k = 0; k < BATCHES + 30; k++) {
    for (const r of runs) {
      const c0 = cpuNow();
      const t0 = Bun.nanoseconds();
      await r.session.run(r.input);
      const t1 = Bun.nanoseconds();
      const c1 = cpuNow();
      if (k >= 30) {
        r.wall.push((t1 - t0) / 1000);
        r.cpu.push(c1 - c0);
      }
    }
  }
  const load = (await Bun.file("/proc/loadavg").text()).split(" ")[0];
  const base = pct(runs[0]!.cpu, 0.5);
  console.log(`${BATCHES} batches of ${N} windows per model, models in turn; load average ${load}`);
  console.log("| model | params | CPU p50 µs | CPU p99 µs | wall p50 µs | wall p99 µs | CPU p50 / shipped | CPU p99 <= 1400 µs |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of runs) {
    const p99 = pct(r.cpu, 0.99);
    console.log(`| ${r.name} | ${r.params.toLocaleString("en")} | ${pct(r.cpu, 0.5)} | ${p99} | ${pct(r.wall, 0.5).toFixed(0)} | ${pct(r.wall, 0.99).toFixed(0)} | ${(pct(r.cpu, 0.5) / base).toFixed(2)} | ${p99 <= 1400 ? "met" : "not met"} |`);
  }
  for (const r of runs) await r.session.release();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
