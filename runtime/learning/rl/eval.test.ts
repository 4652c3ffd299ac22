/**
 * `kestrel rl eval`: the exact JSON shape, baselines on the same episodes, intervals around the
 * means, days the policy trained on refused; through the real CLI on a policy trained here at toy
 * size over a synthetic market that spans two UTC days (train on the first, evaluate on the second).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { needsTools } from "../../testing/system-tools.ts";
import { tempDir } from "../../session/test-session.ts";
import { bootstrapMean } from "./eval.ts";
import { trainPolicy } from "./train.ts";

const dir = tempDir("kestrel-rl-eval-");
const CLI = resolve(import.meta.dir, "../../cli.ts");
const market = `name: two-days
mode: backtest
seed: 4
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic:
    pairs: [EURUSD]
    start: "2024-01-08T23:54:00Z"
    durationSeconds: 720
    params: { quotesPerSecond: 100, tradeProbability: 0.1 }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 100, reportLatencyUs: 100, jitterUs: 30 } }
strategies: []
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
`;
const config = `name: executor-evaltest
env:
  deployment: market.yaml
  instrument: EURUSD
  trainDays: ["2024-01-08"]
  evalDays: ["2024-01-09"]
  quantity: 200000
  windowSeconds: 20
  steps: 4
  maxFlattenRounds: 3
learner: { seed: 1, envs: 2, rolloutSteps: 8, iterations: 1, epochs: 1, minibatch: 8, hidden: 8, out: ${join(dir.path, "out")}, version: v1 }
`;
let card = "";

beforeAll(async () => {
  writeFileSync(join(dir.path, "market.yaml"), market);
  writeFileSync(join(dir.path, "rl.yaml"), config);
  if (needsTools("rl eval", "torch")) card = (await trainPolicy(join(dir.path, "rl.yaml"), { progress: () => {} })).card;
}, 120_000);
afterAll(() => dir.dispose());

const cli = (...args: string[]) => {
  const p = Bun.spawnSync(["bun", CLI, "rl", "eval", ...args], { cwd: dir.path, env: { ...process.env, PATH: `${resolve(import.meta.dir, "../../../node_modules/.bin")}:${process.env.PATH}` } });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
};

describe("rl eval", () => {
  test("a bootstrap interval holds the mean and narrows with more episodes", () => {
    const xs = Array.from({ length: 400 }, (_, k) => Math.sin(k * 12.9898) * 3 + 1);
    const [lo, hi] = bootstrapMean(xs, 500, 3);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(lo).toBeLessThan(m);
    expect(hi).toBeGreaterThan(m);
    const [lo2, hi2] = bootstrapMean(xs.slice(0, 50), 500, 3);
    expect(hi2 - lo2).toBeGreaterThan(hi - lo);
  });

  test.if(needsTools("rl eval", "torch"))("--json prints the agent and the three baselines with intervals, on held-out days only", () => {
    const r = cli(card, "--episodes", "24", "--json", "--html", "report.html");
    expect(r.err).toContain("report:");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j).sort()).toEqual(["agent", "baselines", "episodes", "policy"]);
    expect(j.policy).toBe("executor-evaltest@v1");
    expect(j.episodes).toBe(24);
    expect(Object.keys(j.baselines).sort()).toEqual(["limitOffset", "take", "twap"]);
    for (const s of [j.agent, j.baselines.take, j.baselines.limitOffset, j.baselines.twap]) {
      expect(Object.keys(s).sort()).toEqual(["fillRate", "maxDrawdown", "pnl", "shortfallBps", "shortfallBpsCi"]);
      expect(s.shortfallBpsCi[0]).toBeLessThanOrEqual(s.shortfallBps);
      expect(s.shortfallBpsCi[1]).toBeGreaterThanOrEqual(s.shortfallBps);
      expect(typeof s.pnl).toBe("number");
      expect(s.maxDrawdown).toBeGreaterThanOrEqual(0);
    }
    // take enters everything at once; a fill rate is a share.
    expect(j.baselines.take.fillRate).toBe(1);
    expect(j.baselines.twap.fillRate).toBeGreaterThan(0.9);
    expect(j.baselines.limitOffset.fillRate).toBeLessThanOrEqual(1);
    expect(j.baselines.take.pnl).toBeLessThan(0); // spread and fees, no alpha
    expect(existsSync(join(dir.path, "report.html"))).toBe(true);
    expect(readFileSync(join(dir.path, "report.html"), "utf8")).toContain("limitOffset");
  }, 60_000);

  test.if(needsTools("rl eval", "torch"))("a day the policy trained on is refused with one line", () => {
    const r = cli(card, "--days", "2024-01-08", "--json");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("kestrel rl eval: RL_EVAL_ON_TRAINING_DAY: days=2024-01-08 policy=executor-evaltest@v1 trained on them");
    expect(r.out).toBe("");
  }, 60_000);
});
