import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { readJournal } from "../journal/journal-file.ts";
import type { OrderRecord } from "../journal/records.ts";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-models-");
afterAll(() => tmp.dispose());

test("a paper session runs the model over every instrument's context window; strategies read its signal and orders carry the model version", async () => {
  const strategies = `  - { name: follower, plugin: ${resolve(import.meta.dir, "fixtures/signal-strategy.ts")}, instruments: [EURUSD, GBPUSD] }`;
  const yaml = syntheticYaml(strategies, { seconds: 100000, extra: "models: { mode: in-process, everyMs: 200 }\nfeatures: { instruments: all }" }).replace("mode: backtest", "mode: paper");
  const journal = `${tmp.path}/models.journal`;
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: journal });
  const summary = await startRealtime(s, { forUs: 3_000_000, speed: 50 }).done;
  const status = s.models!.engine.status();
  await s.close();
  expect(status.source).toBe("in-process");
  expect(status.version).toBe("signal-mlp/1");
  for (let i = 0; i < s.instruments.length; i++) expect(Number.isFinite(s.models!.engine.signals[i]!)).toBe(true);
  expect(summary.orders).toBeGreaterThan(0);
  const orders = readJournal(journal).records.filter((r): r is OrderRecord => r.t === "order");
  expect(orders.length).toBe(summary.orders);
  for (const o of orders) expect(o.model).toMatch(/^signal-mlp\/1@\d+$/);
}, 60_000);

for (const mode of ["in-process", "sidecar"] as const) {
  test(`mode ${mode}: a paper session serves the shipped vol-window model named by the registry (models.model: vol-window@1)`, async () => {
    const strategies = `  - { name: follower, plugin: ${resolve(import.meta.dir, "fixtures/signal-strategy.ts")}, instruments: [EURUSD, GBPUSD] }`;
    const yaml = syntheticYaml(strategies, { seconds: 100000, extra: `models: { mode: ${mode}, everyMs: 200, timeoutUs: 5000000, device: cpu, model: vol-window@1 }\nfeatures: { instruments: all }` }).replace("mode: backtest", "mode: paper");
    const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
    if (mode === "sidecar") {
      const { waitFor } = await import("../../gpu-bridge/shm/test-support.ts");
      await waitFor(() => s.models!.sidecar!.client.health() === null, 30_000, "python sidecar attached");
    }
    await startRealtime(s, { forUs: 3_000_000, speed: 50 }).done;
    const status = s.models!.engine.status();
    await s.close();
    expect(status.source).toBe(mode);
    expect(status.version).toBe("vol-window/1");
    expect(status.batches).toBeGreaterThan(0);
    for (let i = 0; i < s.instruments.length; i++) expect(Math.abs(s.models!.engine.signals[i]!)).toBeLessThanOrEqual(1);
  }, 60_000);
}
