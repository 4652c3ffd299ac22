import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { ShmClient } from "../shm/client.ts";
import { tempSegmentDir, waitFor } from "../shm/test-support.ts";
import { type ModelCard, readModelCard } from "./model-card.ts";
import { OnnxSignalModel } from "./onnx-runner.ts";
import { type InferAnswer, InferenceService } from "./service.ts";
import { inferenceSidecarCommand } from "./sidecar.ts";
import { randomWindows, realWindows } from "./test-windows.ts";
import { needsTools } from "../../runtime/testing/system-tools.ts";

const PYTHON = "/usr/bin/python3";

/**
 * Largest |torch - onnxruntime| allowed on a signal in [-1, 1]. Both run the same float32 graph;
 * they differ only in summation order (the 400-term and 32-term dot products, the 16-row mean),
 * a few float32 ulps of a pre-activation of order 1: about 1e-6 in practice.
 */
const TOLERANCE = 1e-5;

const card = readModelCard() as ModelCard;
let model: OnnxSignalModel;

beforeAll(async () => {
  const m = await OnnxSignalModel.load(card);
  if ("code" in m) throw new Error(`${m.code} ${m.context}`);
  model = m;
});
afterAll(() => model?.close());

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe("the signal model in onnxruntime-node", () => {
  test("the card describes a [batch, 16, 25] float32 input and a signal in [-1, 1] per window", async () => {
    expect(card).toMatchObject({ version: "signal-mlp/1", rows: 16, width: 25, inputName: "context", outputName: "signal" });
    const x = randomWindows(28, card.rows, card.width, 3);
    const y = (await model.run(x, 28)) as Float32Array;
    expect(y.length).toBe(28);
    for (const v of y) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(new Set(y).size).toBeGreaterThan(20); // not saturated, not constant
    // Each window is computed alone: the first window's signal does not depend on its batch
    // (beyond float32 summation order, which onnxruntime blocks by batch size).
    const one = (await model.run(x.slice(0, card.rows * card.width), 1)) as Float32Array;
    expect(Math.abs(one[0]! - y[0]!)).toBeLessThan(1e-6);
    expect(maxDiff((await model.run(x, 28)) as Float32Array, y)).toBe(0); // and is deterministic
  });

  test("a window of the wrong size is refused with a code, not thrown", async () => {
    expect(await model.run(new Float32Array(10), 1)).toMatchObject({ code: "INFER_INPUT_INVALID" });
    const svc = new InferenceService({ client: null, model });
    expect(await svc.infer(new Float32Array(28 * 16 * 24), 28, 16, 24, 10_000)).toMatchObject({ code: "INFER_INPUT_INVALID" });
    const r = (await svc.infer(randomWindows(2, 16, 25), 2, 16, 25, 10_000)) as InferAnswer;
    expect(r).toMatchObject({ source: "in-process", version: "signal-mlp/1", device: "onnxruntime-cpu" });
  });

  test.skipIf(!needsTools("inference: make_model.py rewrites the committed model", "onnx"))("models/make_model.py rewrites the committed model byte for byte (seeded weights)", async () => {
    using dir = tempSegmentDir();
    const out = dir.path("") + "/";
    const script = new URL("../../models/make_model.py", import.meta.url).pathname;
    const r = Bun.spawnSync([PYTHON, script, out], { stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    for (const f of ["signal-mlp.onnx", "signal-mlp.weights.msgpack", "signal-mlp.json"]) {
      const fresh = await Bun.file(out + f).bytes();
      const kept = await Bun.file(new URL(`../../models/${f}`, import.meta.url).pathname).bytes();
      expect(fresh.length).toBeGreaterThan(500);
      expect(Buffer.compare(fresh, kept)).toBe(0);
    }
  }, 30_000);
});

describe.skipIf(!needsTools("inference: PyTorch sidecar against onnxruntime-node", "torch"))("the PyTorch sidecar against onnxruntime-node", () => {
  const procs: Subprocess[] = [];
  afterAll(async () => {
    for (const p of procs.splice(0)) {
      p.kill(9);
      await p.exited;
    }
  });

  test("agrees on random and real windows, merges concurrent requests, falls back when killed and returns when restarted", async () => {
    using dir = tempSegmentDir();
    const seg = dir.path("infer");
    const client = ShmClient.create({ path: seg, capacity: 1 << 22, heartbeatMs: 5, deadAfterMs: 1000 });
    if ("code" in client) throw new Error(client.code);
    const alerts: { code: string; context: string }[] = [];
    const svc = new InferenceService({ client, model, reserveUs: 50_000, spinUs: 5_000, onAlert: (e) => alerts.push(e) });
    const viaCall = new InferenceService({ client, model }); // client.call instead of the owned-client poll
    const spawn = () => {
      const p = Bun.spawn(inferenceSidecarCommand(seg, card.weightsPath, "cpu"), { stdout: "inherit", stderr: "inherit" });
      procs.push(p);
      return p;
    };
    try {
      let p = spawn();
      await waitFor(() => client.health() === null, 30_000, "python sidecar attached");

      // Agreement: random windows of mixed scales, and real Dukascopy windows from the kernels.
      const { windows: real, width } = realWindows(28, card.rows);
      expect(width).toBe(card.width);
      for (const x of [randomWindows(28, 16, 25, 11), randomWindows(256, 16, 25, 12), real]) {
        const count = x.length / (16 * 25);
        const remote = (await svc.infer(x, count, 16, 25, 5_000_000)) as InferAnswer;
        expect(remote).toMatchObject({ source: "sidecar", device: "cpu", version: "signal-mlp/1", batchCount: count });
        const local = (await model.run(x, count)) as Float32Array;
        expect(maxDiff(remote.outputs, local)).toBeLessThan(TOLERANCE);
        const again = (await viaCall.infer(x, count, 16, 25, 5_000_000)) as InferAnswer;
        expect(again.source).toBe("sidecar");
        expect(maxDiff(again.outputs, remote.outputs)).toBe(0);
      }
      expect(alerts).toEqual([]);

      // Continuous batching: ten requests at once make two sidecar batches (one, then nine merged).
      const before = svc.stats.sidecarBatches;
      const inputs = Array.from({ length: 10 }, (_, i) => randomWindows(28, 16, 25, 100 + i));
      const answers = (await Promise.all(inputs.map((x) => svc.infer(x, 28, 16, 25, 5_000_000)))) as InferAnswer[];
      expect(svc.stats.sidecarBatches - before).toBe(2);
      expect(answers.map((a) => a.batchCount)).toEqual([28, ...Array(9).fill(252)]);
      for (let i = 0; i < 10; i++) {
        expect(answers[i]!.source).toBe("sidecar");
        expect(maxDiff(answers[i]!.outputs, (await model.run(inputs[i]!, 28)) as Float32Array)).toBeLessThan(TOLERANCE);
      }

      // A merged batch stays within one frame of the ring: 40 requests of 28 windows need 3 batches on a 4 MiB ring.
      expect(svc.maxBatchWindows).toBe(655); // (1 MiB frame - 256) / 1,600 bytes per window
      const many = await Promise.all(Array.from({ length: 40 }, (_, i) => svc.infer(inputs[i % 10]!, 28, 16, 25, 5_000_000)));
      expect(many.every((a) => (a as InferAnswer).source === "sidecar")).toBe(true);
      expect(many.map((a) => (a as InferAnswer).batchCount)).toEqual([28, ...Array(23).fill(644), ...Array(16).fill(448)]);
      expect(alerts).toEqual([]);

      // A killed sidecar: the batch runs in-process within its deadline and INFER_FALLBACK is raised once.
      p.kill(9);
      await p.exited;
      const timeoutUs = 300_000;
      const late = (await svc.infer(real, 28, 16, 25, timeoutUs)) as InferAnswer;
      expect(late.source).toBe("in-process");
      expect(late.latencyUs).toBeLessThan(timeoutUs);
      expect(maxDiff(late.outputs, (await model.run(real, 28)) as Float32Array)).toBe(0);
      expect(alerts.map((a) => a.code)).toEqual(["INFER_FALLBACK"]);
      expect(alerts[0]!.context).toContain("cause=SHM_");
      await waitFor(() => client.health()?.code === "SHM_PEER_DEAD", 10_000, "death noticed");
      const dead = (await svc.infer(real, 28, 16, 25, timeoutUs)) as InferAnswer;
      expect(dead.source).toBe("in-process");
      expect(alerts.length).toBe(1);

      // A restarted sidecar is used again.
      p = spawn();
      await waitFor(() => client.health() === null, 30_000, "restarted sidecar attached");
      const back = (await svc.infer(real, 28, 16, 25, 5_000_000)) as InferAnswer;
      expect(back.source).toBe("sidecar");
      expect(alerts.map((a) => a.code)).toEqual(["INFER_FALLBACK", "INFER_SIDECAR_RESTORED"]);
      expect(svc.stats.fallbacks).toBe(2);
    } finally {
      client.close();
    }
  }, 60_000);
});
