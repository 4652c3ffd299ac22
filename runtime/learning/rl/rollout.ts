/**
 * Rollouts: the vectorised environment stepped with a policy's mean action plus seeded Gaussian
 * exploration noise (the policy's own log-std), collected into arrays the learner reads as .npy
 * files: obs [T+1, N, D], actions [T, N, 3], rewards [T, N], dones [T, N].
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MlpPolicy, type PolicyWeights } from "../../../plugins/sdk/mlp-policy.ts";
import { ACTION_DIM } from "../../../plugins/sdk/execution-spaces.ts";
import { writeNpy } from "../dataset/npy.ts";
import { xorshift } from "./env.ts";
import type { FinishedEpisode, VecEnv } from "./vec-env.ts";

/** A policy file as the learner writes it. */
export interface PolicyFile extends PolicyWeights {
  readonly logStd: readonly number[];
}

/** A collected rollout. */
export interface Rollout {
  readonly steps: number;
  readonly envs: number;
  readonly obsDim: number;
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly dones: Uint8Array;
  readonly episodes: FinishedEpisode[];
}

/** Seeded standard normal draws (Box–Muller over xorshift32). */
export class Gaussian {
  private spare = NaN;
  constructor(private s: number) {}
  next(): number {
    if (this.spare === this.spare) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    this.s = xorshift(this.s);
    const u = (this.s + 1) / 4294967297;
    this.s = xorshift(this.s);
    const v = this.s / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Steps `vec` for `steps` decisions with `policy` (noise from `noiseSeed`; none when `deterministic`). */
export function collectRollout(vec: VecEnv, policy: PolicyFile, steps: number, noiseSeed: number, deterministic = false): Rollout {
  const net = new MlpPolicy(policy);
  const N = vec.n, D = vec.obsDim;
  const obs = new Float32Array((steps + 1) * N * D);
  const actions = new Float32Array(steps * N * ACTION_DIM);
  const rewards = new Float32Array(steps * N);
  const dones = new Uint8Array(steps * N);
  const std = policy.logStd.map(Math.exp);
  const g = new Gaussian(noiseSeed || 1);
  const act = new Float32Array(N * ACTION_DIM);
  const episodes: FinishedEpisode[] = [];
  vec.drain();
  for (let t = 0; t < steps; t++) {
    obs.set(vec.obs, t * N * D);
    for (let i = 0; i < N; i++) {
      net.act(vec.obs, i * D, act, i * ACTION_DIM);
      if (!deterministic) for (let j = 0; j < ACTION_DIM; j++) act[i * ACTION_DIM + j] += std[j]! * g.next();
    }
    actions.set(act, t * N * ACTION_DIM);
    vec.step(act);
    rewards.set(vec.rewards, t * N);
    dones.set(vec.dones, t * N);
    episodes.push(...vec.drain());
  }
  obs.set(vec.obs, steps * N * D);
  return { steps, envs: N, obsDim: D, obs, actions, rewards, dones, episodes };
}

/** Episode statistics the learner logs. */
export function episodeStats(r: Rollout): { count: number; meanReturn: number | null; meanPnl: number | null } {
  const n = r.episodes.length;
  if (n === 0) return { count: 0, meanReturn: null, meanPnl: null };
  return { count: n, meanReturn: r.episodes.reduce((a, e) => a + e.return, 0) / n, meanPnl: r.episodes.reduce((a, e) => a + e.outcome.pnl, 0) / n };
}

/** Writes a rollout as .npy files (and episodes.json) into `dir`. */
export function writeRollout(dir: string, r: Rollout): void {
  mkdirSync(dir, { recursive: true });
  writeNpy(join(dir, "obs.npy"), "<f4", [r.steps + 1, r.envs, r.obsDim], r.obs);
  writeNpy(join(dir, "actions.npy"), "<f4", [r.steps, r.envs, ACTION_DIM], r.actions);
  writeNpy(join(dir, "rewards.npy"), "<f4", [r.steps, r.envs], r.rewards);
  writeNpy(join(dir, "dones.npy"), "|u1", [r.steps, r.envs], r.dones);
  writeFileSync(join(dir, "episodes.json"), JSON.stringify(episodeStats(r)));
}
