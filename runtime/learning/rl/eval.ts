/**
 * `kestrel rl eval`: plays a policy (its mean action, no exploration) and the baselines over the
 * same episodes (same seeds, so the same start times, sides and venue jitter) on held-out days,
 * and summarises each with implementation shortfall (mean, with a percentile bootstrap interval
 * over episodes), P&L net of fees, fill rate and drawdown. Baselines: `take` (everything at the
 * first decision, market), `limitOffset` (everything resting `offsetTicks` behind the near touch
 * for the window, then flattened with the rest), `twap` (k/steps of the quantity by decision k,
 * taking). None uses a stop.
 */
import { readFileSync } from "node:fs";
import { MlpPolicy } from "../../../plugins/sdk/mlp-policy.ts";
import { ACTION_DIM, type ExecutionAction } from "../../../plugins/sdk/execution-spaces.ts";
import type { EpisodeOutcome } from "../../../plugins/sdk/execution-episode.ts";
import { moneyDecimals } from "../../../plugins/sdk/instrument.ts";
import { ExecutionEnv, mixSeed, xorshift, type EnvSpec } from "./env.ts";
import type { SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";
import type { MarketTape } from "./tape.ts";

/** Summary of one policy or baseline, money in the account currency. */
export interface RlEvalSummary {
  shortfallBps: number;
  shortfallBpsCi: [number, number];
  pnl: number;
  fillRate: number;
  maxDrawdown: number;
}

/** The printed evaluation (`--json`). */
export interface RlEvalResult {
  policy: string;
  episodes: number;
  agent: RlEvalSummary;
  baselines: { take: RlEvalSummary; limitOffset: RlEvalSummary; twap: RlEvalSummary };
}

/** Per-episode outcomes behind the summaries (for the HTML report). */
export interface RlEvalDetail {
  result: RlEvalResult;
  days: string[];
  outcomes: Record<string, EpisodeOutcome[]>;
  /** Per-day mean shortfall (bps) of each player. */
  byDay: Record<string, Record<string, number>>;
  /** Agent minus take, per episode, mean and interval (negative: the agent costs less). */
  agentMinusTake: { mean: number; ci: [number, number] };
}

/** Options of an evaluation. */
export interface RlEvalOptions {
  episodes: number;
  seed: number;
  offsetTicks: number;
  reps: number;
}

type Player = (env: ExecutionEnv, step: number, obs: Float32Array, out: ExecutionAction) => void;

/** Plays one player over the given episodes. */
function play(tape: MarketTape, spec: EnvSpec, venue: SimVenueParams, episodes: { seed: number; day: string }[], player: Player): EpisodeOutcome[] {
  const env = new ExecutionEnv(tape, spec, venue);
  const obs = new Float32Array(env.layout.width);
  const a: ExecutionAction = { sizeFraction: 0, offsetTicks: -1, stopTicks: 0 };
  return episodes.map(({ seed, day }) => {
    env.reset(seed, day, obs);
    for (let k = 0; !env.done; k++) {
      player(env, k, obs, a);
      env.stepDecoded(a, obs);
    }
    return env.episode.outcome();
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Percentile bootstrap interval (95%) of the mean, seeded. */
export function bootstrapMean(xs: readonly number[], reps: number, seed: number): [number, number] {
  if (xs.length === 0) return [NaN, NaN];
  let r = seed >>> 0 || 1;
  const means = new Float64Array(reps);
  for (let b = 0; b < reps; b++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      r = xorshift(r);
      s += xs[r % xs.length]!;
    }
    means[b] = s / xs.length;
  }
  means.sort();
  return [means[Math.floor(0.025 * (reps - 1))]!, means[Math.ceil(0.975 * (reps - 1))]!];
}

/** Summarises outcomes: mean shortfall with its interval, total P&L, entered share, drawdown of cumulative P&L. */
export function summarise(o: readonly EpisodeOutcome[], quantity: number, decimals: number, reps: number, seed: number): RlEvalSummary {
  const money = (units: number) => Number((units / 10 ** decimals).toFixed(decimals));
  const sf = o.map((e) => e.shortfallBps);
  let cum = 0, peak = 0, dd = 0;
  for (const e of o) {
    cum += e.pnl;
    peak = Math.max(peak, cum);
    dd = Math.max(dd, peak - cum, e.maxDrawdown);
  }
  const entered = o.reduce((a, e) => a + e.entered, 0);
  return {
    shortfallBps: mean(sf),
    shortfallBpsCi: bootstrapMean(sf, reps, seed),
    pnl: money(cum),
    fillRate: entered / (quantity * Math.max(1, o.length)),
    maxDrawdown: money(dd),
  };
}

/** Evaluates `card` against the baselines on `days`. */
export function evaluatePolicy(policyName: string, cardPath: string, tape: MarketTape, spec: EnvSpec, venue: SimVenueParams, days: readonly string[], o: RlEvalOptions): RlEvalDetail {
  const card = JSON.parse(readFileSync(cardPath, "utf8"));
  const net = new MlpPolicy(card);
  const raw = new Float32Array(ACTION_DIM);
  const episodes = Array.from({ length: o.episodes }, (_, k) => ({ seed: mixSeed(o.seed, k), day: days[k % days.length]! }));
  const players: Record<string, Player> = {
    agent: (env, _k, obs, a) => {
      net.act(obs, 0, raw);
      env.decode(raw, a);
    },
    take: (_e, _k, _o, a) => Object.assign(a, { sizeFraction: 1, offsetTicks: -1, stopTicks: 0 }),
    limitOffset: (_e, _k, _o, a) => Object.assign(a, { sizeFraction: 1, offsetTicks: o.offsetTicks, stopTicks: 0 }),
    twap: (_e, k, _o, a) => Object.assign(a, { sizeFraction: (k + 1) / spec.steps, offsetTicks: -1, stopTicks: 0 }),
  };
  const money = moneyDecimals(tape.instrument);
  const outcomes: Record<string, EpisodeOutcome[]> = {};
  const summary: Record<string, RlEvalSummary> = {};
  for (const [name, p] of Object.entries(players)) {
    outcomes[name] = play(tape, spec, venue, episodes, p);
    summary[name] = summarise(outcomes[name]!, spec.quantity, money, o.reps, mixSeed(o.seed, 0xb007));
  }
  const byDay: Record<string, Record<string, number>> = {};
  for (const d of days) {
    byDay[d] = {};
    for (const name of Object.keys(players)) byDay[d]![name] = mean(outcomes[name]!.filter((_, k) => episodes[k]!.day === d).map((e) => e.shortfallBps));
  }
  const diff = outcomes.agent!.map((e, k) => e.shortfallBps - outcomes.take![k]!.shortfallBps);
  return {
    result: { policy: policyName, episodes: o.episodes, agent: summary.agent!, baselines: { take: summary.take!, limitOffset: summary.limitOffset!, twap: summary.twap! } },
    days: [...days], outcomes, byDay,
    agentMinusTake: { mean: mean(diff), ci: bootstrapMean(diff, o.reps, mixSeed(o.seed, 0xd1ff)) },
  };
}
