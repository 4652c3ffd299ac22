/**
 * Where the inference batch's round trip goes, per wire, same sidecar, the order rotating per call:
 * `frame` is the INFER frame as it was sent before (a fresh one-buffer body per call,
 * `encodeInferFrame`), `parts` as the service sends it now (a reused head plus a view of the
 * windows, copied straight into the ring), `msgpack` the former wire. Per wire: the round trip,
 * the sidecar's own torch time (elapsedNs, sent back on both wires) and the rest (transport,
 * encode and decode on both sides, wake-ups), p50 / p90 / p99 in µs, then the p50 ratios.
 *
 *   bun bench/inference-wire.ts [calls per wire, default 600]
 */
import { readModelCard, startInferenceSidecar, type ModelCard } from "../gpu-bridge/inference/index.ts";
import { waitFor } from "../gpu-bridge/shm/test-support.ts";
import { BinaryKind, isFrameReply } from "../gpu-bridge/shm/binary-frame.ts";
import { fastCall, fastCallFrame } from "../gpu-bridge/inference/fast-call.ts";
import { encodeInferFrame, INFER_HEAD_BYTES, inferWindowBytes, writeInferHead } from "../gpu-bridge/inference/infer-frame.ts";
import { realWindows } from "../gpu-bridge/inference/test-windows.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const N = 28, CALLS = Number(process.argv[2] ?? 600);
const read = readModelCard(); if ("code" in read) throw new Error(read.context);
const card: ModelCard = read;
const { windows } = realWindows(N, card.rows);
const dir = mkdtempSync(join(tmpdir(), "inf-"));
const side = await startInferenceSidecar({ path: join(dir, "seg"), device: "cpu" });
if ("code" in side) throw new Error(side.context);
const pre = encodeInferFrame(windows, N, card.rows, card.width);
const bytes = new Uint8Array(windows.buffer, windows.byteOffset, 4 * N * card.rows * card.width);
type Rec = { rtt: number; torch: number; enc: number };
const recs: Record<string, Rec[]> = { frame: [], parts: [], msgpack: [] };
const ih = new Uint8Array(INFER_HEAD_BYTES);
try {
  await waitFor(() => side.supervisor.client.health() === null, 120_000, "sidecar attached");
  const client = side.supervisor.client;
  const wires: Record<string, () => Promise<Rec>> = {
    frame: async () => {
      const t = Bun.nanoseconds();
      const body = encodeInferFrame(windows, N, card.rows, card.width);
      const enc = Bun.nanoseconds() - t;
      const r = await fastCallFrame(client, BinaryKind.INFER, body, 1_000_000, 5_000);
      const rtt = Bun.nanoseconds() - t;
      if ("code" in r || !isFrameReply(r.body)) throw new Error("frame failed");
      return { rtt: rtt / 1000, torch: r.body.elapsedNs / 1000, enc: enc / 1000 };
    },
    parts: async () => {
      const t = Bun.nanoseconds();
      const r = await fastCallFrame(client, BinaryKind.INFER, writeInferHead(ih, N, card.rows, card.width), 1_000_000, 5_000, inferWindowBytes(windows, N, card.rows, card.width));
      const rtt = Bun.nanoseconds() - t;
      if ("code" in r || !isFrameReply(r.body)) throw new Error("frame failed");
      return { rtt: rtt / 1000, torch: r.body.elapsedNs / 1000, enc: 0 };
    },
    msgpack: async () => {
      const t = Bun.nanoseconds();
      const r = await fastCall(client, "infer", { input: bytes, count: N, rows: card.rows, width: card.width }, 1_000_000, 5_000);
      const rtt = Bun.nanoseconds() - t;
      if ("code" in r) throw new Error("msgpack failed");
      return { rtt: rtt / 1000, torch: (r.body as { elapsedNs: number }).elapsedNs / 1000, enc: 0 };
    },
  };
  const names = Object.keys(wires);
  for (let i = 0; i < 50 + CALLS; i++) {
    for (let j = 0; j < names.length; j++) {
      const w = names[(i + j) % names.length]!;
      const rec = await wires[w]!();
      if (i >= 50) recs[w]!.push(rec);
    }
  }
} finally {
  await side.stop();
  rmSync(dir, { recursive: true, force: true });
}
const q = (a: number[], p: number) => { const s = a.slice().sort((x, y) => x - y); return s[Math.floor(p * (s.length - 1))]!; };
console.log(`${CALLS} calls per wire, order rotating; µs p50 / p90 / p99`);
for (const [w, r] of Object.entries(recs)) {
  const f = (a: number[]) => `${q(a, 0.5).toFixed(0).padStart(6)} ${q(a, 0.9).toFixed(0).padStart(6)} ${q(a, 0.99).toFixed(0).padStart(6)}`;
  console.log(`${w.padEnd(9)} rtt ${f(r.map((x) => x.rtt))} | torch ${f(r.map((x) => x.torch))} | rest ${f(r.map((x) => x.rtt - x.torch))} | TS encode p50 ${q(r.map((x) => x.enc), 0.5).toFixed(1)}`);
}
// Paired: each round has one call per wire under about the same load; the median of the per-round
// differences is less exposed to the load drifting during the run than the p50s are.
const paired = (w: string) => q(recs[w]!.map((x, i) => x.rtt - recs.msgpack![i]!.rtt), 0.5);
console.log(`median per-round difference to msgpack, µs: frame (one-buffer body) ${paired("frame").toFixed(0)}, parts ${paired("parts").toFixed(0)}`);
const p50 = (w: string) => q(recs[w]!.map((x) => x.rtt), 0.5);
console.log(`p50 round trip / msgpack's: frame (one-buffer body) ${(p50("frame") / p50("msgpack")).toFixed(2)}x, parts (the service's wire now) ${(p50("parts") / p50("msgpack")).toFixed(2)}x`);
