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

  test("a model that stops answering has its signals withheld (NaN) after staleAfterUs with one MODEL_STALE alert; the next answer restores them", async () => {
    // A real onnxruntime session, released mid-run: its batches fail (INFER_FAILED "Session already disposed").
    const dying = (await OnnxSignalModel.load(card)) as OnnxSignalModel;
    let service: InferenceService = new InferenceService({ client: null, model: dying });
    const clock = kernelTime(0);
    const alerts: { code: string; severity?: string; context: string }[] = [];
    const engine = ModelEngine.create(options({ service: { infer: (...a) => service.infer(...a) }, staleAfterUs: 350_000, alert: (e) => alerts.push(e) }, clock)) as ModelEngine;
    engine.start();
    const period = async () => {
      clock.fireNext();
      await waitFor(() => !engine.status().inFlight, 5_000, "batch answered");
    };
    await period(); // t = 100 ms: answered
    expect(Number.isFinite(engine.signals[0]!)).toBe(true);
    const good = engine.signals[0]!;
    await dying.close();
    await period(); // 200 ms: fails; the last signals stand (100 ms old)
    await period(); // 300 ms
    await period(); // 400 ms
    expect(engine.signals[0]).toBe(good);
    expect(engine.fallback).toBe(false);
    expect(alerts.map((a) => a.code)).toEqual(["MODEL_BATCH_FAILED"]);
    await period(); // 500 ms: the last answer (gathered at 100 ms) is 400 ms old > 350 ms
    expect(engine.fallback).toBe(true);
    expect([...engine.signals].every(Number.isNaN)).toBe(true);
    expect(alerts.map((a) => a.code)).toEqual(["MODEL_BATCH_FAILED", "MODEL_STALE"]);
    expect(alerts[1]).toMatchObject({ severity: "critical" });
    expect(alerts[1]!.context).toContain("last_error=INFER_FAILED");
    await period(); // still failing: no second alert, still withheld
    expect(alerts).toHaveLength(2);
    expect(Number.isNaN(engine.signals[0]!)).toBe(true);
    // A working model again (as after a restart of the service): the next answer restores the signals.
    service = new InferenceService({ client: null, model });
    await period();
    expect(engine.fallback).toBe(false);
    expect(Number.isFinite(engine.signals[0]!)).toBe(true);
    expect(alerts.map((a) => a.code)).toEqual(["MODEL_BATCH_FAILED", "MODEL_STALE", "MODEL_RESTORED"]);
    expect(alerts[2]).toMatchObject({ severity: "info" });
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
