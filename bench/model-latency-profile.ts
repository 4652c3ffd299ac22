/**
 * Where the in-process vol-window batch's time goes, and which onnxruntime-node settings cut it
 * without changing its outputs: one 28-instrument batch of real windows, end to end (gathering the
 * newest rows of 28 kernel context windows into the engine's batch, the service's copy of it,
 * tensor creation, `session.run`, reading the signals out), then `session.run` alone under each
 * candidate setting, all variants in turn batch by batch so the machine's load falls on all alike,
 * with a same-run floor: a trivial ONNX model (one ReduceSum) over the same [28, rows, 25] input,
 * i.e. onnxruntime-node's per-call cost with next to no compute. Every variant's signals are
 * compared with the current path's (max |difference| printed; they must be 0 or within the card's
 * 1e-4 ONNX/PyTorch tolerance). Last, onnxruntime's own profiler splits one variant's run into
 * operators (sum of node time per op type) against the whole call.
 *
 * Run (one pinned core): taskset -c 1 nice -n 10 bun bench/model-latency-profile.ts [card] [batches, default 2000] [another ONNX file of the card's model]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { readModelCard } from "../gpu-bridge/inference/index.ts";
import { realWindows } from "../gpu-bridge/inference/test-windows.ts";

const CARD = process.argv[2] ?? "models/vol-window.json";
const BATCHES = Number(process.argv[3] ?? 2000);
/** Another ONNX file of the same model to time beside the card's (e.g. its grouped re-export). */
const OTHER = process.argv[4];
const WARM = 50;
const N = 28;

const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const loadAvg = async () => (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");

const card = readModelCard(CARD);
if ("code" in card) throw new Error(card.context);
const { rows, width } = card;
const per = rows * width;
const { windows } = realWindows(N, rows);
const dir = mkdtempSync(join(tmpdir(), "kestrel-profile-"));

/** A trivial model over the same input: the floor of one onnxruntime-node call. */
function floorModel(): string {
  const path = join(dir, "floor.onnx");
  const py = `
import onnx, sys
from onnx import helper, TensorProto
x = helper.make_tensor_value_info("context", TensorProto.FLOAT, ["batch", ${rows}, ${width}])
y = helper.make_tensor_value_info("signal", TensorProto.FLOAT, ["batch", 1])
axes = helper.make_tensor("axes", TensorProto.INT64, [2], [1, 2])
n = helper.make_node("ReduceSum", ["context", "axes"], ["s"], keepdims=0)
u = helper.make_node("Unsqueeze", ["s", "one"], ["signal"])
one = helper.make_tensor("one", TensorProto.INT64, [1], [1])
g = helper.make_graph([n, u], "floor", [x], [y], initializer=[axes, one])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
`;
  const r = Bun.spawnSync(["/usr/bin/python3", "-c", py, path], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`floor model: ${r.stderr.toString().slice(-300)}`);
  return path;
}

/** 28 kernel-sized context windows (the engine reads their newest `rows` rows). */
const CONTEXT_ROWS = 512;
const contexts = Array.from({ length: N }, (_, i) => {
  const c = new Float32Array(CONTEXT_ROWS * width);
  c.set(windows.subarray(i * per, (i + 1) * per), c.length - per);
  return c;
});
const batch = new Float32Array(N * per);
/** The model engine's gather (runtime/models/model-engine.ts), same loop. */
function gather(): void {
  for (let i = 0; i < N; i++) {
    const c = contexts[i]!;
    const from = c.length - per;
    const to = i * per;
    for (let k = 0; k < per; k++) batch[to + k] = c[from + k]!;
  }
}

interface Variant {
  name: string;
  session: ort.InferenceSession;
  /** One batch; returns the signals. */
  run: () => Promise<Float32Array>;
  wall: number[];
  cpu: number[];
  diff: number;
  ref?: Float32Array;
}

const base: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const tuned: ort.InferenceSession.SessionOptions = {
  ...base,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
  enableMemPattern: true,
  freeDimensionOverrides: { batch: N },
};

async function session(path: string, opts: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, opts);
}

const inputName = card.inputName;
const fixedInput = new ort.Tensor("float32", batch, [N, rows, width]);
const outBuf = new Float32Array(N);
const outTensor = new ort.Tensor("float32", outBuf, [N, 1]);

/** The current path: a fresh tensor over the service's copy, every output fetched. */
const current = (s: ort.InferenceSession) => async () => {
  const copy = batch.slice(0, N * per);
  const out = await s.run({ [inputName]: new ort.Tensor("float32", copy, [N, rows, width]) });
  return out.signal!.data as Float32Array;
};
/** Every output, from a tensor made once over the engine's batch. */
const allOutputs = (s: ort.InferenceSession) => async () => (await s.run({ [inputName]: fixedInput })).signal!.data as Float32Array;
/** The signal alone, from a fresh tensor over the service's copy. */
const copySignal = (s: ort.InferenceSession) => async () => {
  const copy = batch.slice(0, N * per);
  return (await s.run({ [inputName]: new ort.Tensor("float32", copy, [N, rows, width]) }, ["signal"])).signal!.data as Float32Array;
};
/** The signal alone, from a tensor made once over the engine's batch. */
const signalOnly = (s: ort.InferenceSession) => async () => (await s.run({ [inputName]: fixedInput }, ["signal"])).signal!.data as Float32Array;
/** As signalOnly, into a preallocated output tensor. */
const prealloc = (s: ort.InferenceSession) => async () => {
  await s.run({ [inputName]: fixedInput }, { signal: outTensor });
  return outBuf;
};

const optimizedPath = join(dir, "optimized.onnx");
const variants: Variant[] = [];
const add = (name: string, s: ort.InferenceSession, run: () => Promise<Float32Array>) => variants.push({ name, session: s, run, wall: [], cpu: [], diff: 0 });
try {
  gather();
  const floorS = await session(floorModel(), base);
  add("floor: one ReduceSum over the same input (current options)", floorS, signalOnly(floorS));
  const s0 = await session(card.onnxPath, base);
  add("current: intra/inter 1, fresh tensor over a copy, all 4 outputs", s0, current(s0));
  add("current options, reused input tensor, all 4 outputs", s0, allOutputs(s0));
  add("current options, fresh tensor over a copy, signal output only", s0, copySignal(s0));
  add("current options, reused input tensor, signal output only", s0, signalOnly(s0));
  add("current options, reused input, preallocated output", s0, prealloc(s0));
  const s1 = await session(card.onnxPath, tuned);
  add("tuned options (sequential, opt all, arena, mem pattern, batch=28 fixed), reused input, signal only", s1, signalOnly(s1));
  // An ORT-optimised copy saved once (as an export step would), then loaded without re-optimising.
  const sSave = await session(card.onnxPath, { ...tuned, optimizedModelFilePath: optimizedPath });
  await sSave.release();
  const s2 = await session(optimizedPath, { ...tuned, graphOptimizationLevel: "disabled" });
  add("ORT-optimised file (saved at 'all', batch=28), loaded unoptimised, signal only", s2, signalOnly(s2));
  if (OTHER !== undefined) {
    const g0 = await session(OTHER, base);
    add(`${OTHER.split("/").at(-1)}: current options, reused input, signal only`, g0, signalOnly(g0));
    const g1 = await session(OTHER, tuned);
    add(`${OTHER.split("/").at(-1)}: tuned options, reused input, signal only`, g1, signalOnly(g1));
  }
  const s3 = await session(card.onnxPath, { ...base, graphOptimizationLevel: "disabled" });
  add("graph optimisation disabled (for comparison), signal only", s3, signalOnly(s3));
  const s4 = await session(card.onnxPath, { ...base, graphOptimizationLevel: "basic" });
  add("graph optimisation basic, signal only", s4, signalOnly(s4));

  // Stage costs of the end-to-end path (no model call), timed over the same batches.
  const stages = { gather: [] as number[], copy: [] as number[], tensor: [] as number[], read: [] as number[] };
  const signals = new Float64Array(N);
  const loadBefore = await loadAvg();
  for (let k = 0; k < BATCHES + WARM; k++) {
    let t0 = Bun.nanoseconds();
    gather();
    let t1 = Bun.nanoseconds();
    const copy = batch.slice(0, N * per);
    const t2 = Bun.nanoseconds();
    const x = new ort.Tensor("float32", copy, [N, rows, width]);
    const t3 = Bun.nanoseconds();
    if (k >= WARM) {
      stages.gather.push((t1 - t0) / 1000);
      stages.copy.push((t2 - t1) / 1000);
      stages.tensor.push((t3 - t2) / 1000);
    }
    void x;
    for (const v of variants) {
      const c0 = cpuNow();
      t0 = Bun.nanoseconds();
      const out = await v.run();
      t1 = Bun.nanoseconds();
      const c1 = cpuNow();
      if (k >= WARM) {
        v.wall.push((t1 - t0) / 1000);
        v.cpu.push(c1 - c0);
      }
      if (k === 0) v.ref = Float32Array.from(out);
    }
    t0 = Bun.nanoseconds();
    const sig = variants[1]!.ref!;
    for (let i = 0; i < N; i++) signals[i] = sig[i]!;
    t1 = Bun.nanoseconds();
    if (k >= WARM) stages.read.push((t1 - t0) / 1000);
  }
  const ref = variants[1]!.ref!;
  for (const v of variants.slice(1)) for (let i = 0; i < N; i++) v.diff = Math.max(v.diff, Math.abs(v.ref![i]! - ref[i]!));
  const loadAfter = await loadAvg();
  console.log(`${card.version}: ${BATCHES} batches of ${N} windows x ${rows} rows x ${width}, variants in turn; load average ${loadBefore} before, ${loadAfter} after; onnxruntime-node ${ort.env.versions.common}`);
  console.log("\nEnd-to-end stages other than the model call (wall µs):\n");
  console.log("| stage | p50 | p99 |\n| --- | ---: | ---: |");
  for (const [k, xs] of Object.entries(stages)) console.log(`| ${k} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.99).toFixed(1)} |`);
  const floor = variants[0]!;
  console.log("\n`session.run` (awaited) per variant:\n");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log("| variant | wall p50 µs | wall p99 µs | CPU p50 µs | CPU p99 µs | CPU mean µs | CPU p50 / floor | max abs diff vs current | CPU p99 <= 1400 | wall p99 <= 1400 |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
  for (const v of variants) {
    console.log(
      `| ${v.name} | ${pct(v.wall, 0.5).toFixed(0)} | ${pct(v.wall, 0.99).toFixed(0)} | ${pct(v.cpu, 0.5)} | ${pct(v.cpu, 0.99)} | ${mean(v.cpu).toFixed(0)} | ${(pct(v.cpu, 0.5) / pct(floor.cpu, 0.5)).toFixed(2)} | ${v === floor ? "-" : v.diff.toExponential(1)} | ${pct(v.cpu, 0.99) <= 1400 ? "met" : "not met"} | ${pct(v.wall, 0.99) <= 1400 ? "met" : "not met"} |`,
    );
  }

  // onnxruntime's profiler: node time by op type over 300 runs of the tuned session.
  const prof = await session(card.onnxPath, { ...tuned, enableProfiling: true, profileFilePrefix: join(dir, "ort") });
  let callUs = 0;
  for (let k = 0; k < 300; k++) {
    const t0 = Bun.nanoseconds();
    await prof.run({ [inputName]: fixedInput }, ["signal"]);
    if (k >= 50) callUs += (Bun.nanoseconds() - t0) / 1000;
  }
  prof.endProfiling();
  await prof.release();
  const file = readdirSync(dir).find((f) => f.startsWith("ort") && f.endsWith(".json"));
  if (file === undefined) throw new Error(`no onnxruntime profile in ${dir}: ${readdirSync(dir).join(",")}`);
  const events = JSON.parse(readFileSync(join(dir, file), "utf8")) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  const byOp = new Map<string, number>();
  let runs = 0;
  let modelRun = 0;
  const runEvents = events.filter((e) => e.cat === "Session" && e.name === "model_run");
  const skip = runEvents.length - 250;
  runEvents.forEach((e, i) => {
    if (i >= skip) {
      modelRun += e.dur;
      runs++;
    }
  });
  const nodes = events.filter((e) => e.cat === "Node" && e.name.endsWith("_kernel_time"));
  const perRun = nodes.length / runEvents.length;
  nodes.slice(skip * perRun).forEach((e) => byOp.set(e.args?.op_name ?? "?", (byOp.get(e.args?.op_name ?? "?") ?? 0) + e.dur));
  const nodeTotal = [...byOp.values()].reduce((a, b) => a + b, 0);
  console.log(`\nonnxruntime profiler, tuned session, mean of ${runs} runs (µs per batch; ${perRun} kernels per run): awaited call ${(callUs / 250).toFixed(0)}, ORT model_run ${(modelRun / runs).toFixed(0)}, sum of kernels ${(nodeTotal / runs).toFixed(0)}\n`);
  console.log("| op type | µs per batch | share of kernels |\n| --- | ---: | ---: |");
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1])) console.log(`| ${op} | ${(us / runs).toFixed(1)} | ${((100 * us) / nodeTotal).toFixed(1)}% |`);
  for (const s of new Set(variants.map((v) => v.session))) await s.release();
  writeFileSync(join(dir, "done"), "");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
