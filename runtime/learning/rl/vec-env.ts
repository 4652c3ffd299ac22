/**
 * N execution environments in one process over one shared tape, stepped together: actions in one
 * Float32Array (N x 3), observations, rewards and done flags out in preallocated arrays. A finished
 * environment resets itself at once to its next episode (seed = mix(base seed, env, episode
 * counter); day drawn from the list by that seed), and the observation written for it is the new
 * episode's first; its episode return and outcome are kept for the caller.
 */
import { ExecutionEnv, mixSeed, type EnvSpec } from "./env.ts";
import type { EpisodeOutcome } from "../../../plugins/sdk/execution-episode.ts";
import type { SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";
import { ACTION_DIM } from "../../../plugins/sdk/execution-spaces.ts";
import type { MarketTape } from "./tape.ts";

/** A finished episode. */
export interface FinishedEpisode {
  readonly env: number;
  readonly seed: number;
  readonly day: string;
  readonly return: number;
  readonly length: number;
  readonly outcome: EpisodeOutcome;
}

/** Vectorised execution environments. */
export class VecEnv {
  readonly envs: ExecutionEnv[];
  readonly obsDim: number;
  readonly obs: Float32Array;
  readonly rewards: Float32Array;
  readonly dones: Uint8Array;
  /** Episodes finished since the last `drain`. */
  finished: FinishedEpisode[] = [];
  private readonly counters: Uint32Array;
  private readonly returns: Float64Array;
  private readonly lengths: Uint32Array;

  constructor(
    tape: MarketTape,
    spec: EnvSpec,
    venue: SimVenueParams,
    readonly n: number,
    readonly seed: number,
    readonly days: readonly string[],
    /** Episodes already played per environment (resume). */
    startEpisode = 0,
  ) {
    if (days.length === 0) throw new Error("RL_NO_DAYS: a vectorised environment needs at least one day");
    this.envs = Array.from({ length: n }, () => new ExecutionEnv(tape, spec, venue));
    this.obsDim = this.envs[0]!.layout.width;
    this.obs = new Float32Array(n * this.obsDim);
    this.rewards = new Float32Array(n);
    this.dones = new Uint8Array(n);
    this.counters = new Uint32Array(n).fill(startEpisode);
    this.returns = new Float64Array(n);
    this.lengths = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.resetOne(i);
  }

  /** Seed and day of environment `i`'s episode number `k`. */
  episodeOf(i: number, k: number): { seed: number; day: string } {
    const seed = mixSeed(this.seed, i, k);
    return { seed, day: this.days[seed % this.days.length]! };
  }

  private resetOne(i: number): void {
    const { seed, day } = this.episodeOf(i, this.counters[i]!);
    this.envs[i]!.reset(seed, day, this.obs, i * this.obsDim);
    this.returns[i] = 0;
    this.lengths[i] = 0;
  }

  /** Steps every environment with its action (`actions[i*3 .. i*3+2]`). */
  step(actions: Float32Array): void {
    const d = this.obsDim;
    for (let i = 0; i < this.n; i++) {
      const env = this.envs[i]!;
      const r = env.step(actions, i * ACTION_DIM, this.obs, i * d);
      this.rewards[i] = r;
      this.returns[i] += r;
      this.lengths[i]++;
      if (env.done) {
        this.dones[i] = 1;
        this.finished.push({ env: i, seed: env.seed, day: env.day, return: this.returns[i]!, length: this.lengths[i]!, outcome: env.episode.outcome() });
        this.counters[i]++;
        this.resetOne(i);
      } else this.dones[i] = 0;
    }
  }

  /** Returns and clears the finished episodes. */
  drain(): FinishedEpisode[] {
    const f = this.finished;
    this.finished = [];
    return f;
  }

  /** Market events processed by all environments. */
  get events(): number {
    let n = 0;
    for (const e of this.envs) n += e.events;
    return n;
  }
}
