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
