import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { recomputeFifo, referencePosition } from "../portfolio/recompute.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import { buildSession } from "./build.ts";
import { runBacktest } from "./backtest.ts";
import { REPO_ROOT, sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-session-");
afterAll(() => tmp.dispose());

const BOTH = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;

test("the real EURUSD day backtest is deterministic: two runs print the same fills hash", async () => {
  const file = resolve(REPO_ROOT, "configs/backtest.yaml");
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const loaded = loadConfig(file, {});
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
    runs.push(runBacktest(s));
  }
  expect(runs[0]!.events).toBe(136_741);
  expect(runs[0]!.fills).toBeGreaterThan(10);
  expect(runs[1]!.fillsHash).toBe(runs[0]!.fillsHash);
  expect(runs[1]!.pnl).toBe(runs[0]!.pnl);
}, 60_000);

test("a synthetic backtest trades, and positions and realised P&L reconcile with the fill list to the unit", async () => {
  const s = await sessionFromYaml(tmp.path, syntheticYaml(BOTH));
  const fills: Fill[] = [];
  s.core.listeners.fill = (f) => fills.push(f);
  const summary = runBacktest(s);
  expect(summary.fills).toBeGreaterThan(20);
  expect(fills.length).toBe(summary.fills);
  const books = recomputeFifo(fills);
  for (const inst of s.instruments) {
    let position = 0;
    let realised = 0;
    for (const book of books.values()) {
      if (book.instrument !== inst.id) continue;
      position += Number(referencePosition(book));
      realised += Number(book.realised);
    }
    expect(s.core.portfolio.position(inst.id)).toBe(position);
    expect(s.core.portfolio.realised(inst.id)).toBe(realised);
  }
  // Every order ended in a state the OMS allows, and the fills of each order never exceed it.
  for (const o of s.core.oms.all()) expect(o.filled).toBeLessThanOrEqual(o.size);
}, 60_000);

test("a strategy that throws is quarantined, its orders canceled, an alert raised, and the others keep trading", async () => {
  const strategies = `  - { name: bad, plugin: ${resolve(import.meta.dir, "fixtures/throwing-strategy.ts")}, instruments: [EURUSD], params: { throwOnQuote: 40 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD] }`;
  const s = await sessionFromYaml(tmp.path, syntheticYaml(strategies, { pairs: "EURUSD" }));
  // The checks below read every order of the run after it: keep all finished orders in memory
  // (the OMS otherwise keeps the newest 10,000, and the market maker makes more than that).
  s.core.oms.retainFinished = Number.MAX_SAFE_INTEGER;
  const summary = runBacktest(s);
  const bad = s.core.host.get("bad")!;
  expect(bad.state).toBe("quarantined");
  expect(bad.failure).toContain("hook=onQuote");
  expect(bad.failure).toContain("boom");
  const alert = s.core.alerts.all().find((a) => a.code === "PLUGIN_QUARANTINED");
  expect(alert?.subject).toBe("bad");
  const badOrders = [...s.core.oms.all()].filter((o) => o.strategy === "bad");
  expect(badOrders.length).toBe(1);
  expect(badOrders[0]!.status).toBe("canceled");
  const mmFillsAfter = [...s.core.oms.all()].filter((o) => o.strategy === "mm" && o.filled > 0 && o.createdTs > badOrders[0]!.updatedTs);
  expect(mmFillsAfter.length).toBeGreaterThan(0);
  expect(summary.quarantined.length).toBe(1);
}, 60_000);

test("a strategy that sends orders without declaring the capability is quarantined before anything reaches risk", async () => {
  const strategies = `  - { name: sneaky, plugin: ${resolve(import.meta.dir, "fixtures/undeclared-orders-strategy.ts")}, instruments: [EURUSD] }`;
  const s = await sessionFromYaml(tmp.path, syntheticYaml(strategies, { pairs: "EURUSD", seconds: 60 }));
  runBacktest(s);
  const slot = s.core.host.get("sneaky")!;
  expect(slot.state).toBe("quarantined");
  expect(slot.failure).toContain("PLUGIN_CAPABILITY");
  expect(s.core.oms.created).toBe(0);
});

test("risk limits changed at run time apply at once, are journaled, and survive a restart; a quarantined strategy can be restarted", async () => {
  const journal = `${tmp.path}/limits.journal`;
  const strategies = `  - { name: bad, plugin: ${resolve(import.meta.dir, "fixtures/throwing-strategy.ts")}, instruments: [EURUSD], params: { throwOnQuote: 10 } }`;
  const yaml = syntheticYaml(strategies, { pairs: "EURUSD", seconds: 30 });
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: journal });
  s.core.host.start();
  s.loop.runUntil(Infinity);
  expect(s.core.host.get("bad")!.state).toBe("quarantined");
  const limits = { ...s.config.risk.limits, maxPosition: 5000 };
  s.core.applyLimits(limits, { EURUSD: { priceCollarBps: 7 } }, "test-operator");
  expect(s.core.risk.limits[0]).toEqual({ maxPosition: 5000, maxOrderNotional: limits.maxOrderNotional, priceCollarBps: 7 });
  expect(s.core.restartStrategy("bad", "test-operator")).toBe(true);
  expect(s.core.host.get("bad")!.state).toBe("running");
  s.journal!.close();
  const again = await sessionFromYaml(tmp.path, yaml, { journalPath: journal });
  expect(again.core.risk.limits[0]).toEqual({ maxPosition: 5000, maxOrderNotional: limits.maxOrderNotional, priceCollarBps: 7 });
  expect(again.core.host.get("bad")!.state).toBe("running");
  again.journal!.close();
}, 60_000);
