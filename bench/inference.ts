/**
 * Batched inference for 28 instruments: one batch = the newest 16 rows x 25 features of 28 real
 * context windows (Dukascopy EURUSD through the feature kernels), through the InferenceService
 * in-process (onnxruntime-node, CPU, 1 thread) and through the PyTorch sidecar over the shm
 * bridge (device cpu here; the GPU figure is open: no GPU machine in this run). Also the sidecar
 * with 8 requests in flight at once, merged by continuous batching. Same run, same inputs.
 *
 * Run: bun bench/inference.ts [seconds-per-mode, default 3]
 */
import { InferenceService, type ModelCard, OnnxSignalModel, readModelCard, startInferenceSidecar, type InferAnswer } from "../gpu-bridge/inference/index.ts";
import { waitFor } from "../gpu-bridge/shm/test-support.ts";
import { realWindows } from "../gpu-bridge/inference/test-windows.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SECONDS = Number(process.argv[2] ?? 3);
const N = 28;
const read = readModelCard();
if ("code" in read) throw new Error(read.context);
const card: ModelCard = read;
const { windows } = realWindows(N, card.rows);

interface Row { mode: string; batches: number; windows: number; seconds: number; p50: number; p99: number; source: string }

async function measure(mode: string, svc: InferenceService, concurrency: number): Promise<Row> {
  const lat: number[] = [];
  let source = "";
  let done = 0;
  const one = async () => {
    const t = Bun.nanoseconds();
    const r = (await svc.infer(windows, N, card.rows, card.width, 1_000_000)) as InferAnswer;
    if ("code" in r) throw new Error(JSON.stringify(r));
    lat.push((Bun.nanoseconds() - t) / 1000);
    source = r.source;
    done++;
  };
  for (let i = 0; i < 200; i++) await one(); // warm-up
  lat.length = 0;
  done = 0;
  const batchesBefore = svc.stats.batches;
  const start = Bun.nanoseconds();
  const until = start + SECONDS * 1e9;
  const worker = async () => {
    while (Bun.nanoseconds() < until) await one();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (Bun.nanoseconds() - start) / 1e9;
  lat.sort((a, b) => a - b);
  return {
    mode, batches: svc.stats.batches - batchesBefore, windows: done * N, seconds,
    p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]!, source,
  };
}

const model = await OnnxSignalModel.load(card);
if ("code" in model) throw new Error(model.context);
const rows: Row[] = [];
rows.push(await measure("in-process onnxruntime-node", new InferenceService({ client: null, model }), 1));

const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-infer-"));
const side = await startInferenceSidecar({ path: join(dir, "seg"), device: "cpu" });
if ("code" in side) throw new Error(side.context);
try {
  await waitFor(() => side.supervisor.client.health() === null, 30_000, "sidecar attached");
  rows.push(await measure("sidecar torch cpu", side.service, 1));
  rows.push(await measure("sidecar torch cpu, 8 in flight", side.service, 8));
} finally {
  await side.stop();
  await model.close();
  rmSync(dir, { recursive: true, force: true });
}

const pad = (v: string | number, n: number) => String(v).padStart(n);
console.log(`28 instruments x ${card.rows} rows x ${card.width} features, model ${card.version}, ${SECONDS} s per mode`);
console.log(`${"mode".padEnd(32)}${pad("requests/s", 12)}${pad("batches/s", 11)}${pad("windows/s", 11)}${pad("p50 us", 9)}${pad("p99 us", 9)}${pad("us/instr", 10)}  source`);
for (const r of rows) {
  const req = r.windows / N / r.seconds;
  console.log(`${r.mode.padEnd(32)}${pad(Math.round(req), 12)}${pad(Math.round(r.batches / r.seconds), 11)}${pad(Math.round(r.windows / r.seconds), 11)}${pad(r.p50.toFixed(0), 9)}${pad(r.p99.toFixed(0), 9)}${pad((r.p50 / N).toFixed(2), 10)}  ${r.source}`);
}
console.log("GPU (CUDA) sidecar figure: open, no GPU machine in this run");
const [inproc, sidecar] = rows;
console.log(`p50 latency of a 28-instrument batch, sidecar (torch cpu) / in-process (onnxruntime-node): ${(sidecar!.p50 / inproc!.p50).toFixed(2)}x`);
