/**
 * The shipped executor deployment (configs/rl-executor.yaml) on one real OANDA day: the strategy's
 * intents become parents the policy `executor@latest` (resolved by the registry) works; every child carries its version; no
 * quarantine; ended parents are flat.
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../../../runtime/config/load.ts";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { buildSession, checkDeployment } from "../../../runtime/session/build.ts";
import { resolveModel } from "../../../runtime/learning/registry.ts";

const FILE = resolve(import.meta.dir, "../../../configs/rl-executor.yaml");

describe("execution-intents with the rl-executor", () => {
  test("configs/rl-executor.yaml on 2014-05-08: intents worked by executor@latest to flat, children tagged with its version", async () => {
    const loaded = loadConfig(FILE);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    expect(await checkDeployment(loaded.config, FILE)).toEqual([]);
    const config = structuredClone(loaded.config);
    config.market.replay!.files[0]!.path = "../../shared/data/oanda/eurusd/20140508_eurusd_tick_quote.csv.gz";
    const s = await buildSession(config, FILE, { mode: "backtest", journalPath: "", store: false, log: () => {} });
    const summary = runBacktest(s);
    await s.close();
    expect(summary.quarantined).toEqual([]);
    const parents = [...s.algos!.parents.all()];
    expect(parents.length).toBeGreaterThan(100);
    expect(new Set(parents.map((p) => p.spec.side))).toEqual(new Set([1, -1]));
    // An episode that entered the whole quantity ends "filled", the others "done"; both say why.
    const ended = parents.filter((p) => (p.status === "done" || p.status === "filled") && /^done pnl=-?\d+$/.test(p.reason));
    console.log(parents.filter((p) => !ended.includes(p)).map((p) => `${p.id} ${p.status} ${p.reason}`));
    expect(ended.length).toBeGreaterThanOrEqual(parents.length - 1);
    // executor@latest: the shipped executor@1, or a newer one trained here.
    const latest = resolveModel("executor@latest");
    for (const p of parents) for (const id of p.children) expect(s.core.oms.get(id)!.tag).toContain(`policy=executor@${latest.version}`);
    // Only the last parent may still hold a position when the day's data ends.
    const last = parents.at(-1)!;
    if (ended.includes(last)) expect(s.core.portfolio.positionOf("intents", 0)).toBe(0);
  }, 120_000);
});
