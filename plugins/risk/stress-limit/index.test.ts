import { afterAll, describe, expect, test } from "bun:test";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../../runtime/session/test-session.ts";
import type { Instrument } from "../../sdk/index.ts";
import { createRiskHarness } from "../testing/risk-harness.ts";
import plugin from "./index.ts";
import { BUILTIN_SCENARIOS, pairMove } from "./scenarios.ts";
import { StressBook } from "./stress-book.ts";

const USDCHF: Instrument = { id: 0, symbol: "USDCHF", venue: "sim", base: "USD", quote: "CHF", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const EURCHF: Instrument = { id: 1, symbol: "EURCHF", venue: "sim", base: "EUR", quote: "CHF", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const scenario = (name: string) => BUILTIN_SCENARIOS.find((s) => s.name === name)!;

function setup(params: Record<string, unknown>) {
  const h = createRiskHarness(plugin, { params, instruments: [USDCHF, EURCHF] });
  h.rates.CHF = 1 / 0.88; // one franc in dollars at USDCHF 0.88
  h.quote(0, 87_999, 88_001, 1);
  h.quote(1, 95_999, 96_001, 2);
  return h;
}

describe("stress scenarios", () => {
  test("a pair moves by the ratio of its currencies' moves against the dollar", () => {
    expect(pairMove(scenario("chf-depeg-2015"), "USD", "CHF")).toBeCloseTo(1 / 1.186 - 1, 12);
    expect(pairMove(scenario("chf-depeg-2015"), "EUR", "CHF")).toBeCloseTo(0.99 / 1.186 - 1, 12);
    expect(pairMove(scenario("usd-up-5"), "USD", "JPY")).toBeCloseTo(1 / 0.9524 - 1, 12);
    expect(pairMove(scenario("gbp-flash-2016"), "EUR", "USD")).toBe(0);
  });

  test("the stress book gives each scenario's P&L on the exposures and names the worst", () => {
    const book = new StressBook([USDCHF, EURCHF], BUILTIN_SCENARIOS);
    const worst = book.apply(Float64Array.from([1_000_000, 0]));
    expect(worst).toBeCloseTo(1_000_000 * (1 / 1.186 - 1), 6);
    expect(book.scenarios[book.worst]!.name).toBe("chf-depeg-2015");
    const report = book.report();
    expect(report[0]).toMatchObject({ scenario: "chf-depeg-2015" });
    expect(report.map((r) => r.pnl)).toEqual([...report.map((r) => r.pnl)].sort((a, b) => a - b));
  });
});

describe("stress-limit rule", () => {
  test("an order after which the worst scenario loses more than maxLoss is refused with STRESS_LIMIT naming it", () => {
    const h = setup({ maxLoss: 100_000 });
    // 1 M USD long USDCHF: the de-peg costs 15.7% of it.
    const v = h.check({ instrument: 0, side: 1, size: 1_000_000 });
    expect(v).toMatchObject({ code: "STRESS_LIMIT" });
    expect(v!.reason).toMatch(/^scenario=chf-depeg-2015 loss_after=156829\.\d\d loss_before=0\.00 max=100000 instrument=USDCHF$/);
    expect(h.check({ instrument: 0, side: 1, size: 500_000 })).toBeNull();
    // Short USDCHF loses 5% when the dollar rises 5%: within the limit.
    expect(h.check({ instrument: 0, side: -1, size: 1_000_000 })).toBeNull();
  });

  test("orders that lower the worst loss pass even above the limit; working orders count as filled", () => {
    const h = setup({ maxLoss: 100_000 });
    h.positions[0] = 2_000_000;
    expect(h.check({ instrument: 0, side: -1, size: 500_000 })).toBeNull();
    // Long EURCHF hedges nothing here: it loses in the de-peg too.
    expect(h.check({ instrument: 1, side: 1, size: 100_000 })).toMatchObject({ code: "STRESS_LIMIT" });
    h.positions[0] = 0;
    expect(h.check({ instrument: 0, side: 1, size: 100_000 }, 500_000)).toBeNull();
    expect(h.check({ instrument: 0, side: 1, size: 100_000 }, 600_000 + 100_000)).toMatchObject({ code: "STRESS_LIMIT" });
  });

  test("only the scenarios asked for apply, plus custom ones; an unknown scenario name fails the params", () => {
    const h = setup({ maxLoss: 100_000, scenarios: ["gbp-flash-2016"], custom: [{ name: "franc-up-12", moves: { CHF: 12 } }] });
    expect(h.check({ instrument: 0, side: 1, size: 1_000_000 })!.reason).toMatch(/^scenario=franc-up-12 loss_after=107142\.86 /);
    expect(() => setup({ maxLoss: 1, scenarios: ["nope"] })).toThrow(/params invalid: \/scenarios\/0/);
  });

  test("without a conversion rate for an exposure, orders that add exposure are refused", () => {
    const h = createRiskHarness(plugin, { params: { maxLoss: 100_000 }, instruments: [USDCHF, EURCHF] });
    h.quote(0, 87_999, 88_001, 1);
    expect(h.check({ instrument: 0, side: 1, size: 1000 })).toEqual({ code: "STRESS_NO_CONVERSION_RATE", reason: "instrument=USDCHF" });
  });
});

const tmp = tempDir("kestrel-stress-limit-");
afterAll(() => tmp.dispose());

test("in a backtest, orders that would break the stress limit are refused with STRESS_LIMIT and the session trades on", async () => {
  const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30, orderSize: 500000, maxPosition: 1000000 } }`;
  const extra = `  plugins:\n    - { name: stress, plugin: stress-limit, params: { maxLoss: 30000 } }\n`;
  const yaml = syntheticYaml(strategies, { seconds: 200, pairs: "EURUSD, GBPUSD" }).replace(/(risk:\n  limits: [^\n]*\n)/, `$1${extra}`);
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const summary = runBacktest(s);
  await s.close();
  expect(summary.riskRejections.STRESS_LIMIT ?? 0).toBeGreaterThan(0);
  const orders = Array.from(s.core.oms.all());
  expect(orders.some((o) => o.filled > 0)).toBe(true);
  for (const o of orders.filter((x) => x.reason.startsWith("STRESS_LIMIT: "))) {
    const f = Object.fromEntries(o.reason.slice(14).split(" ").map((kv) => kv.split("=") as [string, string]));
    expect(Number(f.loss_after)).toBeGreaterThan(30_000);
    expect(Number(f.loss_after)).toBeGreaterThan(Number(f.loss_before));
  }
}, 60_000);
