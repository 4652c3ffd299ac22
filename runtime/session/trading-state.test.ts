/**
 * Trading state end to end: a taker that ignores the state loses the spread until the daily-loss
 * breaker trips; from then on the strategies are told "reducing" (once), the host holds back the
 * intents risk could only refuse and counts them per reason, and the log gets a line per state
 * change, not per held intent. The kill switch makes the state "halted" the same way.
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { runBacktest } from "./backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-state-");
afterAll(() => tmp.dispose());

const fixture = (name: string) => resolve(import.meta.dir, "fixtures", name);
const strategies = `  - { name: taker, plugin: ${fixture("taker-strategy.ts")}, instruments: [EURUSD], params: { every: 3, size: 100000 } }
  - { name: recorder, plugin: ${fixture("state-recorder-strategy.ts")}, instruments: [EURUSD] }
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD] }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD] }`;

function yaml(maxDailyLoss: number): string {
  return syntheticYaml(strategies, { pairs: "EURUSD", seconds: 600 }).replace("maxDailyLoss: 100000", `maxDailyLoss: ${maxDailyLoss}`);
}

type Line = { who: string; msg: string; state?: string; ctxState?: string };

test("when the daily-loss breaker trips, strategies are told, doomed intents are held and counted per reason, and the log is not flooded", async () => {
  const lines: string[] = [];
  const session = await sessionFromYaml(tmp.path, yaml(300), { log: (l) => lines.push(l) });
  const summary = runBacktest(session);
  const parsed = lines.map((l) => JSON.parse(l) as Line);

  expect(summary.tradingState).toBe("reducing");
  // Every strategy heard of the change once, and ctx.tradingState() agreed when it did.
  const told = parsed.filter((l) => l.msg === "told" || l.msg === "trading state");
  expect(told.map((l) => `${l.who}:${l.state}`).sort()).toEqual(["mm:reducing", "obi:reducing", "recorder:reducing"]);
  expect(parsed.find((l) => l.msg === "told")!.ctxState).toBe("reducing");
  // The taker kept trying; its new exposure never reached risk or the OMS.
  const held = summary.heldIntents.BREAKER_TRIPPED ?? 0;
  expect(held).toBeGreaterThan(5_000);
  expect(summary.riskRejections.BREAKER_TRIPPED ?? 0).toBe(0);
  expect(summary.orders).toBeLessThan(60_000 - held);
  // A line per state change and per strategy event, none per held intent.
  expect(lines.length).toBeLessThan(200);
  expect(lines.length).toBeLessThan(held / 50);
}, 60_000);

test("the kill switch halts: strategies are told, every new intent is held as KILL_SWITCH, and releasing it makes the state active again", async () => {
  const lines: string[] = [];
  const session = await sessionFromYaml(tmp.path, yaml(1_000_000), { log: (l) => lines.push(l) });
  const { loop, core } = session;
  core.resubmitOpen();
  core.host.start();
  loop.runUntil(Infinity, 30_000);
  core.engageKill("test", "operator");
  expect(core.tradingState).toBe("halted");
  loop.runUntil(Infinity, 30_000);
  const killed = core.heldIntents.get("KILL_SWITCH") ?? 0;
  expect(killed).toBeGreaterThan(1_000);
  expect(core.risk.rejections.get("KILL_SWITCH") ?? 0).toBe(0);
  core.releaseKill("operator");
  loop.runUntil(Infinity, 30_000);
  const told = lines.map((l) => JSON.parse(l) as Line).filter((l) => l.who === "recorder").map((l) => `${l.state}/${l.ctxState}`);
  expect(told).toEqual(["halted/halted", "active/active"]);
  expect(core.heldIntents.get("KILL_SWITCH")).toBe(killed);
  loop.close();
}, 60_000);

test("a paused strategy still hears its fills but every intent it sends is held as STRATEGY_PAUSED, until it is resumed", async () => {
  const yamlText = syntheticYaml(`  - { name: echo, plugin: ${fixture("fill-echo-strategy.ts")}, instruments: [EURUSD], params: { every: 20, size: 100000 } }`, { pairs: "EURUSD", seconds: 600 });
  const session = await sessionFromYaml(tmp.path, yamlText);
  const { loop, core } = session;
  core.resubmitOpen();
  core.host.start();
  // Run until an entry is in flight (sent, not yet filled), then pause: its fill arrives while paused.
  while (![...core.oms.all()].some((o) => o.status === "pending" || o.status === "working")) loop.runUntil(Infinity, 1);
  const last = core.oms.orderIds.current;
  expect(core.setPaused("echo", true, "test")).toBe(true);
  loop.runUntil(Infinity, 20_000);
  expect(core.portfolio.position(0)).not.toBe(0);
  expect([...core.oms.all()].filter((o) => o.id > last)).toEqual([]);
  expect(core.heldIntents.get("STRATEGY_PAUSED")).toBeGreaterThanOrEqual(1);
  core.setPaused("echo", false, "test");
  loop.runUntil(Infinity, 20_000);
  expect([...core.oms.all()].filter((o) => o.id > last && o.strategy === "echo").length).toBeGreaterThan(0);
  loop.close();
}, 60_000);
