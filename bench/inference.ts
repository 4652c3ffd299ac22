/**
 * Batched inference for 28 instruments: one batch = the newest 16 rows x 25 features of 28 real
 * context windows (Dukascopy EURUSD through the feature kernels), through the InferenceService
 * in-process (onnxruntime-node, CPU, 1 thread) and through the PyTorch sidecar over the shm
 * bridge (device cpu here; the GPU figure is open: no GPU machine in this run). Also the sidecar
 * with 8 requests in flight at once, merged by continuous batching. Same run, same inputs.
 *
 * Then the batch's round trip as a binary INFER frame against msgpack `infer`, alternating, with
 * the outputs checked bit-equal. Run: bun bench/inference.ts [seconds-per-mode, default 3] [wire calls, default 1000]
 */
import { InferenceService, type ModelCard, OnnxSignalModel, readModelCard, startInferenceSidecar, type InferAnswer } from "../gpu-bridge/inference/index.ts";
import { waitFor } from "../gpu-bridge/shm/test-support.ts";
import { BinaryKind, isFrameReply } from "../gpu-bridge/shm/binary-frame.ts";
import { fastCall, fastCallFrame } from "../gpu-bridge/inference/fast-call.ts";
import { decodeInferReply, INFER_HEAD_BYTES, inferWindowBytes, writeInferHead } from "../gpu-bridge/inference/infer-frame.ts";
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

const WIRE_N = Number(process.argv[3] ?? 1_000);
const wire: Array<{ wire: string; p50: number; p99: number }> = [];
const stats = (a: number[]) => {
  const s = a.slice().sort((x, y) => x - y);
  return { p50: s[Math.floor(0.5 * (s.length - 1))]!, p99: s[Math.floor(0.99 * (s.length - 1))]! };
};

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
  await waitFor(() => side.supervisor.client.health() === null, 120_000, "sidecar attached");
  rows.push(await measure("sidecar torch cpu", side.service, 1));
  rows.push(await measure("sidecar torch cpu, 8 in flight", side.service, 8));
  // The batch's round trip on the wire alone: the same 28 windows as a binary INFER frame (the
  // runtime's wire) and as msgpack `infer` (the former wire), alternating, same sidecar.
  const client = side.supervisor.client;
  const bytes = new Uint8Array(windows.buffer, windows.byteOffset, 4 * N * card.rows * card.width);
  const inferHead = new Uint8Array(INFER_HEAD_BYTES);
  const lf: number[] = [];
  const lm: number[] = [];
  for (let i = 0; i < 50 + WIRE_N; i++) {
    // Which wire goes first alternates: the call that follows another finds the sidecar still
    // spinning, the first one may find it in its idle sleep.
    const viaFrame = async () => {
      const t = Bun.nanoseconds();
      // As the service sends it: the head and a view of the windows, copied straight into the ring.
      const r = await fastCallFrame(client, BinaryKind.INFER, writeInferHead(inferHead, N, card.rows, card.width), 1_000_000, 5_000, inferWindowBytes(windows, N, card.rows, card.width));
      return { r, us: (Bun.nanoseconds() - t) / 1000 };
    };
    const viaMsgpack = async () => {
      const t = Bun.nanoseconds();
      const r = await fastCall(client, "infer", { input: bytes, count: N, rows: card.rows, width: card.width }, 1_000_000, 5_000);
      return { r, us: (Bun.nanoseconds() - t) / 1000 };
    };
    let fr, mr;
    if (i % 2 === 0) (fr = await viaFrame(), mr = await viaMsgpack());
    else (mr = await viaMsgpack(), fr = await viaFrame());
    const { r: f, us: fUs } = fr;
    const { r: m, us: mUs } = mr;
    if ("code" in f || "code" in m || f.status !== 0 || m.status !== 0 || !isFrameReply(f.body)) throw new Error("wire comparison: a call failed");
    const a = decodeInferReply(f.body.body, N)!.outputs;
    const b = new Float32Array(new Uint8Array((m.body as { output: Uint8Array }).output).buffer);
    for (let k = 0; k < N; k++) if (!Object.is(a[k], b[k])) throw new Error(`wire comparison: output ${k} differs`);
    if (i >= 50) (lf.push(fUs), lm.push(mUs));
  }
  wire.push({ wire: "binary frame", ...stats(lf) }, { wire: "msgpack", ...stats(lm) });
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
console.log(`28-window batch round trip on the wire (fastCall, same sidecar), ${WIRE_N} calls per wire, alternating, outputs bit-equal:`);
for (const r of wire) console.log(`  ${r.wire.padEnd(14)} p50 ${r.p50.toFixed(0).padStart(6)} µs  p99 ${r.p99.toFixed(0).padStart(6)} µs`);
if (wire.length === 2) console.log(`ratio binary/msgpack: p50 ${(wire[0]!.p50 / wire[1]!.p50).toFixed(2)}x, p99 ${(wire[0]!.p99 / wire[1]!.p99).toFixed(2)}x`);
