/**
 * The execution environment: deterministic by seed, vectorised environments equal to single ones,
 * and an episode's actions replayed through a normal backtest (the rl-executor algorithm as a
 * parent's algorithm, risk, OMS, the sim venue) give the same fills at the same times.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";
import type { Fill } from "../../../plugins/sdk/orders.ts";
import { simParamsOf } from "./config.ts";
import { ExecutionEnv, xorshift, type EnvSpec, type EpisodeRecord } from "./env.ts";
import { recordTape, type MarketTape } from "./tape.ts";
import { VecEnv } from "./vec-env.ts";
import { MarketEventKind } from "../../data/sources/market-source.ts";

const USER = resolve(import.meta.dir, "../../execution/algos/fixtures/algo-user.ts");
const dir = tempDir("kestrel-rl-env-");
const DAY = "2024-01-08";
const SPEC: EnvSpec = {
  quantity: 300_000, windowSeconds: 30, steps: 6, maxOffsetTicks: 3, minStopTicks: 2, maxStopTicks: 12, side: "random",
  reward: { pnl: 1, drawdown: 0.1, slippage: 0, unfilled: 0 }, maxFlattenRounds: 4,
};
const EXEC = (actions: number[] = []) => `features: { instruments: all }
execution:
  algos:
    - { name: rl, plugin: rl-executor, params: { windowSeconds: ${SPEC.windowSeconds}, steps: ${SPEC.steps}, maxOffsetTicks: ${SPEC.maxOffsetTicks}, minStopTicks: ${SPEC.minStopTicks}, maxStopTicks: ${SPEC.maxStopTicks}, maxFlattenRounds: ${SPEC.maxFlattenRounds}, actions: [${actions.join(", ")}] } }
`;
let tape: MarketTape;
let deployment: string;

beforeAll(async () => {
  deployment = join(dir.path, "tape.yaml");
  writeFileSync(deployment, syntheticYaml("", { pairs: "EURUSD", seconds: 300, extra: EXEC() }).replace("strategies:\n", "strategies: []\n"));
  tape = await recordTape(deployment, "EURUSD");
}, 60_000);
afterAll(() => dir.dispose());

/** Plays one episode with seeded pseudo-random actions; returns rewards and the observations. */
function play(env: ExecutionEnv, seed: number, actionSeed: number): { rewards: number[]; obs: number[]; actions: number[] } {
  const obs = new Float32Array(env.layout.width);
  env.reset(seed, DAY, obs);
  const out = { rewards: [] as number[], obs: Array.from(obs), actions: [] as number[] };
  let r = actionSeed;
  while (!env.done) {
    const a = [0, 0, 0].map(() => ((r = xorshift(r)) / 2 ** 31) - 1);
    out.actions.push(...a);
    out.rewards.push(env.step(a, 0, obs));
    out.obs.push(...obs);
  }
  return out;
}

describe("execution environment", () => {
  test("the tape holds the instrument's events with the kernels' features after each", () => {
    expect(tape.events).toBeGreaterThan(10_000);
    expect([...tape.days.keys()]).toEqual([DAY]);
    expect(tape.featureNames).toContain("imbalance");
    expect(tape.features.length).toBe(tape.events * tape.width);
    const mid = tape.featureNames.indexOf("mid");
    const i = 5000;
    expect(Math.abs(tape.features[i * tape.width + mid]! - (tape.bid[i]! + tape.ask[i]!) / 2)).toBeLessThan(1);
  });

  test("the same seed gives the same episode bit for bit; another seed another one", () => {
    const venue = simParamsOf(deployment);
    const a = play(new ExecutionEnv(tape, SPEC, venue), 42, 9);
    const b = play(new ExecutionEnv(tape, SPEC, venue), 42, 9);
    const c = play(new ExecutionEnv(tape, SPEC, venue), 43, 9);
    expect(a.rewards.length).toBe(SPEC.steps);
    expect(b).toEqual(a);
    expect(c.obs).not.toEqual(a.obs);
    expect(a.obs.length).toBe((SPEC.steps + 1) * (tape.width + 9));
    expect(a.obs.every(Number.isFinite)).toBe(true);
  });

  test("an episode ends flat, and its rewards add up to its P&L in bps of the arrival notional (no penalties)", () => {
    const spec = { ...SPEC, reward: { pnl: 1, drawdown: 0, slippage: 0, unfilled: 0 } };
    const env = new ExecutionEnv(tape, spec, simParamsOf(deployment));
    const obs = new Float32Array(env.layout.width);
    env.reset(7, DAY, obs);
    let sum = 0;
    while (!env.done) sum += env.step([1, -1, 1], 0, obs); // everything at once, taking, widest stop
    const ep = env.episode;
    expect(ep.position).toBe(0);
    expect(ep.entered).toBe(spec.quantity);
    const o = ep.outcome();
    expect(o.fillRate).toBe(1);
    expect(o.fees).toBeGreaterThan(0);
    expect(sum).toBeCloseTo((o.pnl / (spec.quantity * ep.arrival)) * 1e4, 6);
  });

  test("N environments stepped together equal N environments stepped alone", () => {
    const venue = simParamsOf(deployment);
    const vec = new VecEnv(tape, SPEC, venue, 3, 5, [DAY]);
    const singles = [0, 1, 2].map(() => new ExecutionEnv(tape, SPEC, venue));
    const sObs = singles.map(() => new Float32Array(vec.obsDim));
    singles.forEach((e, i) => {
      const { seed, day } = vec.episodeOf(i, 0);
      e.reset(seed, day, sObs[i]!);
    });
    const actions = new Float32Array(9);
    let r = 77;
    for (let t = 0; t < SPEC.steps; t++) {
      for (let k = 0; k < 9; k++) actions[k] = ((r = xorshift(r)) / 2 ** 31) - 1;
      vec.step(actions);
      singles.forEach((e, i) => {
        const rew = e.step(actions, i * 3, sObs[i]!);
        expect(vec.rewards[i]).toBe(Math.fround(rew));
      });
    }
    expect(vec.finished.length).toBe(3);
    expect(vec.finished.map((f) => f.outcome.pnl)).toEqual(singles.map((e) => e.episode.outcome().pnl));
  });

  test("an episode's actions replayed through a backtest give the same fills", async () => {
    // The parent starts at the 2000th quote, as the env's episode does.
    let quotes = 0, start = -1;
    for (let i = 0; i < tape.events && start < 0; i++) if (tape.kind[i] === MarketEventKind.Quote && ++quotes === 2000) start = i;
    const env = new ExecutionEnv(tape, SPEC, simParamsOf(deployment));
    env.record = true;
    const day = tape.days.get(DAY)!;
    env.startAt(11, DAY, start, -1, 0, day.from, day.to); // 11 = the deployment's seed (venue jitter)
    const obs = new Float32Array(env.layout.width);
    const actions: number[] = [];
    let r = 2024;
    while (!env.done) {
      const a = [((r = xorshift(r)) / 2 ** 32) * 1.6 - 0.3, ((r = xorshift(r)) / 2 ** 31) - 1, ((r = xorshift(r)) / 2 ** 31) - 1];
      actions.push(...a);
      env.step(a, 0, obs);
    }
    const envFills = env.records.filter((x): x is Extract<EpisodeRecord, { k: "fill" }> => x.k === "fill").map((f) => [f.ts, f.price, f.size, f.fee, f.liquidity]);
    expect(envFills.length).toBeGreaterThan(2);
    expect(env.records.some((x) => x.k === "cancel")).toBe(true);

    const strat = `  - { name: user, plugin: ${JSON.stringify(USER)}, isolate: false, instruments: [EURUSD], params: { algo: rl, side: -1, quantity: ${SPEC.quantity}, startAfterQuotes: 2000 } }`;
    const s = await sessionFromYaml(dir.path, syntheticYaml(strat, { pairs: "EURUSD", seconds: 300, extra: EXEC(actions) }));
    const fills: Fill[] = [];
    const prev = s.core.listeners.fill;
    s.core.listeners.fill = (f) => {
      prev?.(f);
      fills.push({ ...f });
    };
    runBacktest(s);
    await s.close();
    const parents = [...s.algos!.parents.all()];
    expect(parents.length).toBe(1);
    expect(parents[0]!.status).not.toBe("rejected");
    expect(fills.map((f) => [f.ts, f.price, f.size, f.fee, f.liquidity as string])).toEqual(envFills);
    expect(s.core.portfolio.positionOf("user", 0)).toBe(0);
  }, 60_000);
});

describe("execution environment on a real day", () => {
  test("episodes on OANDA EURUSD 2014-05-08 (jitter, same-millisecond quotes, cancels racing their orders) replay through a backtest with the same fills", async () => {
    const FILE = resolve(import.meta.dir, "../../../configs/rl-executor.yaml");
    const day = "../../shared/data/oanda/eurusd/20140508_eurusd_tick_quote.csv.gz";
    const { loadConfig } = await import("../../config/load.ts");
    const { buildSession } = await import("../../session/build.ts");
    const loaded = loadConfig(FILE);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const market = structuredClone(loaded.config.market);
    market.replay!.files[0]!.path = day;
    const real = await recordTape(FILE, "EURUSD", { market });
    const spec: EnvSpec = { ...SPEC, quantity: 100_000, windowSeconds: 60, steps: 12, maxOffsetTicks: 4, minStopTicks: 2, maxStopTicks: 40, maxFlattenRounds: 6 };
    const d = real.days.get("2014-05-08")!;
    // The episode at quote 40,000 has a cancel that reaches the venue before its order (cancel-rejected, then re-asked).
    for (const [nth, side, seed] of [[20_000, 1, 5], [40_000, 1, 40_000]] as const) {
      let quotes = 0, start = -1;
      for (let i = d.from; i < d.to && start < 0; i++) if (real.kind[i] === MarketEventKind.Quote && ++quotes === nth) start = i;
      const env = new ExecutionEnv(real, spec, simParamsOf(FILE));
      env.record = true;
      env.startAt(loaded.config.seed, "2014-05-08", start, side, 0, d.from, d.to);
      const obs = new Float32Array(env.layout.width);
      const actions: number[] = [];
      let r: number = seed;
      while (!env.done) {
        const a = [((r = xorshift(r)) / 2 ** 31) - 1, ((r = xorshift(r)) / 2 ** 31) - 1, ((r = xorshift(r)) / 2 ** 31) - 1];
        actions.push(...a);
        env.step(a, 0, obs);
      }
      const envFills = env.records.filter((x): x is Extract<EpisodeRecord, { k: "fill" }> => x.k === "fill").map((f) => [f.ts, f.price, f.size, f.fee, f.liquidity]);
      expect(envFills.length).toBeGreaterThan(1);
      if (nth === 40_000) expect(env.cancelRejects).toBe(1);
      const config = structuredClone(loaded.config);
      config.market = market;
      config.execution = { algos: [{ name: "rl", plugin: "rl-executor", params: { actions } }] } as never;
      config.strategies = [{ name: "user", plugin: USER, isolate: false, instruments: ["EURUSD"], params: { algo: "rl", side, quantity: 100_000, startAfterQuotes: nth } }] as never;
      const s = await buildSession(config, FILE, { mode: "backtest", journalPath: "", store: false, log: () => {} });
      const fills: (string | number)[][] = [];
      const prev = s.core.listeners.fill;
      s.core.listeners.fill = (f) => {
        prev?.(f);
        fills.push([f.ts, f.price, f.size, f.fee, f.liquidity]);
      };
      runBacktest(s);
      await s.close();
      expect(fills).toEqual(envFills);
      expect([...s.algos!.parents.all()][0]!.reason).toMatch(/^done pnl=/);
    }
  }, 120_000);
});
