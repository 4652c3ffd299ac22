/**
 * Isolation in a real backtest: a strategy run in an isolate gives the same fills, bit for bit, as
 * in process; an isolated strategy that hangs mid-session is terminated and quarantined with
 * PLUGIN_WATCHDOG while the others keep trading to the end; one that keeps memory past its limit
 * is terminated and quarantined with PLUGIN_MEMORY.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const KESTREL = resolve(import.meta.dir, "../../../bin/kestrel");
const FIXTURE = resolve(import.meta.dir, "fixtures/misbehaving.ts");

function deployment(strategies: string): string {
  return `name: isolation
mode: backtest
seed: 11
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic: { pairs: [EURUSD, GBPUSD], start: "2026-01-05T08:00:00Z", durationSeconds: 240 }
venue: { name: sim, plugin: sim, params: { takerFeePpm: 20 } }
strategies:
${strategies}
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 2000000, maxOrdersPerSecond: 50, priceCollarBps: 50, maxDailyLoss: 50000, maxDrawdown: 50000 }
`;
}

function backtest(yaml: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-isolation-"));
  const file = join(dir, "d.yaml");
  writeFileSync(file, yaml);
  const r = Bun.spawnSync([KESTREL, "backtest", file, "--json", "--no-save"], { stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString();
  if (r.exitCode !== 0) throw new Error(`backtest exited ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(out.slice(out.indexOf("{")));
}

const OBI = "  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 40 }ISOLATE }";

test("a strategy in an isolate trades exactly as in process: same orders, fills and fills hash", () => {
  const inProcess = backtest(deployment(OBI.replace("ISOLATE", "")));
  // A generous budget: a loaded machine may deschedule the worker past the default 250 ms, and the
  // watchdog would then (rightly) quarantine it, which is not what this test is about.
  const isolated = backtest(deployment(OBI.replace("ISOLATE", ", isolate: true, budgetUs: 30000000")));
  expect(inProcess.orders as number).toBeGreaterThan(0);
  expect(isolated.quarantined).toEqual([]);
  expect(isolated.fillsHash).toBe(inProcess.fillsHash);
  expect(isolated.orders).toBe(inProcess.orders);
}, 240_000);

test("an isolated strategy that hangs mid-session is quarantined by the watchdog and the others trade on", () => {
  const alone = backtest(deployment(OBI.replace("ISOLATE", "")));
  const report = backtest(
    deployment(`${OBI.replace("ISOLATE", "")}
  - { name: hangs, plugin: ${FIXTURE}, instruments: [EURUSD], budgetUs: 100000, params: { mode: loop, after: 50 } }`),
  );
  const quarantined = report.quarantined as string[];
  expect(quarantined).toHaveLength(1);
  expect(quarantined[0]).toMatch(/^hangs .*PLUGIN_WATCHDOG/);
  // The scalper saw every event: its orders are the same as when it ran alone, give or take the
  // hanging strategy's few orders before it hung (the venue is shared, so fills may differ).
  expect(report.orders as number).toBeGreaterThanOrEqual(alone.orders as number);
  expect(report.events).toBe(alone.events);
}, 240_000);

test("an isolated strategy that keeps memory past its limit is terminated and quarantined with PLUGIN_MEMORY, and the others trade on", () => {
  const alone = backtest(deployment(OBI.replace("ISOLATE", "")));
  const report = backtest(
    deployment(`${OBI.replace("ISOLATE", "")}
  - { name: leaks, plugin: ${FIXTURE}, instruments: [EURUSD], memoryLimitMb: 64, budgetUs: 10000000, params: { mode: leak, leakMb: 4, capMb: 1024 } }`),
  );
  const quarantined = report.quarantined as string[];
  expect(quarantined).toHaveLength(1);
  expect(quarantined[0]).toMatch(/^leaks .*PLUGIN_MEMORY: .*heapMb=\d+ limitMb=64/);
  expect(report.events).toBe(alone.events);
  expect(report.orders as number).toBeGreaterThanOrEqual(alone.orders as number);
}, 240_000);
