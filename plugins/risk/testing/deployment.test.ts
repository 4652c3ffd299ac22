import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../../../runtime/config/load.ts";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { buildSession, checkDeployment } from "../../../runtime/session/build.ts";

test("configs/risk-plugins.yaml passes kestrel check; on its last two days every plugin loads, nothing is quarantined and plugin codes refuse orders", async () => {
  const file = resolve(import.meta.dir, "../../../configs/risk-plugins.yaml");
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  expect(await checkDeployment(loaded.config, file)).toEqual([]);
  const config = structuredClone(loaded.config) as typeof loaded.config & { market: { replay: { files: { path: string }[] } } };
  expect(config.risk.plugins?.map((p) => p.plugin)).toEqual(["hmm-regime", "pre-trade-var", "vol-scaled-limits", "stress-limit"]);
  config.market.replay.files = config.market.replay.files.filter((f) => /2014050[89]_/.test(f.path));
  const s = await buildSession(config, file, { log: () => {} });
  const r = runBacktest(s);
  await s.close();
  expect(r.quarantined).toEqual([]);
  expect(r.fills).toBeGreaterThan(0);
  const codes = Object.keys(r.riskRejections);
  const plugin = ["RULE_REDUCING", "RULE_HALTED", "VAR_BUDGET", "VAR_NO_HISTORY", "VOL_POSITION_LIMIT", "STRESS_LIMIT"];
  expect(codes.filter((c) => plugin.includes(c)).length).toBeGreaterThanOrEqual(2);
  expect(codes.filter((c) => c.startsWith("RISK_RULE_"))).toEqual([]);
}, 120_000);
