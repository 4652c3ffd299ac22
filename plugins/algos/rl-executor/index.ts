/**
 * rl-executor: works a parent (a strategy's intent: side, quantity) over a window with a trained
 * execution policy. At each decision (the first quote at or after every window/steps of market
 * time) the policy reads the instrument's kernel features and the episode's state and decides the
 * entered share, the entry's offset from the touch (or take) and the stop distance; after the
 * window the position is flattened at the market. The logic is the RL environment's own
 * (`ExecutionEpisode`), so a policy behaves here as it did in training. Every child carries the
 * policy version in its tag. `actions` replays recorded raw actions instead of a policy.
 * With `explore` (set by a session that learns online) the raw action is drawn from the policy's
 * Gaussian (seeded per parent) and, when the session collects experience, the episode's
 * observations, raw actions, log-probabilities and rewards (the environment's reward, from the
 * card's weights) go to the learner when the parent ends.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  decodeAction, defineAlgo, writeObservation, ExecutionEpisode, MlpPolicy, observationLayout, RewardMeter, Type, ACTION_DIM,
  type ActionBounds, type AlgoContext, type ExecutionAction, type ExecutionPort, type PolicyWeights, type RewardWeights, type Side,
} from "../../sdk/index.ts";

const Params = Type.Object(
  {
    /** Policy card written by `kestrel rl train`: a path, or a registry name (`executor@latest`) the runtime resolves. */
    policy: Type.Optional(Type.String({ minLength: 1 })),
    /** Raw actions (3 per decision) to replay instead of a policy. */
    actions: Type.Optional(Type.Array(Type.Number())),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
    steps: Type.Integer({ minimum: 1, default: 12 }),
    maxOffsetTicks: Type.Integer({ minimum: 0, default: 4 }),
    minStopTicks: Type.Integer({ minimum: 1, default: 2 }),
    maxStopTicks: Type.Integer({ minimum: 1, default: 40 }),
    maxFlattenRounds: Type.Integer({ minimum: 1, default: 6 }),
    /** The strategy's signal behind the intent, in [-1, 1] (part of the observation). */
    signal: Type.Number({ minimum: -1, maximum: 1, default: 0 }),
    /** Draw actions from the policy's Gaussian (its log-std) instead of taking its mean (online learning). */
    explore: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

/** A policy card as the executor reads it. */
interface PolicyCard extends PolicyWeights {
  readonly name: string;
  readonly registryVersion: string;
  readonly featureNames: readonly string[];
  readonly env: ActionBounds & { readonly windowSeconds: number; readonly steps: number; readonly maxFlattenRounds: number; readonly reward?: RewardWeights };
  readonly logStd?: readonly number[];
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

const cards = new Map<string, { card: PolicyCard; policy: MlpPolicy }>();

function loadPolicy(path: string): { card: PolicyCard; policy: MlpPolicy } {
  const abs = resolve(path);
  let c = cards.get(abs);
  if (c === undefined) {
    const card = JSON.parse(readFileSync(abs, "utf8")) as PolicyCard;
    c = { card, policy: new MlpPolicy(card) };
    cards.set(abs, c);
  }
  return c;
}

type Ctx = AlgoContext<typeof Params>;

export default defineAlgo({
  manifest: {
    name: "rl-executor", version: "0.1.0", kind: "algo", sdk: "^0.1.0",
    description: "Execution by a trained RL policy: size, entry offset and stop within the intent's window", params: Params, selfFinishing: true,
  },
  create: (ctx0: Ctx) => {
    const p = ctx0.params;
    const loaded = p.policy !== undefined ? loadPolicy(p.policy) : null;
    if (loaded === null && p.actions === undefined) throw new Error("RL_EXECUTOR_NO_POLICY: give params.policy (a policy card) or params.actions");
    const bounds: ActionBounds & { windowSeconds: number; steps: number; maxFlattenRounds: number } = loaded?.card.env ?? p;
    const version = loaded === null ? "replay" : `${loaded.card.name}@${loaded.card.registryVersion}`;
    const names = loaded?.card.featureNames ?? [];
    const layout = observationLayout(names);
    const obs = new Float32Array(layout.width);
    const raw = new Float32Array(ACTION_DIM);
    const action: ExecutionAction = { sizeFraction: 0, offsetTicks: -1, stopTicks: 0 };
    let ctx = ctx0;
    let bid = 0, ask = 0;
    const refused: number[] = [];
    const settleRefused = (): void => {
      while (refused.length > 0) episode.onDone(refused.pop()!);
    };
    const port: ExecutionPort = {
      send(side: Side, type, size, price, stopPrice) {
        const ids = ctx.child({ type, size, side, price: type === "limit" ? price : undefined, stopPrice: type === "stop" ? stopPrice : undefined, tif: type === "market" ? "IOC" : "GTC", note: `policy=${version} step=${episode.step}` });
        const id = ids[0] ?? 0;
        // Refused at once (risk): its terminal status came before the episode knew the id.
        if (id !== 0 && !ctx.openChildren().some((o) => o.id === id)) refused.push(id);
        return id;
      },
      cancel(id) {
        ctx.cancel(id);
      },
    };
    const parent = ctx0.parent;
    const episode = new ExecutionEpisode(port, {
      side: parent.side, quantity: parent.quantity, lotSize: ctx0.instrument.lotSize,
      steps: bounds.steps, stepUs: (bounds.windowSeconds * 1e6) / bounds.steps, signal: p.signal,
    });

    const observe = (c: Ctx): void => writeObservation(layout, c.features?.(), 0, bid, ask, episode, obs, 0);

    // Exploration and experience (online learning): Gaussian draws around the policy's mean.
    const explore = p.explore && loaded !== null;
    const std = (loaded?.card.logStd ?? [0, 0, 0]).map(Math.exp);
    const logStdSum = (loaded?.card.logStd ?? [0, 0, 0]).reduce((a, b) => a + b, 0);
    const mean = new Float32Array(ACTION_DIM);
    const meter = loaded?.card.env.reward !== undefined ? new RewardMeter(loaded.card.env.reward) : null;
    const trajectory = explore && meter !== null && ctx0.experience !== undefined ? { obs: [] as number[], actions: [] as number[], logp: [] as number[], rewards: [] as number[] } : null;
    let spare = Number.NaN;
    const gauss = (c: Ctx): number => {
      if (spare === spare) {
        const v = spare;
        spare = Number.NaN;
        return v;
      }
      const u = 1 - c.random();
      const r = Math.sqrt(-2 * Math.log(u));
      const a = 2 * Math.PI * c.random();
      spare = r * Math.sin(a);
      return r * Math.cos(a);
    };
    let ended = false;
    const end = (c: Ctx, reason: string): void => {
      if (ended) return;
      ended = true;
      if (trajectory !== null && trajectory.logp.length > 0) {
        trajectory.rewards.push(meter!.reward(episode, bid, ask, true));
        c.experience!({ policy: version, obsDim: obs.length, ...trajectory });
      }
      c.finish(reason);
    };

    const decide = (c: Ctx): void => {
      ctx = c;
      if (episode.phase === "active") {
        if (loaded !== null) {
          observe(c);
          loaded.policy.act(obs, 0, mean, 0);
          let logp = 0;
          for (let j = 0; j < ACTION_DIM; j++) {
            const z = explore ? gauss(c) : 0;
            raw[j] = mean[j]! + std[j]! * z;
            logp -= 0.5 * z * z;
          }
          if (trajectory !== null) {
            if (trajectory.logp.length > 0) trajectory.rewards.push(meter!.reward(episode, bid, ask, false));
            for (let k = 0; k < obs.length; k++) trajectory.obs.push(obs[k]!);
            for (let j = 0; j < ACTION_DIM; j++) trajectory.actions.push(raw[j]!);
            trajectory.logp.push(logp - logStdSum - ACTION_DIM * HALF_LOG_2PI);
          }
          decodeAction(raw, 0, bounds, action);
        } else decodeAction(p.actions!, episode.step * ACTION_DIM, bounds, action);
        episode.act(action, bid, ask);
      } else if (episode.step >= episode.intent.steps + bounds.maxFlattenRounds) {
        end(c, `flatten rounds exhausted position=${episode.position}`);
      } else episode.flatten(bid, ask);
      settleRefused();
      if (episode.phase === "done") end(c, `done pnl=${episode.cash}`);
    };

    return {
      onStart(c) {
        ctx = c;
        const b = c.book();
        bid = b.bid;
        ask = b.ask;
        episode.start(c.now(), bid, ask);
      },
      onQuote(c, q) {
        if (q.instrument !== c.parent.instrument) return;
        bid = q.bid;
        ask = q.ask;
        if (episode.due(q.ts)) decide(c);
      },
      onFill(c, f) {
        ctx = c;
        meter?.onFill(episode, f.orderId, f.price, f.size);
        episode.onFill(f.orderId, f.price, f.size, f.fee);
        if (episode.phase === "done") end(c, `done pnl=${episode.cash}`);
      },
      onChild(c, child) {
        ctx = c;
        if (child.status === "filled" || child.status === "canceled" || child.status === "rejected" || child.status === "expired") episode.onDone(child.id);
        if (episode.phase === "done") end(c, `done pnl=${episode.cash}`);
      },
    };
  },
});
