import { afterAll, expect, test } from "bun:test";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../../runtime/session/test-session.ts";

const tmp = tempDir("kestrel-pre-trade-var-");
afterAll(() => tmp.dispose());

const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30, orderSize: 500000, maxPosition: 1000000 } }`;

test("in a backtest the rule sees the quotes, refuses orders that would push VaR over budget with VAR_BUDGET, and passes the rest", async () => {
  const extra = `  plugins:
    - { name: var, plugin: pre-trade-var, params: { budget: 1000, horizonSeconds: 60, sampleSeconds: 2, minSamples: 10, recalibrateSeconds: 60 } }`;
  const yaml = syntheticYaml(STRATEGIES, { seconds: 300, pairs: "EURUSD, GBPUSD" }).replace(/(risk:\n  limits: [^\n]*\n)/, `$1${extra}\n`);
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const summary = runBacktest(s);
  await s.close();
  expect(summary.riskRejections.VAR_NO_HISTORY ?? 0).toBeGreaterThan(0);
  expect(summary.riskRejections.VAR_BUDGET ?? 0).toBeGreaterThan(0);
  let refused = 0, filled = 0;
  for (const o of s.core.oms.all()) {
    if (o.filled > 0) filled++;
    if (!o.reason.startsWith("VAR_BUDGET: ")) continue;
    refused++;
    const f = Object.fromEntries(o.reason.slice("VAR_BUDGET: ".length).split(" ").map((kv) => kv.split("=") as [string, string]));
    expect(Number(f.var_after)).toBeGreaterThan(1000);
    expect(Number(f.var_after)).toBeGreaterThan(Number(f.var_before));
  }
  expect(refused).toBe(summary.riskRejections.VAR_BUDGET!);
  expect(filled).toBeGreaterThan(0);
}, 60_000);
