/**
 * The vol-window model's size / context / skill trade-off: one 28-instrument batch in
 * onnxruntime-node on one intra-op thread (the in-process serving path) for each trained sweep point
 * (`models/configs/sweep/*.yaml`; a point trained with `kestrel model train` into
 * var/models/vol-window-sweep/<point>/ has a card giving its validation skill), the shipped
 * vol-window/1, and a same-run floor: the seeded signal MLP (16 rows, 400 -> 32 -> 1), a trivial
 * model whose time is mostly onnxruntime's per-call overhead. Every sweep point is timed as a
 * seeded export of its shape in the grouped serving form (latency depends on the graph, not the
 * weights; an untrained point has no skill figure). Models take turns batch by batch, so the machine's load falls on all of them
 * alike; each batch is timed in wall time and in the process's CPU time (see
 * bench/model-latency.ts). Target: p99 <= 1.4 ms per batch on one core.
 *
 * Run (quietest figure: one pinned core): taskset -c 1 nice -n 10 bun bench/model-size-latency.ts [batches per model, default 500]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { realWindows } from "../gpu-bridge/inference/test-windows.ts";
import { loadModelConfig } from "../runtime/learning/config.ts";

const BATCHES = Number(process.argv[2] ?? 500);
const N = 28;
const SWEEP_CONFIGS = "models/configs/sweep";

/** One model to time and what its card says about it. */
interface Candidate {
  name: string;
  path: string;
  rows: number;
  params: number;
  /** Validation AUC of the vol-window head (NaN when the model has none or is untrained). */
  valAuc: number;
  /** Training wall seconds (NaN when not trained here). */
  trainSeconds: number;
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const loadAvg = async () => (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");

function card(path: string): Candidate {
  const c = JSON.parse(readFileSync(path, "utf8"));
  const a = c.architecture ?? {};
  const label = a.kind === "iTransformer" ? `${c.version} (${c.rows} rows, d=${a.dModel}, ${a.layers} layer${a.layers > 1 ? "s" : ""})` : `${c.version} (floor)`;
  return {
    name: label,
    path: join(path, "..", c.onnx ?? "signal-mlp.onnx"),
    rows: c.rows ?? c.input.shape[1],
    params: a.parameters ?? NaN,
    valAuc: c.metrics?.validation?.auc ?? NaN,
    trainSeconds: c.training?.seconds ?? NaN,
  };
}

const dir = mkdtempSync(join(tmpdir(), "kestrel-variants-"));
try {
  const models: Candidate[] = [{ ...card("models/signal-mlp.json"), params: 400 * 32 + 32 + 33 }, card("models/vol-window.json")];
  // Every sweep point: its trained card when `kestrel model train` has made it, else a seeded, untrained export of the same shape.
  // Every sweep point is timed as a seeded export of its shape in the serving form (the trainer's
  // own export is that form too, but a point trained before it was not); skill from its trained card when there is one.
  const points = readdirSync(SWEEP_CONFIGS).filter((f) => f.endsWith(".yaml")).map((f) => loadModelConfig(join(SWEEP_CONFIGS, f)).config);
  const shapes = points.map((p) => `${p.model.rows}:${p.model.dModel}:${p.model.layers}:${p.model.ff}`);
  const py = Bun.spawnSync(["/usr/bin/python3", "models/vol_window/size_variants.py", dir, ...shapes], { stderr: "pipe" });
  if (py.exitCode !== 0) throw new Error(`size_variants.py failed: ${py.stderr.toString().slice(-400)}`);
  py.stdout.toString().trim().split("\n").forEach((l, i) => {
    const v = JSON.parse(l) as { path: string; rows: number; d: number; layers: number; params: number };
    const p = points[i]!;
    const trainedCard = join(p.train.out, p.train.version ?? "", `${p.name}.json`);
    const shape = `${v.rows} rows, d=${v.d}, ${v.layers} layer${v.layers > 1 ? "s" : ""}`;
    if (existsSync(trainedCard)) models.push({ ...card(trainedCard), name: `${p.train.version} (${shape})`, path: v.path });
    else models.push({ name: `${p.train.version} (${shape}), not trained`, path: v.path, rows: v.rows, params: v.params, valAuc: NaN, trainSeconds: NaN });
  });
  models.splice(2, models.length - 2, ...models.slice(2).sort((a, b) => a.rows - b.rows || a.params - b.params));
  const loadBefore = await loadAvg();
  const runs = [];
  for (const m of models) {
    const t0 = Bun.nanoseconds();
    const session = await ort.InferenceSession.create(m.path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const loadMs = (Bun.nanoseconds() - t0) / 1e6;
    const { windows } = realWindows(N, m.rows);
    runs.push({ ...m, loadMs, session, input: { context: new ort.Tensor("float32", windows, [N, m.rows, 25]) }, wall: [] as number[], cpu: [] as number[] });
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
  const floor = pct(runs[0]!.wall, 0.5);
  console.log(`${BATCHES} batches of ${N} windows per model, models in turn; load average ${loadBefore} before, ${await loadAvg()} after`);
  console.log("| model | context rows | params | val AUC | train s | session load ms | wall p50 µs | wall p99 µs | CPU p50 µs | CPU p99 µs | wall p50 / floor | wall p99 <= 1400 µs |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of runs) {
    const p99 = pct(r.wall, 0.99);
    const num = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : "-");
    console.log(
      `| ${r.name} | ${r.rows} | ${Number.isFinite(r.params) ? r.params.toLocaleString("en") : "-"} | ${num(r.valAuc, 3)} | ${num(r.trainSeconds, 0)} | ${r.loadMs.toFixed(1)} | ${pct(r.wall, 0.5).toFixed(0)} | ${p99.toFixed(0)} | ${pct(r.cpu, 0.5)} | ${pct(r.cpu, 0.99)} | ${(pct(r.wall, 0.5) / floor).toFixed(2)} | ${p99 <= 1400 ? "met" : "not met"} |`,
    );
  }
  for (const r of runs) await r.session.release();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
