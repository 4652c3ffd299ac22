import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { BinaryKind, isFrameReply } from "../shm/binary-frame.ts";
import { ShmClient } from "../shm/client.ts";
import { Status } from "../shm/codec.ts";
import { tempSegmentDir, waitFor } from "../shm/test-support.ts";
import { decodeInferReply, encodeInferFrame, INFER_HEAD_BYTES, inferWindowBytes, writeInferHead } from "./infer-frame.ts";
import { type ModelCard, readModelCard } from "./model-card.ts";
import { OnnxSignalModel } from "./onnx-runner.ts";
import { type InferAnswer, InferenceService } from "./service.ts";
import { inferenceSidecarCommand } from "./sidecar.ts";
import { randomWindows, realWindows } from "./test-windows.ts";
import { needsTools } from "../../runtime/testing/system-tools.ts";

const procs: Subprocess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill(9);
    await p.exited;
  }
});

describe("inference frame bodies", () => {
  test("a batch encodes as its header and float32 windows; a reply of the wrong size or count is refused", () => {
    const x = Float32Array.from({ length: 2 * 3 * 4 + 5 }, (_, i) => i + 0.5);
    const b = encodeInferFrame(x, 2, 3, 4);
    expect(b.length).toBe(16 + 4 * 24);
    expect(Array.from(new Uint32Array(b.buffer, 0, 4))).toEqual([2, 3, 4, 0]);
    expect(Array.from(new Float32Array(b.buffer, 16, 24))).toEqual(Array.from(x.subarray(0, 24)));
    // The two parts the service sends (a reused head, a view of the windows) are the same bytes,
    // also for windows that start inside their buffer.
    const sub = x.subarray(3);
    const head = writeInferHead(new Uint8Array(INFER_HEAD_BYTES).fill(0xff), 2, 3, 4);
    const data = inferWindowBytes(sub, 2, 3, 4);
    expect(data.buffer).toBe(x.buffer);
    expect(Array.from([...head, ...data])).toEqual(Array.from(encodeInferFrame(sub, 2, 3, 4)));
    const reply = new Uint8Array(72 + 8);
    const dv = new DataView(reply.buffer);
    dv.setUint32(0, 2, true);
    reply.set(new TextEncoder().encode("cpu"), 8);
    reply.set(new TextEncoder().encode("signal-mlp/1"), 24);
    dv.setFloat32(72, -0.25, true);
    dv.setFloat32(76, 0.75, true);
    const r = decodeInferReply(reply, 2)!;
    expect(r.device).toBe("cpu");
    expect(r.version).toBe("signal-mlp/1");
    expect(Array.from(r.outputs)).toEqual([-0.25, 0.75]);
    expect(decodeInferReply(reply, 3)).toBeNull();
    expect(decodeInferReply(reply.subarray(0, 76), 2)).toBeNull();
  });
});

describe.skipIf(!needsTools("inference: binary frames against msgpack", "torch"))("inference batches as binary frames", () => {
  test("the PyTorch sidecar returns bit-equal signals for the same windows as a binary frame and as msgpack, through the service too", async () => {
    const card = readModelCard() as ModelCard;
    const model = await OnnxSignalModel.load(card);
    if ("code" in model) throw new Error(model.context);
    // Built before the sidecar starts: it blocks the loop for seconds on a loaded machine, and a
    // sidecar leaves after 2 s without the runtime's heartbeat.
    const { windows } = realWindows(28, card.rows);
    using dir = tempSegmentDir();
    const client = ShmClient.create({ path: dir.path("infer"), capacity: 1 << 22, heartbeatMs: 5, deadAfterMs: 5000 });
    if ("code" in client) throw new Error(client.code);
    try {
      procs.push(Bun.spawn(inferenceSidecarCommand(dir.path("infer"), card.weightsPath, "cpu"), { stdout: "inherit", stderr: "inherit" }));
      await waitFor(() => client.health() === null, 30_000, "python sidecar attached");
      for (const [x, count] of [[windows, 28], [randomWindows(5, card.rows, card.width, 9), 5]] as const) {
        const m = await client.call("infer", { input: new Uint8Array(x.buffer, x.byteOffset, 4 * count * card.rows * card.width), count, rows: card.rows, width: card.width }, 30_000_000);
        if ("code" in m || m.status !== Status.OK) throw new Error(JSON.stringify(m));
        const viaMsgpack = new Float32Array(new Uint8Array((m.body as { output: Uint8Array }).output).buffer);
        const f = await client.callFrame(BinaryKind.INFER, encodeInferFrame(x, count, card.rows, card.width), 30_000_000);
        if ("code" in f || f.status !== Status.OK || !isFrameReply(f.body)) throw new Error(JSON.stringify(f));
        const viaFrame = decodeInferReply(f.body.body, count)!;
        expect(viaFrame).toMatchObject({ device: "cpu", version: card.version });
        expect(f.body.elapsedNs).toBeGreaterThan(0);
        expect(Array.from(viaFrame.outputs)).toEqual(Array.from(viaMsgpack)); // Object.is per value: bit-equal
        const svc = new InferenceService({ client, model });
        const a = (await svc.infer(x, count, card.rows, card.width, 30_000_000)) as InferAnswer;
        expect(a.source).toBe("sidecar");
        expect(Array.from(a.outputs)).toEqual(Array.from(viaMsgpack));
      }
    } finally {
      client.close();
      await model.close();
    }
  }, 120_000);
});
