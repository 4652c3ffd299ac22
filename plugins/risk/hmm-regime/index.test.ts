import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

async function run(shifted: boolean) {
  const lines: { ts: number; who: string; msg: string }[] = [];
  const s = await sessionFromYaml(tmp.path, yaml(writeDay(shifted ? "shifted" : "plain", shifted)), { journalPath: "", log: (l) => lines.push(JSON.parse(l)) });
  const summary = runBacktest(s);
  await s.close();
  return { s, summary, regime: lines.filter((l) => l.who === "regime") };
}

test("on the real day with a shifted segment the rule moves to reducing, then halted, then back to active, and refuses only then", async () => {
  const { s, summary, regime } = await run(true);
  expect(regime.map((l) => l.msg)).toEqual(["regime: reducing", "regime: halted", "regime: active"]);
  const [reducing, halted, active] = regime.map((l) => l.ts) as [number, number, number];
  expect(reducing).toBeGreaterThanOrEqual(NOON);
  expect(reducing).toBeLessThan(NOON + 20 * 60_000_000);
  expect(halted - reducing).toBeGreaterThanOrEqual(29 * 60_000_000);
  expect(active).toBeLessThan(NOON + 150 * 60_000_000);
  expect((summary.riskRejections.REGIME_OUTSIDE ?? 0) + (summary.riskRejections.REGIME_HALTED ?? 0)).toBeGreaterThan(0);
  for (const o of s.core.oms.all()) {
    if (o.reason.startsWith("REGIME_HALTED")) expect(o.createdTs >= halted && o.createdTs < active).toBe(true);
    if (o.reason.startsWith("REGIME_OUTSIDE")) expect(o.createdTs >= reducing && o.createdTs < active).toBe(true);
    if (o.createdTs >= halted && o.createdTs < active) expect(o.filled).toBe(0);
  }
  expect([...s.core.oms.all()].some((o) => o.createdTs > active && o.filled > 0)).toBe(true);
}, 60_000);

test("on the same day without the shifted segment it never leaves active", async () => {
  const { summary, regime } = await run(false);
  expect(regime).toEqual([]);
  expect(summary.riskRejections.REGIME_OUTSIDE ?? 0).toBe(0);
  expect(summary.orders).toBeGreaterThan(10);
}, 60_000);

test("a model or an instrument the rule does not know is refused at creation", () => {
  const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
  expect(() => createRiskHarness(plugin, { params: { model: "nope" }, instruments: [EURUSD] })).toThrow(/params.model: expected one of eurusd-fxcm-1m/);
  expect(() => createRiskHarness(plugin, { params: { instruments: ["GBPUSD"] }, instruments: [EURUSD] })).toThrow(/not instruments of the deployment: GBPUSD/);
});
