/**
 * The rl-executor in a backtest with the shipped policy (models/executor.json): a strategy's
 * intent becomes a parent the policy works over its window; every child carries the policy
 * version; the parent ends flat. Unknown policy files fail the parent, not the session.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../../runtime/session/test-session.ts";
import { parentOfTag } from "../../../runtime/execution/parents/parent-order.ts";
import { renderMetrics } from "../../../runtime/admin/metrics/session-metrics.ts";

const USER = resolve(import.meta.dir, "../../../runtime/execution/algos/fixtures/algo-user.ts");
const POLICY = resolve(import.meta.dir, "../../../models/executor.json");
const dir = tempDir("kestrel-rl-executor-");
afterAll(() => dir.dispose());

const yaml = (policy: string) =>
  syntheticYaml(`  - { name: user, plugin: ${JSON.stringify(USER)}, isolate: false, instruments: [EURUSD], params: { algo: rl, side: 1, quantity: 100000, startAfterQuotes: 500 } }`, {
    pairs: "EURUSD", seconds: 200,
    extra: `features: { instruments: all }
execution:
  algos:
    - { name: rl, plugin: rl-executor, params: { policy: ${JSON.stringify(policy)} } }
`,
  });

describe("rl-executor", () => {
  test("works an intent with the shipped policy; children carry the policy version; ends flat", async () => {
    const s = await sessionFromYaml(dir.path, yaml(POLICY));
    runBacktest(s);
    await s.close();
    const parents = [...s.algos!.parents.all()];
    expect(parents.length).toBe(1);
    const p = parents[0]!;
    expect(p.status).toBe("done");
    expect(p.reason).toMatch(/^done pnl=-?\d+$/);
    const kids = p.children.map((id) => s.core.oms.get(id)!);
    expect(kids.length).toBeGreaterThan(0);
    for (const k of kids) {
      expect(parentOfTag(k.tag)).toBe(p.id);
      expect(k.tag).toContain("policy=executor@1");
    }
    expect(s.core.portfolio.positionOf("user", 0)).toBe(0);
    // /metrics carries the policy served and its parents.
    const metrics = renderMetrics(s, { responses: new Map(), wsClients: new Map(), wsDropped: new Map(), deferred: () => 0 });
    expect(metrics).toContain('kestrel_rl_policy_info{algo="rl",policy="executor@1"} 1');
    expect(metrics).toContain('kestrel_rl_parents{algo="rl",policy="executor@1",status="done"} 1');
    expect(metrics).toMatch(/kestrel_rl_shortfall_bps\{algo="rl",policy="executor@1"\} -?\d/);
  }, 60_000);

  test("a missing policy file ends the parent with the reason, and the session goes on", async () => {
    const s = await sessionFromYaml(dir.path, yaml(resolve(dir.path, "nope.json")));
    const summary = runBacktest(s);
    await s.close();
    expect(summary.events).toBeGreaterThan(1000);
    const p = [...s.algos!.parents.all()][0]!;
    expect(p.status).toBe("canceled");
    expect(p.reason).toContain("ALGO_THREW: algo=rl parent=1 hook=create error=ENOENT");
  }, 60_000);

  test("a registry name is resolved when the session is built; an unknown one stops the build with MODEL_NOT_FOUND", async () => {
    const s = await sessionFromYaml(dir.path, yaml("executor@1"));
    runBacktest(s);
    await s.close();
    const p = [...s.algos!.parents.all()][0]!;
    expect(s.core.oms.get(p.children[0]!)!.tag).toContain("policy=executor@1");
    expect(sessionFromYaml(dir.path, yaml("no-such-policy@latest"))).rejects.toThrow("MODEL_NOT_FOUND: model=no-such-policy@latest");
  }, 60_000);
});
