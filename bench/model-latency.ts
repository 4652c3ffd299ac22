/**
 * Latency of the vol-window iTransformer for one 28-instrument batch on one CPU core, in process:
 * onnxruntime-node (1 intra-op thread, the in-process serving path) and the synchronous TypeScript
 * forward pass (the backtest path), against the seeded signal MLP in onnxruntime-node measured in
 * the same run as the baseline. Inputs: 28 real context windows (Dukascopy EURUSD through the
 * feature kernels) of the model's rows. Target: p99 <= 1.4 ms per batch.
 *
 * Each batch is timed twice: wall time (Bun.nanoseconds) and the process's CPU time
 * (process.cpuUsage, user + system, all threads: onnxruntime runs the batch on its own thread).
 * On a machine shared with other work the wall p99 measures the scheduler (time the process waits
 * for a core); the CPU time is what one batch costs a core, which is what the target is about on a
 * core of its own. Both are printed; the verdict names which one it uses.
 *
 * Run: bun bench/model-latency.ts [card, default models/vol-window.json] [batches per mode, default 2000]
 */
import { OnnxSignalModel, readModelCard } from "../gpu-bridge/inference/index.ts";
import { realWindows } from "../gpu-bridge/inference/test-windows.ts";
import { ITransformerRunner } from "../runtime/models/itransformer.ts";

const CARD = process.argv[2] ?? "models/vol-window.json";
const BATCHES = Number(process.argv[3] ?? 2000);
const N = 28;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Timed {
  version: string;
  us: number[];
  cpu: number[];
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

async function timeOnnx(cardPath: string | undefined): Promise<Timed> {
  const card = readModelCard(cardPath);
  if ("code" in card) throw new Error(card.context);
  const model = await OnnxSignalModel.load(card, 1);
  if ("code" in model) throw new Error(model.context);
  const { windows } = realWindows(N, card.rows);
  const us: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < BATCHES + 50; k++) {
    const c0 = cpuNow();
    const t0 = Bun.nanoseconds();
    const r = await model.run(windows, N);
    const t1 = Bun.nanoseconds();
    const c1 = cpuNow();
    if ("code" in r) throw new Error(r.context);
    if (k >= 50) {
      us.push((t1 - t0) / 1000);
      cpu.push(c1 - c0);
    }
  }
  await model.close();
  return { version: card.version, us, cpu };
}

function timeTs(cardPath: string): Omit<Timed, "version"> {
  const r = ITransformerRunner.load(cardPath, N);
  if ("code" in r) throw new Error(r.context);
  const { windows } = realWindows(N, r.rows);
  const us: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < BATCHES + 50; k++) {
    const c0 = cpuNow();
    const t0 = Bun.nanoseconds();
    r.run(windows, N);
    const t1 = Bun.nanoseconds();
    const c1 = cpuNow();
    if (k >= 50) {
      us.push((t1 - t0) / 1000);
      cpu.push(c1 - c0);
    }
  }
  return { us, cpu };
}

const base = await timeOnnx(undefined);
const onnx = await timeOnnx(CARD);
const ts = timeTs(CARD);
const rows = [
  { mode: `onnxruntime-node ${base.version} (baseline)`, ...base },
  { mode: `onnxruntime-node ${onnx.version}`, ...onnx },
  { mode: `TypeScript forward ${onnx.version}`, ...ts },
];
const load = (await Bun.file("/proc/loadavg").text().catch(() => "?")).split(" ")[0];
console.log(`${BATCHES} batches of ${N} windows per mode; load average ${load}`);
console.log(`| mode | wall p50 µs | wall p99 µs | wall max µs | CPU p50 µs | CPU p99 µs |\n| --- | ---: | ---: | ---: | ---: | ---: |`);
for (const r of rows) console.log(`| ${r.mode} | ${pct(r.us, 0.5).toFixed(0)} | ${pct(r.us, 0.99).toFixed(0)} | ${Math.max(...r.us).toFixed(0)} | ${pct(r.cpu, 0.5).toFixed(0)} | ${pct(r.cpu, 0.99).toFixed(0)} |`);
const p99 = pct(onnx.us, 0.99);
const cpu99 = pct(onnx.cpu, 0.99);
console.log(`ratio: ${onnx.version} wall p99 ${(p99 / pct(base.us, 0.99)).toFixed(2)}x the seeded MLP's, CPU p99 ${(cpu99 / pct(base.cpu, 0.99)).toFixed(2)}x; TypeScript CPU p99 ${(pct(ts.cpu, 0.99) / cpu99).toFixed(2)}x onnxruntime's`);
console.log(`target p99 <= 1400 µs per batch: CPU time ${cpu99 <= 1400 ? "met" : "NOT met"} (${cpu99.toFixed(0)} µs); wall ${p99 <= 1400 ? "met" : "NOT met"} (${p99.toFixed(0)} µs, includes waiting for a core at load ${load})`);
