/**
 * Latency of the vol-window iTransformer for one 28-instrument batch on one CPU core, in process:
 * onnxruntime-node (1 intra-op thread, the in-process serving path) and the synchronous TypeScript
 * forward pass (the backtest path), against the seeded signal MLP in onnxruntime-node measured in
 * the same run as the baseline. Inputs: 28 real context windows (Dukascopy EURUSD through the
 * feature kernels) of the model's rows. Target: p99 <= 1.4 ms per batch.
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

async function timeOnnx(cardPath: string | undefined): Promise<{ version: string; us: number[] }> {
  const card = readModelCard(cardPath);
  if ("code" in card) throw new Error(card.context);
  const model = await OnnxSignalModel.load(card, 1);
  if ("code" in model) throw new Error(model.context);
  const { windows } = realWindows(N, card.rows);
  const us: number[] = [];
  for (let k = 0; k < BATCHES + 50; k++) {
    const t0 = Bun.nanoseconds();
    const r = await model.run(windows, N);
    if ("code" in r) throw new Error(r.context);
    if (k >= 50) us.push((Bun.nanoseconds() - t0) / 1000);
  }
  await model.close();
  return { version: card.version, us };
}

function timeTs(cardPath: string): number[] {
  const r = ITransformerRunner.load(cardPath, N);
  if ("code" in r) throw new Error(r.context);
  const { windows } = realWindows(N, r.rows);
  const us: number[] = [];
  for (let k = 0; k < BATCHES + 50; k++) {
    const t0 = Bun.nanoseconds();
    r.run(windows, N);
    if (k >= 50) us.push((Bun.nanoseconds() - t0) / 1000);
  }
  return us;
}

const base = await timeOnnx(undefined);
const onnx = await timeOnnx(CARD);
const ts = timeTs(CARD);
const rows = [
  { mode: `onnxruntime-node ${base.version} (baseline)`, us: base.us },
  { mode: `onnxruntime-node ${onnx.version}`, us: onnx.us },
  { mode: `TypeScript forward ${onnx.version}`, us: ts },
];
console.log(`| mode | p50 µs | p99 µs | max µs |\n| --- | ---: | ---: | ---: |`);
for (const r of rows) console.log(`| ${r.mode} | ${pct(r.us, 0.5).toFixed(0)} | ${pct(r.us, 0.99).toFixed(0)} | ${Math.max(...r.us).toFixed(0)} |`);
const p99 = pct(onnx.us, 0.99);
console.log(`ratio: ${onnx.version} p99 ${(p99 / pct(base.us, 0.99)).toFixed(2)}x the seeded MLP's in onnxruntime-node; TypeScript p99 ${(pct(ts, 0.99) / p99).toFixed(2)}x onnxruntime's; target p99 <= 1400 µs ${p99 <= 1400 ? "met" : "NOT met"} (${p99.toFixed(0)} µs)`);
