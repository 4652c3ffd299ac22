import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJournal } from "../../../runtime/journal/journal-file.ts";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { sessionFromYaml, tempDir } from "../../../runtime/session/test-session.ts";
import { spliceShiftedSegment } from "../../strategies/shared/regime/shifted-segment.ts";
import { readLeanDay } from "../../strategies/testing/lean-ticks.ts";
import type { Instrument } from "../../sdk/index.ts";
import { createRiskHarness } from "../testing/risk-harness.ts";
import plugin from "./index.ts";

const tmp = tempDir("kestrel-hmm-regime-");
afterAll(() => tmp.dispose());
const NOON = Date.UTC(2014, 4, 9, 12) * 1000;
const MIDNIGHT = Date.UTC(2014, 4, 9) * 1000;

/** Writes the real FXCM day 2014-05-09 (on UTC) as a Lean file, with a segment 12:00–14:00 of volatility ×4 and spread ×3 when `shifted`. */
function writeDay(folder: string, shifted: boolean): string {
  const day = readLeanDay("fxcm", "eurusd", "20140509");
  const q = shifted ? spliceShiftedSegment(day, NOON, NOON + 7_200_000_000, 4, 3) : day;
  const rows: string[] = [];
  for (let i = 0; i < q.ts.length; i++) rows.push(`${Math.round((q.ts[i]! - MIDNIGHT) / 1000)},${(q.bid[i]! / 1e5).toFixed(5)},${(q.ask[i]! / 1e5).toFixed(5)}`);
  const dir = join(tmp.path, folder);
  require("node:fs").mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "20140509_eurusd_tick_quote.csv"), rows.join("\n") + "\n");
  return dir;
}

const yaml = (dir: string) => `
name: hmm-regime-test
mode: backtest
seed: 3
account: { currency: USD, capital: 1000000 }
instruments:
  - { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 }
market:
  source: replay
  replay:
    files:
      - { path: ${dir}, instrument: EURUSD, format: lean }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 200, reportLatencyUs: 200, takerFeePpm: 10, assumedQuoteSize: 1000000 } }
strategies:
  - name: ema
    plugin: ema-crossover
    instruments: [EURUSD]
    params: { barUs: 60000000, fastBars: 3, slowBars: 12, orderSize: 100000, maxSpreadTicks: 1000, vol: { windowBars: 5, historyBars: 20, minHistory: 5, edges: [0.9], scales: [1, 1] } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 50, priceCollarBps: 500, maxDailyLoss: 100000, maxDrawdown: 100000 }
  plugins:
    - { name: regime, plugin: hmm-regime, params: { haltAfterBars: 30 } }
`;

let runs = 0;

/** Runs the deployment over the real day (shifted or not) with a journal; returns the session, its summary, the rule's log lines and the journal's trading-state records. */
async function run(shifted: boolean, params = "{ haltAfterBars: 30 }") {
  const lines: { ts: number; who: string; msg: string; state?: string }[] = [];
  const journalPath = join(tmp.path, `run-${++runs}.journal`);
  const s = await sessionFromYaml(tmp.path, yaml(writeDay(shifted ? "shifted" : "plain", shifted)).replace("{ haltAfterBars: 30 }", params), { journalPath, log: (l) => lines.push(JSON.parse(l)) });
  const summary = runBacktest(s);
  await s.close();
  const records = readJournal(journalPath).records;
  const states = records.filter((r) => r.t === "control" && r.kind === "trading-state").map((r) => ({ ts: (r as { ts: number }).ts, subject: (r as { subject: string }).subject, ...(JSON.parse((r as { reason: string }).reason) as { state: string; effective: string; reason: string }) }));
  const orders = records.filter((r) => r.t === "order") as { ts: number; side: number; rejected: string }[];
  return { s, summary, regime: lines.filter((l) => l.who === "regime"), told: lines.filter((l) => l.who === "ema" && l.msg === "trading state").map((l) => l.state), states, orders };
}

test("on the real day with a shifted segment the risk engine goes reducing, then halted, then back to active: journaled, alerted, strategies told, nothing sent while halted", async () => {
  const { s, summary, regime, states, orders, told } = await run(true);
  expect(regime.map((l) => l.msg)).toEqual(["regime: reducing", "regime: halted", "regime: active"]);
  // The engine's own trading state changed, as journaled control records.
  expect(states.map((x) => [x.subject, x.state, x.effective])).toEqual([["regime", "reducing", "reducing"], ["regime", "halted", "halted"], ["regime", "active", "active"]]);
  const [reducing, halted, active] = states.map((x) => x.ts) as [number, number, number];
  expect(states[0]!.reason).toMatch(/^model=eurusd-fxcm-1m instrument=EURUSD outside_bars=1 average=-?[\d.]+ bound=-?[\d.]+$/);
  expect(reducing).toBeGreaterThanOrEqual(NOON);
  expect(reducing).toBeLessThan(NOON + 20 * 60_000_000);
  expect(halted - reducing).toBeGreaterThanOrEqual(29 * 60_000_000);
  expect(active).toBeLessThan(NOON + 150 * 60_000_000);
  // One alert per change, with the severity of the state.
  const alerts = s.core.alerts.all().filter((a) => a.subject === "regime").map((a) => [a.code, a.severity]);
  expect(alerts).toEqual([["RISK_TRADING_REDUCING", "warning"], ["RISK_TRADING_HALTED", "critical"], ["RISK_TRADING_ACTIVE", "info"]]);
  // The strategy was told each change (onTradingState) and, as ema-crossover does, sent nothing while halted.
  expect(told).toEqual(["reducing", "halted", "active"]);
  expect(summary.tradingState).toBe("active");
  for (const o of orders) expect(o.ts >= halted && o.ts < active).toBe(false);
  // While reducing only orders that shrink a position went out, and none of them was refused.
  for (const o of s.core.oms.all()) if (o.createdTs >= reducing && o.createdTs < halted) expect(o.reason).toBe("");
  expect([...s.core.oms.all()].some((o) => o.createdTs > active && o.filled > 0)).toBe(true);
  expect(s.core.oms.openCount).toBe(0);
}, 90_000);

test("with the TypeScript filter (filter: ts) the journaled trading-state changes are the same as with the WASM kernel", async () => {
  const wasm = await run(true);
  const ts = await run(true, "{ haltAfterBars: 30, filter: ts }");
  expect(ts.states).toEqual(wasm.states);
}, 90_000);

test("on the same day without the shifted segment it never leaves active", async () => {
  const { summary, regime, states } = await run(false);
  expect(regime).toEqual([]);
  expect(states).toEqual([]);
  expect(summary.heldIntents.RULE_REDUCING ?? 0).toBe(0);
  expect(summary.orders).toBeGreaterThan(10);
}, 60_000);

test("outsideState halted with resume operator: halted at once, and it stays halted after the market returns", async () => {
  const { summary, states, told, orders } = await run(true, "{ outsideState: halted, haltAfterBars: 0, resume: operator }");
  expect(states.map((x) => x.state)).toEqual(["halted"]);
  expect(states[0]!.ts).toBeGreaterThanOrEqual(NOON);
  expect(told).toEqual(["halted"]);
  expect(summary.tradingState).toBe("halted");
  expect(orders.filter((o) => o.ts >= states[0]!.ts)).toEqual([]);
}, 60_000);

test("a model or an instrument the rule does not know is refused at creation", () => {
  const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
  expect(() => createRiskHarness(plugin, { params: { model: "nope" }, instruments: [EURUSD] })).toThrow(/params.model: expected one of eurusd-fxcm-1m/);
  expect(() => createRiskHarness(plugin, { params: { instruments: ["GBPUSD"] }, instruments: [EURUSD] })).toThrow(/not instruments of the deployment: GBPUSD/);
});
