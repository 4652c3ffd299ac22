/**
 * Parent orders from an isolated strategy, in a real backtest (synthetic market, sim venue):
 * `submitAlgo`, `parent` and `cancelAlgo` cross the isolate's rings, and the parent's children's
 * order and fill events reach the plugin in its worker. A TWAP parent handed over from an isolate
 * runs to completion with the same children, fills and events as from the same plugin in process;
 * a parent canceled from an isolate ends canceled with its open children canceled.
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";

const USER = resolve(import.meta.dir, "fixtures/parent-user.ts");
const dir = tempDir("kestrel-isolate-parents-");
afterAll(() => dir.dispose());

const EXECUTION = `execution:
  algos:
    - { name: twap, plugin: twap, params: { durationSeconds: 200, slices: 10, style: take } }
    - { name: iceberg, plugin: iceberg, params: { displaySize: 100000, sizeVariance: 0.3 } }
`;
const user = (isolate: boolean, params: string) => `  - { name: user, plugin: ${JSON.stringify(USER)}, isolate: ${isolate}, instruments: [EURUSD], params: { ${params} } }`;

/** Runs a backtest of the fixture and returns the session and the fixture's log lines (msg and fields). */
async function run(isolate: boolean, params: string, seconds: number) {
  const lines: Record<string, unknown>[] = [];
  const s = await sessionFromYaml(dir.path, syntheticYaml(user(isolate, params), { seconds, extra: EXECUTION }), {
    log: (line) => {
      const l = JSON.parse(line) as Record<string, unknown>;
      if (l.who === "user") lines.push(l);
    },
  });
  runBacktest(s);
  await s.close();
  return { s, lines };
}

test("an isolated strategy's TWAP parent runs to completion exactly as in process, its child events crossing the isolate", async () => {
  const params = "algo: twap, quantity: 1000000";
  const inProcess = await run(false, params, 400);
  const isolated = await run(true, params, 400);
  expect(isolated.s.core.host.get("user")!.state).not.toBe("quarantined");
  const parents = [...isolated.s.algos!.parents.all()];
  expect(parents).toHaveLength(1);
  const p = parents[0]!;
  expect(p.spec.strategy).toBe("user");
  expect(p.status).toBe("filled");
  expect(p.filled).toBe(1_000_000);
  expect(p.children.length).toBeGreaterThanOrEqual(10);
  expect(isolated.s.core.portfolio.positionOf("user", p.spec.instrument)).toBe(1_000_000);
  // The same children and fills as in process.
  const kids = (s: typeof isolated.s) => [...s.algos!.parents.all()][0]!.children.map((id) => { const o = s.core.oms.get(id)!; return [o.id, o.tag, o.size, o.filled, o.status]; });
  expect(kids(isolated.s)).toEqual(kids(inProcess.s));
  // The plugin in its worker was told of its children and read its parent through ctx.parent().
  expect(isolated.lines.length).toBeGreaterThan(10);
  expect(isolated.lines).toEqual(inProcess.lines);
  const text = isolated.lines.map((l) => JSON.stringify(l));
  expect(text.some((t) => t.includes('"parent"') && t.includes('"working"'))).toBe(true);
  expect(text.filter((t) => t.includes('"childFill"')).length).toBeGreaterThanOrEqual(10);
  expect(text.some((t) => t.includes('"childFill"') && t.includes('"parentFilled":1000000') && t.includes('"parentStatus":"filled"'))).toBe(true);
}, 120_000);

test("an isolated strategy cancels its parent: the parent ends canceled and its resting child with it", async () => {
  const { s, lines } = await run(true, "algo: iceberg, quantity: 1000000, limitTicks: -20, cancelAfterQuotes: 400", 30);
  const p = [...s.algos!.parents.all()][0]!;
  expect(p.cancelRequested).toBe(true);
  expect(p.status).toBe("canceled");
  expect(p.children.length).toBeGreaterThan(0);
  expect(p.children.every((id) => s.core.oms.get(id)!.status === "canceled")).toBe(true);
  const text = lines.map((l) => JSON.stringify(l));
  expect(text.some((t) => t.includes('"cancel"'))).toBe(true);
  expect(text.some((t) => t.includes('"child"') && t.includes('"canceled"'))).toBe(true);
}, 120_000);
