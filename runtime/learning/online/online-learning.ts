/**
 * Online learning in a paper or live session (`learning: online`): the rl-executor explores and
 * hands each finished parent's rollout here; every `periodSeconds` of market time (the kernel
 * clock, so a paced replay learns at its own speed) the episodes the live policy played go to the
 * PPO learner process as .npy files. Its update is accepted only when the KL to the live policy over
 * the batch is within `klCap` and its ONNX export matches PyTorch and the TypeScript forward pass;
 * then new parents run it (parents already working keep the version they started with). After
 * `rollback.episodes` episodes of a new version, a mean episode reward below `rollback.minReward`
 * restores the last good version. Every accepted, rejected and rolled-back version is journaled
 * (control records of kind "learning"), raised as an alert, shown in GET /api/v1/learning and
 * exported to /metrics. A restart comes back on the last live version when its card is still there.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Value } from "@sinclair/typebox/value";
import type { ExperienceEpisode } from "../../../plugins/sdk/algo.ts";
import { ACTION_DIM } from "../../../plugins/sdk/execution-spaces.ts";
import { LearningConfig, type DeploymentConfig } from "../../config/schema.ts";
import type { AlgoDefinition, AlgoHost } from "../../execution/algos/algo-host.ts";
import type { EventLoop } from "../../kernel/event-loop.ts";
import type { TradingCore } from "../../session/trading-core.ts";
import { writeNpy } from "../dataset/npy.ts";
import { checkPolicyParity, POLICY_TOLERANCE } from "../rl/train.ts";
import { LearnerProcess, type UpdateAnswer } from "./learner-process.ts";
import type { LearningEvent } from "./learning-event.ts";
import type { Static } from "@sinclair/typebox";

/** The `learning:` settings with defaults applied. */
export type LearningSettings = Static<typeof LearningConfig>;

/** Reads `learning:` of a deployment (a mode word or the settings); null when off or absent. */
export function learningSettings(config: DeploymentConfig): LearningSettings | null {
  const l = config.learning;
  if (l === undefined || l === "off") return null;
  const s = structuredClone(l === "online" ? { mode: "online" } : l) as Record<string, unknown>;
  Value.Default(LearningConfig, s);
  const settings = s as unknown as LearningSettings;
  return settings.mode === "online" ? settings : null;
}

/** A deployment whose online learning cannot run: one line naming what. */
export class LearningConfigError extends Error {
  readonly code = "LEARNING_CONFIG_INVALID";
  constructor(detail: string) {
    super(`LEARNING_CONFIG_INVALID: ${detail}`);
  }
}

/** A policy version the session can run. */
interface Version {
  readonly n: number;
  /** `name@version`, as children's tags carry it. */
  readonly ref: string;
  readonly card: string;
}

/** What online learning needs from the session. */
export interface OnlineLearningDeps {
  readonly core: TradingCore;
  readonly loop: EventLoop;
  readonly algos: AlgoHost;
  /** Journal path (versions go beside it), or null. */
  readonly journalPath: string | null;
  readonly mode: DeploymentConfig["mode"];
}

const refOf = (card: string): string => {
  const c = JSON.parse(readFileSync(card, "utf8")) as { name: string; registryVersion: string };
  return `${c.name}@${c.registryVersion}`;
};

/** A session's online learning. */
export class OnlineLearning {
  readonly algo: string;
  readonly out: string;
  private readonly def: AlgoDefinition;
  private learner: LearnerProcess | null = null;
  live: Version;
  lastGood: Version;
  /** Finished episodes of the live version not yet learnt from. */
  private buffer: ExperienceEpisode[] = [];
  /** Episode rewards of the live version since it went live (while it is on probation). */
  private window: number[] = [];
  /** Bumped whenever the live version changes: an update computed before is discarded. */
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private updates = 0;
  pending = false;
  /** Periods whose update was skipped (too few episodes, an update still running), and episodes seen. */
  readonly counts = { periods: 0, skipped: 0, episodes: 0, accepted: 0, rejected: 0, rolledBack: 0 };
  /** The last update's figures (for the API and /metrics). */
  last: { kl: number; entropy: number; reward: number; episodes: number } | null = null;
  /** Why the learner stopped, when it did. */
  failure: string | null = null;
  private stopped = false;

  constructor(
    readonly settings: LearningSettings,
    private readonly deps: OnlineLearningDeps,
  ) {
    const host = deps.algos;
    const rl = [...host.deps.algos.values()].filter((d) => d.plugin.manifest.name === "rl-executor");
    const def = settings.algo === undefined ? (rl.length === 1 ? rl[0] : undefined) : rl.find((d) => d.name === settings.algo);
    if (def === undefined) {
      const names = rl.map((d) => d.name).join(",") || "none";
      throw new LearningConfigError(`learning.algo: ${settings.algo === undefined ? `give the rl-executor algorithm to learn (execution.algos has rl-executor: ${names})` : `${settings.algo} is not an rl-executor in execution.algos (has: ${names})`}`);
    }
    if (deps.mode === "backtest") throw new LearningConfigError("learning: online learning runs in paper and live sessions (mode: paper), not in a backtest");
    const card = def.defaults.policy;
    if (typeof card !== "string") throw new LearningConfigError(`execution.algos.${def.name}.params.policy: online learning needs a policy card`);
    this.def = def;
    this.algo = def.name;
    this.out = resolve(settings.out ?? (deps.journalPath !== null ? `${deps.journalPath}.learning` : mkdtempSync(join(tmpdir(), "kestrel-learning-"))));
    mkdirSync(this.out, { recursive: true });
    let start: Version = { n: 0, ref: refOf(card), card: resolve(card) };
    // After a restart: back on the last live version (when its card is still there).
    const log = deps.core.learningLog;
    if (log.length > 0) {
      const liveRef = log.at(-1)!.live;
      const acc = log.filter((e) => e.status === "accepted" && e.version === liveRef).at(-1);
      if (acc?.card !== undefined && existsSync(acc.card)) start = { n: acc.n, ref: liveRef, card: acc.card };
      this.updates = Math.max(...log.map((e) => e.n));
    }
    this.live = start;
    this.lastGood = start;
    this.setPolicy(start);
    (def.defaults as Record<string, unknown>).explore = true;
    host.experienceSink = (algo, _parent, e) => this.onEpisode(algo, e);
  }

  /** Starts the learner and the update clock (kernel time, first market event + period). */
  start(): void {
    const s = this.settings;
    this.learner = new LearnerProcess({ card: this.live.card, startN: this.live.n, outDir: this.out, ppo: s.ppo, klCap: s.klCap, test: s.test ?? {} }, this.out);
    this.queue = this.learner.ready.catch((e: Error) => this.fail(e));
    const loop = this.deps.loop;
    const first = loop.peekSourceTs();
    const period = s.periodSeconds * 1e6;
    const tick = (): void => {
      loop.schedule(loop.clock.now() + period, tick);
      this.onPeriod();
    };
    loop.schedule((Number.isFinite(first) ? first : loop.clock.now()) + period, tick);
  }

  /** Stops the learner process (answers still on their way are dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.learner?.stop();
  }

  /** The state the admin API shows. */
  status() {
    return {
      mode: "online" as const,
      algo: this.algo,
      live: this.live.ref,
      lastGood: this.lastGood.ref,
      probation: this.live.n !== this.lastGood.n ? { episodes: this.window.length, of: this.settings.rollback.episodes, meanReward: mean(this.window) } : null,
      pending: this.pending,
      buffered: this.buffer.length,
      settings: { periodSeconds: this.settings.periodSeconds, minEpisodes: this.settings.minEpisodes, klCap: this.settings.klCap, rollback: this.settings.rollback },
      counts: { ...this.counts },
      last: this.last,
      failure: this.failure,
      versions: [...this.deps.core.learningLog],
    };
  }

  private setPolicy(v: Version): void {
    (this.def.defaults as Record<string, unknown>).policy = v.card;
  }

  private onEpisode(algo: string, e: ExperienceEpisode): void {
    if (algo !== this.algo) return;
    this.counts.episodes++;
    // Episodes of an older version are off-policy for the live one: not learnt from, not scored.
    if (e.policy !== this.live.ref || e.logp.length === 0) return;
    this.buffer.push(e);
    const cap = Math.max(4 * this.settings.minEpisodes, 64);
    if (this.buffer.length > cap) this.buffer.splice(0, this.buffer.length - cap);
    if (this.live.n === this.lastGood.n) return;
    this.window.push(e.rewards.reduce((a, b) => a + b, 0));
    const rb = this.settings.rollback;
    if (this.window.length < rb.episodes) return;
    const m = mean(this.window);
    if (m < rb.minReward) this.rollback(m);
    else {
      this.lastGood = this.live;
      this.window = [];
    }
  }

  private rollback(reward: number): void {
    const bad = this.live;
    const good = this.lastGood;
    const rb = this.settings.rollback;
    this.switchTo(good);
    this.counts.rolledBack++;
    this.deps.core.learningEvent(this.algo, {
      status: "rolled-back", n: bad.n, version: bad.ref, live: good.ref, ts: this.deps.core.now(), reward, episodes: rb.episodes,
      reason: `mean episode reward ${reward.toFixed(3)} bps below minReward=${rb.minReward} over ${rb.episodes} episodes`,
    });
    this.enqueue(async (l) => {
      const r = await l.ask<{ restored: number; error?: string }>({ restore: good.n });
      if (r.error !== undefined) throw new Error(r.error);
    });
  }

  private switchTo(v: Version): void {
    this.live = v;
    this.generation++;
    this.buffer = [];
    this.window = [];
    this.setPolicy(v);
  }

  private onPeriod(): void {
    this.counts.periods++;
    if (this.failure !== null) return;
    if (this.pending || this.buffer.length < this.settings.minEpisodes) {
      this.counts.skipped++;
      return;
    }
    const episodes = this.buffer;
    this.buffer = [];
    const n = ++this.updates;
    const dir = join(this.out, "rollouts", `update-${String(n).padStart(5, "0")}`);
    writeExperience(dir, episodes);
    const gen = this.generation;
    const from = this.live;
    this.pending = true;
    void this.enqueue(async (l) => {
      const a = await l.ask<UpdateAnswer>({ update: dir, n });
      let parity: string | null = null;
      if (a.status === "accepted" && a.card !== undefined) {
        const p = await checkPolicyParity(a.card, join(a.card, ".."));
        if (!(Math.max(p.onnxVsTorch, p.tsVsTorch) <= POLICY_TOLERANCE)) parity = `ONNX export mismatch onnx=${p.onnxVsTorch} ts=${p.tsVsTorch} tolerance=${POLICY_TOLERANCE}`;
      }
      // Applied in the kernel's order, at the next turn of the loop (nothing once the session has stopped).
      this.deps.loop.schedule(this.deps.loop.clock.now(), () => this.decide(n, a, parity, episodes, gen, from));
    });
  }

  /** Applies an update's answer: live when accepted by the learner, its export matches, and the live version is still the one it was computed from. */
  private decide(n: number, a: UpdateAnswer, parity: string | null, episodes: readonly ExperienceEpisode[], gen: number, from: Version): void {
    this.pending = false;
    if (this.stopped) return;
    let status = a.status;
    let reason = a.reason;
    if (status === "accepted" && parity !== null) {
      status = "rejected";
      reason = parity;
    }
    if (status === "accepted" && gen !== this.generation) {
      status = "rejected";
      reason = `superseded: the live version changed to ${this.live.ref} while it was computed`;
    }
    // The learner goes back to the live version unless the update goes live.
    if (status !== "accepted" && a.status === "accepted") {
      const back = this.live.n;
      this.enqueue(async (l) => {
        const r = await l.ask<{ restored: number; error?: string }>({ restore: back });
        if (r.error !== undefined) throw new Error(r.error);
      });
    }
    const reward = mean(episodes.map((e) => e.rewards.reduce((x, y) => x + y, 0)));
    this.last = { kl: a.kl, entropy: a.entropy, reward, episodes: episodes.length };
    const version = a.version !== undefined ? `${from.ref.split("@")[0]}@${a.version}` : `${from.ref}+u${n}`;
    const base = { n, version, ts: this.deps.core.now(), kl: a.kl, entropy: a.entropy, reward, episodes: episodes.length };
    if (status === "accepted") {
      this.switchTo({ n, ref: version, card: a.card! });
      this.counts.accepted++;
      this.deps.core.learningEvent(this.algo, { status: "accepted", ...base, live: version, card: a.card! });
    } else {
      this.counts.rejected++;
      this.deps.core.learningEvent(this.algo, { status: "rejected", ...base, live: this.live.ref, reason: reason ?? "rejected" });
    }
  }

  private enqueue(job: (l: LearnerProcess) => Promise<void>): Promise<unknown> {
    const l = this.learner;
    if (l === null) return Promise.resolve();
    this.queue = this.queue.then(() => (this.failure === null ? job(l) : undefined)).catch((e: Error) => this.fail(e));
    return this.queue;
  }

  private fail(e: Error): void {
    if (this.failure !== null || this.stopped) return;
    this.failure = e.message.split("\n")[0]!;
    this.deps.core.alerts.raise(this.deps.core.now(), "LEARNER_FAILED", "critical", this.algo, `algo=${this.algo} ${this.failure} (the live policy ${this.live.ref} keeps running; no more updates)`);
  }
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Writes finished episodes end to end as one environment's rollout (.npy files the learner reads). */
export function writeExperience(dir: string, episodes: readonly ExperienceEpisode[]): void {
  mkdirSync(dir, { recursive: true });
  const D = episodes[0]!.obsDim;
  const T = episodes.reduce((a, e) => a + e.logp.length, 0);
  const obs = new Float32Array((T + 1) * D);
  const actions = new Float32Array(T * ACTION_DIM);
  const logp = new Float32Array(T);
  const rewards = new Float32Array(T);
  const dones = new Uint8Array(T);
  let t = 0;
  for (const e of episodes) {
    obs.set(e.obs, t * D);
    actions.set(e.actions, t * ACTION_DIM);
    logp.set(e.logp, t);
    rewards.set(e.rewards, t);
    t += e.logp.length;
    dones[t - 1] = 1;
  }
  writeNpy(join(dir, "obs.npy"), "<f4", [T + 1, 1, D], obs);
  writeNpy(join(dir, "actions.npy"), "<f4", [T, 1, ACTION_DIM], actions);
  writeNpy(join(dir, "logp.npy"), "<f4", [T, 1], logp);
  writeNpy(join(dir, "rewards.npy"), "<f4", [T, 1], rewards);
  writeNpy(join(dir, "dones.npy"), "|u1", [T, 1], dones);
}
