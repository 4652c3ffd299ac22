/**
 * RL environment throughput: decisions (env steps) per second and market events per second of
 * one execution environment and of N vectorised in one process, on the real OANDA EURUSD week of
 * configs/rl-executor.yaml, against a backtest of the same market (the whole pipeline, no
 * strategy) and the floor loop that only reads the same events, measured in the same run.
 *
 *   bun bench/rl-env.ts [--envs 16] [--steps 4000]
 */
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { newMarketEvent } from "../runtime/data/sources/market-source.ts";
import { recordTape } from "../runtime/learning/rl/tape.ts";
import { ExecutionEnv, xorshift, type EnvSpec } from "../runtime/learning/rl/env.ts";
import { VecEnv } from "../runtime/learning/rl/vec-env.ts";
import { simParamsOf } from "../runtime/learning/rl/config.ts";

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? d : Number(process.argv[i + 1]);
};
const N = arg("envs", 16);
const STEPS = arg("steps", 4000);
const file = resolve(import.meta.dir, "../configs/rl-executor.yaml");
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const rows: string[][] = [];

// Backtest of the same market, and the floor loop.
const loadedFile = loadConfig(file, {});
if (!loadedFile.ok) throw new Error(loadedFile.problems.join("\n"));
const loaded = { ...loadedFile, config: { ...loadedFile.config, strategies: [], execution: undefined } };
const bt = runBacktest(await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} }));
const floorSession = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
const ev = newMarketEvent();
let fn = 0;
const f0 = performance.now();
while (floorSession.sources[0]!.next(ev)) fn++;
const floorEps = fn / ((performance.now() - f0) / 1000);
rows.push(["floor loop (read events)", fmt(fn), fmt(floorEps), "", "1.000"]);
rows.push(["backtest, no strategy", fmt(bt.events), fmt(bt.eventsPerSecond), "", (bt.eventsPerSecond / floorEps).toFixed(3)]);

const t0 = performance.now();
const tape = await recordTape(file, "EURUSD");
const tapeSeconds = (performance.now() - t0) / 1000;
const spec: EnvSpec = {
  quantity: 100_000, windowSeconds: 60, steps: 12, maxOffsetTicks: 4, minStopTicks: 2, maxStopTicks: 40, side: "random",
  reward: { pnl: 1, drawdown: 0.1, slippage: 0, unfilled: 0 }, maxFlattenRounds: 6,
};
const venue = simParamsOf(file);
const days = ["2014-05-01", "2014-05-02", "2014-05-05", "2014-05-06", "2014-05-07"];

// One environment.
{
  const env = new ExecutionEnv(tape, spec, venue);
  const obs = new Float32Array(env.layout.width);
  const a = new Float32Array(3);
  let r = 1;
  let k = 0;
  const t = performance.now();
  for (let s = 0; s < STEPS; s++) {
    if (s === 0 || env.done) env.reset(k + 1, days[k++ % days.length]!, obs);
    for (let j = 0; j < 3; j++) a[j] = ((r = xorshift(r)) / 2 ** 31) - 1;
    env.step(a, 0, obs);
  }
  const sec = (performance.now() - t) / 1000;
  rows.push(["env x1", fmt(env.events), fmt(env.events / sec), fmt(STEPS / sec), (env.events / sec / floorEps).toFixed(3)]);
}
// N vectorised.
{
  const vec = new VecEnv(tape, spec, venue, N, 3, days);
  const a = new Float32Array(N * 3);
  let r = 2;
  const rounds = Math.ceil(STEPS / N) * 2;
  const e0 = vec.events;
  const t = performance.now();
  for (let s = 0; s < rounds; s++) {
    for (let j = 0; j < a.length; j++) a[j] = ((r = xorshift(r)) / 2 ** 31) - 1;
    vec.step(a);
  }
  const sec = (performance.now() - t) / 1000;
  const events = vec.events - e0;
  rows.push([`env x${N} vectorised`, fmt(events), fmt(events / sec), fmt((rounds * N) / sec), (events / sec / floorEps).toFixed(3)]);
  var vecSteps = (rounds * N) / sec;
  var vecEvents = events / sec;
}

console.log(`tape: ${fmt(tape.events)} EURUSD events with ${tape.width} features, recorded in ${tapeSeconds.toFixed(2)} s`);
console.log("| run | events | events/s | env steps/s | events/s vs floor |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(`headline: ${N} vectorised envs ${fmt(vecSteps)} steps/s, ${fmt(vecEvents)} market events/s = ${(vecEvents / bt.eventsPerSecond).toFixed(2)}x the backtest's events/s`);
