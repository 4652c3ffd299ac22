/**
 * The isolate's binary submit end to end: a real isolate's submits at the frame's edges reach the
 * runtime's context exactly as the same plugin's in process do (intents compared strictly), and
 * what each submit answers — the id, a refusal and its reason, the error a bad intent throws —
 * reads the same in the plugin; the binary frame is the path taken (counted), msgpack only for the
 * intents it cannot carry.
 */
import { afterEach, expect, test } from "bun:test";
import { resolve } from "node:path";
import { createStrategyHarness } from "../../../plugins/sdk/harness.ts";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { StrategyPlugin } from "../../../plugins/sdk/strategy.ts";
import edges, { EDGE_INTENTS, MANY_TAGS } from "./fixtures/submit-edges.ts";
import { isolateStrategy } from "./isolated-strategy.ts";

const UNIT: Instrument = { id: 0, symbol: "UNIT", venue: "sim", base: "U", quote: "USD", priceDecimals: 0, sizeDecimals: 0, lotSize: 1, minSize: 1 };
const EDGES = resolve(import.meta.dir, "fixtures/submit-edges.ts");
// Longer than the mirror's order slot holds (76 units): read back over the ring.
const LONG = `RISK_SIZE: size=7 refused by the test ${"(a long reason, ünïcödé) ".repeat(5)}`;
const SHORT = "RISK_SIZE: size=3";
const started: { stop(): void }[] = [];
afterEach(() => {
  for (const s of started.splice(0)) s.stop();
});

function run(plugin: StrategyPlugin) {
  const h = createStrategyHarness(plugin, { instruments: [UNIT] });
  h.reject((intent) => (intent.size === 7 ? LONG : intent.size === 3 ? SHORT : null));
  for (let i = 0; i <= EDGE_INTENTS.length; i++) {
    h.quote("UNIT", 100, 102, 10, 10);
    h.advance(1_000);
  }
  return h;
}

test("an isolate's submits at the binary frame's edges reach the runtime and answer exactly as in process", () => {
  const inProcess = run(edges);
  const plugin = isolateStrategy(edges, { module: EDGES, budgetUs: 10_000_000 });
  started.push(plugin);
  const inIsolate = run(plugin);

  // The run covers what it means to: int limits, both refusals with their reasons, thrown errors.
  const logs = inProcess.logs.map((l) => l.fields);
  expect(inProcess.intents.some((i) => i.intent.price === Number.MAX_SAFE_INTEGER && i.intent.size === Number.MAX_SAFE_INTEGER)).toBe(true);
  expect(logs.some((f) => f?.status === "rejected" && f.reason === LONG)).toBe(true);
  expect(logs.some((f) => f?.status === "rejected" && f.reason === SHORT)).toBe(true);
  expect(logs.filter((f) => typeof f?.error === "string" && /HARNESS_USAGE_INVALID/.test(f.error as string)).length).toBeGreaterThanOrEqual(5);
  expect(logs.some((f) => typeof f?.error === "string" && (f.error as string).includes("value=-9007199254740991"))).toBe(true);
  expect(inProcess.intents.length).toBeGreaterThan(MANY_TAGS);

  expect(inIsolate.intents).toStrictEqual(inProcess.intents);
  expect(inIsolate.logs).toStrictEqual(inProcess.logs);
  expect(inIsolate.cancels).toStrictEqual(inProcess.cancels);

  // Every submit whose fields are of their SDK types came as a binary frame; the five that are not, as msgpack.
  const st = plugin.stats();
  const submits = EDGE_INTENTS.reduce((n, l) => n + l.length, 0) + MANY_TAGS + 5;
  expect(st.roundTripsBy.submit).toBe(submits);
  expect(st.binarySubmits).toBe(submits - 5);
}, 60_000);

test("with binary frames off the same isolate sends every submit as msgpack and still answers the same", () => {
  const inProcess = run(edges);
  const plugin = isolateStrategy(edges, { module: EDGES, budgetUs: 10_000_000, binary: false });
  started.push(plugin);
  const inIsolate = run(plugin);
  expect(plugin.stats().binarySubmits).toBe(0);
  expect(inIsolate.logs).toEqual(inProcess.logs);
  expect(inIsolate.intents.map((i) => i.orderId)).toEqual(inProcess.intents.map((i) => i.orderId));
}, 60_000);
