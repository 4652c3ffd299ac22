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

test("calibrateAgainst portfolio-var: the rule recalibrates on each answer of the deployment's in-process Monte Carlo VaR (sidecars.gpu)", async () => {
  const extra = `  plugins:
    - { name: var, plugin: pre-trade-var, params: { budget: 1000, horizonSeconds: 60, sampleSeconds: 2, minSamples: 10, calibrateAgainst: portfolio-var, calibrationBounds: [0.1, 10] } }`;
  const sidecars = `sidecars:\n  gpu: { mode: in-process, everySeconds: 10, confidence: 0.99, horizonSeconds: 60, paths: 2000, maxVar: 1000000000 }`;
  const yaml = syntheticYaml(STRATEGIES, { seconds: 300, pairs: "EURUSD, GBPUSD", extra: sidecars }).replace(/(risk:\n  limits: [^\n]*\n)/, `$1${extra}\n`);
  const lines: { msg: string; who: string; factor?: number; parametric?: number; reference?: number; method?: string; source?: string; asOf?: number }[] = [];
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "", log: (l) => lines.push(JSON.parse(l)) });
  const { sidecarParts } = await import("../../../runtime/sidecars/index.ts");
  const monitor = sidecarParts(s.sidecars)!.gpu!.monitor;
  const summary = runBacktest(s);
  await s.close();
  expect(monitor.computed["in-process"]).toBeGreaterThan(5);
  const recal = lines.filter((l) => l.who === "var" && l.msg === "var recalibrated");
  expect(recal.length).toBeGreaterThan(0);
  for (const r of recal) {
    expect(r).toMatchObject({ method: "monte-carlo", source: "in-process" });
    expect(r.factor!).toBeCloseTo(Math.min(10, Math.max(0.1, r.reference! / r.parametric!)), 9);
  }
  for (let i = 1; i < recal.length; i++) expect(recal[i]!.asOf!).toBeGreaterThan(recal[i - 1]!.asOf!);
  const status = s.riskPlugins.find((r) => r.name === "var")!.status() as { calibration: number; calibrateAgainst: string };
  expect(status).toMatchObject({ calibrateAgainst: "portfolio-var", calibration: recal.at(-1)!.factor });
  expect(summary.fills).toBeGreaterThan(0);
}, 60_000);
