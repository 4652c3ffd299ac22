/**
 * Isolated strategies, driven through the SDK harness: an isolated plugin behaves exactly as in
 * process, and a plugin that loops, blocks or allocates without end is stopped by the watchdog
 * (its worker terminated, PLUGIN_WATCHDOG thrown, which quarantines it in a session) while the
 * caller goes on; what the grants do not allow fails inside the plugin with PLUGIN_CAPABILITY.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { createStrategyHarness } from "../../../plugins/sdk/harness.ts";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { StrategyPlugin } from "../../../plugins/sdk/strategy.ts";
import obiScalper from "../../../plugins/strategies/obi-scalper/index.ts";
import misbehaving from "./fixtures/misbehaving.ts";
import contextReader from "./fixtures/context-reader.ts";
import { isolateStrategy } from "./isolated-strategy.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const OBI = resolve(import.meta.dir, "../../../plugins/strategies/obi-scalper/index.ts");
const MISBEHAVING = resolve(import.meta.dir, "fixtures/misbehaving.ts");
const CONTEXT_READER = resolve(import.meta.dir, "fixtures/context-reader.ts");
const started: { stop(): void }[] = [];
afterEach(() => {
  for (const s of started.splice(0)) s.stop();
});

function isolated(plugin: StrategyPlugin, module: string, budgetUs = 2_000_000, grants: string[] = []) {
  const p = isolateStrategy(plugin, { module, budgetUs, grants });
  started.push(p);
  return p;
}

/** A seeded walk of quotes with a leaning book, enough for the scalper to trade. */
function drive(h: ReturnType<typeof createStrategyHarness>): void {
  let bid = 114_500;
  let seed = 7;
  for (let i = 0; i < 400; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bid += (seed % 5) - 2;
    const lean = (seed >>> 8) % 1_000_000;
    h.quote("EURUSD", bid, bid + 1 + (seed % 3), 100_000 + lean, 1_100_000 - lean);
    for (const s of h.intents) if (s.rejected === null && h.order(s.orderId)?.status === "working" && (seed >>> 4) % 4 === 0) h.fill(s.orderId);
    h.advance(250_000);
  }
}

describe("isolated strategies", () => {
  test("an isolated plugin asks for exactly what it asks for in process", () => {
    const inProcess = createStrategyHarness(obiScalper, { instruments: [EURUSD] });
    const inIsolate = createStrategyHarness(isolated(obiScalper, OBI), { instruments: [EURUSD] });
    drive(inProcess);
    drive(inIsolate);
    expect(inProcess.intents.length).toBeGreaterThan(10);
    expect(inIsolate.intents.map((i) => i.intent)).toEqual(inProcess.intents.map((i) => i.intent));
    expect(inIsolate.position("EURUSD")).toBe(inProcess.position("EURUSD"));
  }, 60_000);

  test("obi-scalper's reads come from the context mirror: its only context round trips are its submits (and create's featureIndex)", () => {
    const inProcess = createStrategyHarness(obiScalper, { instruments: [EURUSD] });
    const plugin = isolated(obiScalper, OBI);
    const inIsolate = createStrategyHarness(plugin, { instruments: [EURUSD] });
    drive(inProcess);
    drive(inIsolate);
    expect(inIsolate.intents.map((i) => i.intent)).toEqual(inProcess.intents.map((i) => i.intent));
    expect(inIsolate.cancels).toEqual(inProcess.cancels);
    expect(inIsolate.logs).toEqual(inProcess.logs);
    expect(inIsolate.fills).toEqual(inProcess.fills);
    const st = plugin.stats();
    // Without the mirror every book, position, features, trading state and order read was a round
    // trip: 1,942 for these 400 quotes (4.9 per quote). Now: one per submit, two featureIndex at create.
    expect(st.contextCalls).toBeLessThanOrEqual(inIsolate.intents.length + 2);
    expect(st.contextCalls / 400).toBeLessThan(0.2);
    // Its timers and logs crossed with the hooks' answers instead.
    expect(st.queuedWrites).toBeGreaterThanOrEqual(inIsolate.logs.length);
    // The same isolate with the mirror off: the same orders, and every read a round trip again.
    const unmirrored = isolateStrategy(obiScalper, { module: OBI, budgetUs: 2_000_000, mirror: false });
    started.push(unmirrored);
    const without = createStrategyHarness(unmirrored, { instruments: [EURUSD] });
    drive(without);
    expect(without.intents.map((i) => i.intent)).toEqual(inProcess.intents.map((i) => i.intent));
    expect(unmirrored.stats().contextCalls / 400).toBeGreaterThan(4);
  }, 60_000);

  // Longer than an order slot of the mirror holds: that order is asked for over the ring.
  const REFUSAL = `RISK_SIZE: size=7000 refused by the test ${"(a long reason) ".repeat(6)}`;
  test("right after its own submits and cancels, an isolated plugin reads exactly what it reads in process", () => {
    const run = (plugin: StrategyPlugin) => {
      const h = createStrategyHarness(plugin, { instruments: [EURUSD], features: { names: ["imbalance", "spread"] }, pendingCancels: true });
      h.reject((intent) => (intent.size === 7000 ? REFUSAL : null));
      let bid = 114_500;
      for (let i = 0; i < 120; i++) {
        bid += (i % 5) - 2;
        h.setFeature("EURUSD", "spread", (i % 3) + 1);
        if (i % 4 === 0) h.setFeature("EURUSD", "imbalance", (i % 9) / 10);
        h.quote("EURUSD", bid, bid + 2, 100_000 + i * 1000, 90_000 + i * 500);
        if (i % 6 === 0) for (const o of h.openOrders.slice(0, 1)) if (o.status === "working") h.fill(o.id, o.price, 500);
        if (i % 8 === 0) h.confirmCancels();
        if (i === 40) h.setTradingState("halted");
        if (i === 50) h.setTradingState("active");
        h.advance(700);
      }
      return h;
    };
    const inProcess = run(contextReader);
    const inIsolate = run(isolated(contextReader, CONTEXT_READER));
    // The run exercised what it means to: refusals, cancels in flight, a held submit.
    expect(inProcess.logs.some((l) => l.fields?.status === "rejected" && l.fields?.reason === REFUSAL)).toBe(true);
    expect(inProcess.logs.some((l) => l.message === "canceled" && l.fields?.status === "pending-cancel")).toBe(true);
    expect(inProcess.logs.some((l) => l.message === "state" && l.fields?.id === 0)).toBe(true);
    expect((inProcess.logs.find((l) => l.message === "burst")?.fields?.open as number[]).length).toBeGreaterThanOrEqual(70);
    expect(inProcess.logs.length).toBeGreaterThan(200);
    expect(inIsolate.logs).toEqual(inProcess.logs);
    expect(inIsolate.intents).toEqual(inProcess.intents);
    expect(inIsolate.cancels).toEqual(inProcess.cancels);
  }, 60_000);

  for (const mode of ["loop", "sleep", "alloc"]) {
    test(`a plugin that does "${mode}" in a hook is stopped by the watchdog, and the caller goes on`, () => {
      const plugin = isolated(misbehaving, MISBEHAVING, 200_000);
      const h = createStrategyHarness(plugin, { instruments: [EURUSD], params: { mode } });
      expect(() => h.quote("EURUSD", 114543, 114545, 1, 1)).toThrow(/PLUGIN_WATCHDOG: .*hook=onQuote budgetUs=200000/);
      // The worker is gone: another call says so at once instead of waiting again.
      expect(() => h.quote("EURUSD", 114543, 114545, 1, 1)).toThrow(/PLUGIN_ISOLATE_DEAD/);
      // A restart (create again) brings a fresh worker that works.
      const again = createStrategyHarness(plugin, { instruments: [EURUSD], params: { mode: "good" } });
      again.quote("EURUSD", 114543, 114545, 1, 1);
      expect(again.intents).toHaveLength(1);
    }, 60_000);
  }

  for (const [mode, what] of [
    ["fetch", "network (fetch)"],
    ["socket", "network (node:net connect)"],
    ["bun-socket", "network (Bun.connect)"],
    ["file", "files (Bun.file)"],
    ["node-fs", "files (node:fs readFileSync)"],
    ["spawn", "subprocesses (node:child_process execFileSync)"],
    ["worker", "nested workers"],
  ]) {
    test(`${mode} without a grant fails inside the plugin with PLUGIN_CAPABILITY`, () => {
      const h = createStrategyHarness(isolated(misbehaving, MISBEHAVING), { instruments: [EURUSD], params: { mode } });
      expect(() => h.quote("EURUSD", 114543, 114545, 1, 1)).toThrow(`PLUGIN_CAPABILITY: ${what} is not granted to an isolated plugin`);
    }, 60_000);
  }

  test("without the network grant no connection reaches a listening socket; with it one does", async () => {
    let opened = 0;
    const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => void opened++, data() {} } });
    try {
      const params = { mode: "socket", port: server.port };
      const denied = createStrategyHarness(isolated(misbehaving, MISBEHAVING), { instruments: [EURUSD], params });
      expect(() => denied.quote("EURUSD", 114543, 114545, 1, 1)).toThrow("PLUGIN_CAPABILITY: network (node:net connect)");
      const granted = createStrategyHarness(isolated(misbehaving, MISBEHAVING, 2_000_000, ["network"]), { instruments: [EURUSD], params });
      granted.quote("EURUSD", 114543, 114545, 1, 1);
      for (let i = 0; i < 100 && opened === 0; i++) await Bun.sleep(50);
      // Exactly the granted plugin's connection arrived.
      expect(opened).toBe(1);
    } finally {
      server.stop(true);
    }
  }, 60_000);

  test("an isolated plugin sees an empty environment", () => {
    const h = createStrategyHarness(isolated(misbehaving, MISBEHAVING), { instruments: [EURUSD], params: { mode: "env" } });
    h.quote("EURUSD", 114543, 114545, 1, 1);
    expect(h.logs.map((l) => l.fields)).toContainEqual({ keys: 0 });
    expect(h.intents).toHaveLength(1);
  }, 60_000);
});

describe("memory limit of an isolate", () => {
  test("a plugin that keeps memory across calls is terminated with PLUGIN_MEMORY once its heap passes the limit", () => {
    const plugin = isolateStrategy(misbehaving, { module: MISBEHAVING, budgetUs: 10_000_000, memoryLimitMb: 64 });
    started.push(plugin);
    // capMb: were the limit not enforced, the plugin would block at 1 GiB and the watchdog end it instead.
    const h = createStrategyHarness(plugin, { instruments: [EURUSD], params: { mode: "leak", leakMb: 4, capMb: 1024 } });
    let error: unknown = null;
    let calls = 0;
    const deadline = Date.now() + 60_000;
    while (error === null && Date.now() < deadline) {
      try {
        h.quote("EURUSD", 114543, 114545, 1, 1);
        calls++;
        // The heap is published at most every 10 ms: give it the time a session's events would.
        Bun.sleepSync(2);
      } catch (err) {
        error = err;
      }
    }
    expect(String(error)).toMatch(/PLUGIN_MEMORY: module=.*misbehaving\.ts hook=onQuote heapMb=\d+ limitMb=64 \(the isolate was terminated\)/);
    // It got past the limit (16 calls of 4 MiB), and was stopped long before the cap.
    expect(calls).toBeGreaterThanOrEqual(16);
    expect(calls).toBeLessThan(256);
    expect(() => h.quote("EURUSD", 114543, 114545, 1, 1)).toThrow(/PLUGIN_ISOLATE_DEAD/);
  }, 90_000);

  test("a plugin that allocates without end inside one call is terminated with PLUGIN_MEMORY before its time budget", () => {
    const plugin = isolateStrategy(misbehaving, { module: MISBEHAVING, budgetUs: 60_000_000, memoryLimitMb: 64 });
    started.push(plugin);
    const h = createStrategyHarness(plugin, { instruments: [EURUSD], params: { mode: "alloc", capMb: 2048 } });
    expect(() => h.quote("EURUSD", 114543, 114545, 1, 1)).toThrow(/PLUGIN_MEMORY: .*hook=onQuote growthMb=\d+ limitMb=64 \(the isolate was terminated\)/);
  }, 90_000);
});
