import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import { runBacktest } from "./backtest.ts";
import { shadowConfig, startIdleShadow, type IdleShadow } from "./idle-shadow.ts";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-idle-shadow-");
afterAll(() => tmp.dispose());

const BOTH = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;
const EXTRA = `journal: { path: ${join(tmp.path, "j.journal")}, fsync: batch }
store: { path: ${join(tmp.path, "s.duckdb")} }
admin: { port: 0 }`;

function config(yaml: string): { config: DeploymentConfig; file: string } {
  const file = join(tmp.path, "deployment.yaml");
  writeFileSync(file, yaml);
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  return { config: loaded.config, file };
}

test("the shadow's deployment keeps the pipeline and drops everything that reaches outside the process", () => {
  const { config: c } = config(syntheticYaml(BOTH, { extra: EXTRA }).replace("mode: backtest", "mode: paper"));
  const s = shadowConfig(c);
  if ("unsupported" in s) throw new Error(s.unsupported);
  expect(s.mode).toBe("backtest");
  expect(s.journal).toBeUndefined();
  expect(s.store).toBeUndefined();
  expect(s.admin).toBeUndefined();
  expect(s.strategies).toEqual(c.strategies);
  expect(s.risk).toEqual(c.risk);
  expect(s.market.synthetic?.start).toBe("2024-01-08T00:00:00Z");
  // The deployment itself is left as it was.
  expect(c.mode).toBe("paper");
  expect(c.journal).toBeDefined();
});

test("a deployment the shadow cannot copy safely gets no shadow, with the reason", () => {
  const isolated = config(syntheticYaml(`  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD], isolate: true }`)).config;
  expect(shadowConfig(isolated)).toEqual({ unsupported: expect.stringContaining("mm runs (or may run) in an isolate") });
  const feed = structuredClone(isolated);
  feed.strategies[0]!.isolate = false;
  feed.market.source = "venue";
  expect(shadowConfig(feed)).toEqual({ unsupported: expect.stringContaining("venue's own feed") });
});

test("stepping a shadow between every event of a backtest leaves the backtest's fills, P&L and orders exactly as without it", async () => {
  const plain = runBacktest(await sessionFromYaml(tmp.path, syntheticYaml(BOTH, { seconds: 900 })));
  const { config: c, file } = config(syntheticYaml(BOTH, { seconds: 900 }));
  const shadow = (await startIdleShadow(c, file, 300)) as IdleShadow;
  expect("unsupported" in shadow).toBe(false);
  const s = await sessionFromYaml(tmp.path, syntheticYaml(BOTH, { seconds: 900 }));
  s.core.host.start();
  while (!s.loop.exhausted) {
    s.loop.runUntil(Infinity, 1);
    shadow.step();
    shadow.step();
  }
  s.core.host.stop();
  const summary = (await import("./summary.ts")).summarize(s, 1);
  expect(plain.fills).toBeGreaterThan(20);
  expect(summary.fills).toBe(plain.fills);
  expect(summary.fillsHash).toBe(plain.fillsHash);
  expect(summary.pnl).toBe(plain.pnl);
  expect(summary.orders).toBe(plain.orders);
  // The shadow ran its own 300-s market through (and started over at least once).
  expect(shadow.events).toBeGreaterThan(50_000);
  expect(shadow.restarts).toBeGreaterThanOrEqual(1);
  await shadow.close();
  await s.close();
}, 120_000);

test("a busy-polling paper run and a sleeping one step the idle shadow between events and still trade", async () => {
  const { config: c, file } = config(syntheticYaml(BOTH, { seconds: 600 }));
  for (const busyPoll of [true, false]) {
    const shadow = (await startIdleShadow(c, file)) as IdleShadow;
    const s = await sessionFromYaml(tmp.path, syntheticYaml(BOTH, { seconds: 600 }), { mode: "paper", journalPath: "", store: false });
    const run = startRealtime(s, { forUs: 500_000, speed: 200, busyPoll, idleShadow: shadow });
    const summary = await run.done;
    expect(s.loop.marketEvents).toBeGreaterThan(1_000);
    expect(summary.orders).toBeGreaterThan(0);
    expect(shadow.events).toBeGreaterThan(100);
    await shadow.close();
    await s.close();
  }
}, 120_000);
