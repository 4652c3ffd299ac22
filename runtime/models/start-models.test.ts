import { expect, test } from "bun:test";
import { createFeatureKernels, defaultFeatureConfig } from "../../kernels-wasm/index.ts";
import { feedInstruments, readDukascopy } from "../../gpu-bridge/inference/test-windows.ts";
import { tempSegmentDir, waitFor } from "../../gpu-bridge/shm/test-support.ts";
import { TimerQueue } from "../kernel/timer-queue.ts";
import { type ModelsDeps, startModels } from "./start-models.ts";
import { needsTools } from "../testing/system-tools.ts";


function deps(instruments: number, alerts: string[]) {
  const kernels = createFeatureKernels(defaultFeatureConfig(instruments));
  feedInstruments(kernels, readDukascopy(20_000), instruments, 100, 5_000);
  const timers = new TimerQueue();
  let now = 0;
  const d: ModelsDeps = {
    instruments, width: kernels.layout.width, context: (i) => kernels.context(i),
    now: () => now, schedule: (at, fn) => timers.push(at, fn), alert: (e) => alerts.push(e.code),
  };
  const fire = () => {
    now = timers.peekTs();
    timers.pop()!();
  };
  return { d, fire };
}

test("a models section whose model does not fit the kernels' layout is refused before anything starts", async () => {
  const { d } = deps(2, []);
  expect(await startModels({ mode: "in-process", everyMs: 100 }, { ...d, width: 24 })).toMatchObject({ code: "MODEL_CONFIG_INVALID" });
  expect(await startModels({ mode: "in-process", everyMs: 100, card: "/nonexistent/card.json" }, d)).toMatchObject({ code: "INFER_MODEL_MISSING" });
});

for (const mode of ["in-process", "sidecar"] as const) {
  test.skipIf(mode === "sidecar" && !needsTools("models: startModels in sidecar mode", "torch"))(`mode ${mode}: the started engine gives every instrument a signal`, async () => {
    using dir = tempSegmentDir();
    const alerts: string[] = [];
    const { d, fire } = deps(4, alerts);
    const m = await startModels({ mode, everyMs: 50, timeoutUs: 5_000_000, device: "cpu", segmentPath: dir.path("infer") }, d);
    if ("code" in m) throw new Error(`${m.code} ${m.context}`);
    try {
      // The first batch goes to the sidecar once it serves (before that it would run in-process).
      if (mode === "sidecar") await waitFor(() => m.sidecar!.client.health() === null, 30_000, "python sidecar attached");
      else expect(m.sidecar).toBeNull();
      fire();
      await waitFor(() => !m.engine.status().inFlight, 10_000, "batch answered");
      for (const s of m.engine.signals) expect(Math.abs(s)).toBeLessThanOrEqual(1);
      expect(m.engine.status()).toMatchObject({ batches: 1, version: "signal-mlp/1", source: mode });
      expect(new Set(m.engine.signals).size).toBe(4);
    } finally {
      await m.stop();
    }
  }, 30_000);
}
