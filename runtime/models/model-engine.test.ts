import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createFeatureKernels, defaultFeatureConfig, type FeatureKernels } from "../../kernels-wasm/index.ts";
import { InferenceService, type ModelCard, OnnxSignalModel, readModelCard, startInferenceSidecar } from "../../gpu-bridge/inference/index.ts";
import { tempSegmentDir, waitFor } from "../../gpu-bridge/shm/test-support.ts";
import { feedInstruments, readDukascopy } from "../../gpu-bridge/inference/test-windows.ts";
import { TimerQueue } from "../kernel/timer-queue.ts";
import { ModelEngine, type ModelEngineOptions } from "./model-engine.ts";
import { needsTools } from "../testing/system-tools.ts";

const INSTRUMENTS = 28;
const card = readModelCard() as ModelCard;

let kernels: FeatureKernels;
let model: OnnxSignalModel;

beforeAll(async () => {
  // 28 instruments, each fed 300 real Dukascopy quotes from a different hour of the day.
  kernels = createFeatureKernels(defaultFeatureConfig(INSTRUMENTS));
  feedInstruments(kernels, readDukascopy(), INSTRUMENTS, 300, 4_000);
  const m = await OnnxSignalModel.load(card);
  if ("code" in m) throw new Error(m.code);
  model = m;
});
afterAll(() => model?.close());

/** A kernel clock and timer queue the test advances by hand. */
function kernelTime(startUs: number) {
  const timers = new TimerQueue();
  let now = startUs;
  return {
    now: () => now,
    schedule: (at: number, fn: () => void) => timers.push(at, fn),
    timers,
    /** Moves kernel time to the next timer and runs it. */
    fireNext: () => {
      now = timers.peekTs();
      timers.pop()!();
    },
  };
}

/** The batch the engine should gather: the newest rows of each window. */
function expectedBatch(rows: number): Float32Array {
  const per = rows * card.width;
  const b = new Float32Array(INSTRUMENTS * per);
  for (let i = 0; i < INSTRUMENTS; i++) {
    const c = kernels.context(i);
    b.set(c.subarray(c.length - per), i * per);
  }
  return b;
}

function options(over: Partial<ModelEngineOptions>, clock: ReturnType<typeof kernelTime>): ModelEngineOptions {
  return {
    service: new InferenceService({ client: null, model }),
    instruments: INSTRUMENTS, rows: card.rows, width: kernels.layout.width,
    context: (i) => kernels.context(i), now: clock.now, schedule: clock.schedule, everyMs: 100, ...over,
  };
}

describe("ModelEngine", () => {
  test("writes the model's signal for every instrument each period and skips a tick while its batch is in flight", async () => {
    const clock = kernelTime(1_549_238_400_000_000);
    const engine = ModelEngine.create(options({}, clock));
    if ("code" in engine) throw new Error(engine.context);
    expect(engine.status()).toMatchObject({ source: "none", batches: 0 });
    expect(Number.isNaN(engine.signals[0]!)).toBe(true);
    engine.start();
    clock.fireNext(); // gathers and sends batch 1
    clock.fireNext(); // batch 1 has not answered yet: skipped, not blocked
    expect(engine.status()).toMatchObject({ inFlight: true, skipped: 1 });
    await waitFor(() => !engine.status().inFlight, 5_000, "batch answered");
    const want = (await model.run(expectedBatch(card.rows), INSTRUMENTS)) as Float32Array;
    for (let i = 0; i < INSTRUMENTS; i++) expect(engine.signals[i]).toBe(want[i]!);
    expect(new Set(engine.signals).size).toBeGreaterThan(INSTRUMENTS / 2);
    const s = engine.status();
    expect(s).toMatchObject({ source: "in-process", version: "signal-mlp/1", batches: 1, errors: 0, ts: 1_549_238_400_100_000 });
    expect(s.ageUs).toBe(100_000); // the clock is at the skipped tick, 100 ms after the gather
    expect(s.latencyUs).toBeGreaterThan(0);
    engine.stop();
    clock.fireNext(); // a stopped engine schedules nothing more
    expect(clock.timers.size).toBe(0);
  });

  test("refuses a context window shorter than the model's rows, and alerts once when the service refuses its batches", async () => {
    const clock = kernelTime(0);
    expect(ModelEngine.create(options({ rows: 600 }, clock))).toMatchObject({ code: "MODEL_CONFIG_INVALID" });
    expect(ModelEngine.create(options({ everyMs: 0 }, clock))).toMatchObject({ code: "MODEL_CONFIG_INVALID" });
    const alerts: string[] = [];
    const engine = ModelEngine.create(options({ rows: 20, alert: (e) => alerts.push(`${e.code} ${e.context}`) }, clock)) as ModelEngine;
    engine.start();
    for (let k = 0; k < 2; k++) {
      clock.fireNext();
      await waitFor(() => !engine.status().inFlight, 5_000, "batch answered");
    }
    expect(engine.status()).toMatchObject({ errors: 2, batches: 0, source: "none" });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toStartWith("MODEL_BATCH_FAILED cause=INFER_INPUT_INVALID");
    engine.stop();
  });

  test.skipIf(!needsTools("models: engine on the sidecar", "torch"))("takes its signals from the supervised sidecar, the same as in-process within float32 tolerance", async () => {
    using dir = tempSegmentDir();
    const alerts: string[] = [];
    const side = await startInferenceSidecar({ path: dir.path("infer"), device: "cpu", onAlert: (e) => alerts.push(e.code) });
    if ("code" in side) throw new Error(`${side.code} ${side.context}`);
    const pid = side.supervisor.pid();
    try {
      await waitFor(() => side.supervisor.client.health() === null, 30_000, "python sidecar attached");
      const clock = kernelTime(0);
      const engine = ModelEngine.create(options({ service: side.service, timeoutUs: 5_000_000 }, clock)) as ModelEngine;
      engine.start();
      clock.fireNext();
      await waitFor(() => !engine.status().inFlight, 10_000, "batch answered");
      expect(engine.status()).toMatchObject({ source: "sidecar", version: "signal-mlp/1", batches: 1 });
      const want = (await model.run(expectedBatch(card.rows), INSTRUMENTS)) as Float32Array;
      for (let i = 0; i < INSTRUMENTS; i++) expect(Math.abs(engine.signals[i]! - want[i]!)).toBeLessThan(1e-5);
      expect(alerts).not.toContain("INFER_FALLBACK"); // (SHM_PEER_ABSENT is raised while python starts)
      engine.stop();
    } finally {
      await side.stop();
    }
    expect(() => process.kill(pid!, 0)).toThrow();
  }, 40_000);
});
