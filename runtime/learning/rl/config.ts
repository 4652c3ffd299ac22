/**
 * An RL config (`models/configs/executor-*.yaml`): the deployment whose market, instrument and sim
 * venue the environment uses, which days train and which evaluate, the episode (quantity, window,
 * decisions, action bounds, reward weights) and the learner (algorithm, sizes, seed, output).
 * Loaded once; every bad value is reported with its YAML path.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { checkAgainstSchema } from "../../config/schema-errors.ts";
import { loadConfig } from "../../config/load.ts";
import simPlugin from "../../../plugins/venues/sim/index.ts";
import type { SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";
import type { EnvSpec } from "./env.ts";
import { ppoUpdateFields } from "./ppo-schema.ts";

const Day = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "a UTC day, YYYY-MM-DD" });

/** The schema of an RL config. */
export const RlConfigSchema = Type.Object(
  {
    /** Registry name of the policy (e.g. executor). */
    name: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,40}$" }),
    env: Type.Object(
      {
        /** Backtest deployment (replay or synthetic) whose market and sim venue the environment uses, relative to this file. */
        deployment: Type.String({ minLength: 1 }),
        instrument: Type.String({ minLength: 1 }),
        /** UTC days episodes are drawn from when training, and the days held out for `rl eval` (none shared). */
        trainDays: Type.Array(Day, { minItems: 1 }),
        evalDays: Type.Array(Day, { default: [] }),
        /** Intent size, size units. */
        quantity: Type.Integer({ minimum: 1 }),
        windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
        /** Agent decisions per window. */
        steps: Type.Integer({ minimum: 1, maximum: 1000, default: 12 }),
        maxOffsetTicks: Type.Integer({ minimum: 0, maximum: 100, default: 4 }),
        minStopTicks: Type.Integer({ minimum: 1, default: 2 }),
        maxStopTicks: Type.Integer({ minimum: 1, default: 40 }),
        side: Type.Union([Type.Literal("random"), Type.Literal("signal"), Type.Literal("buy"), Type.Literal("sell")], { default: "random" }),
        /** Kernel feature whose sign gives the side when side is "signal". */
        signalFeature: Type.Optional(Type.String()),
        maxFlattenRounds: Type.Integer({ minimum: 1, default: 6 }),
        reward: Type.Object(
          {
            pnl: Type.Number({ default: 1 }),
            drawdown: Type.Number({ minimum: 0, default: 0.1 }),
            slippage: Type.Number({ minimum: 0, default: 0 }),
            unfilled: Type.Number({ minimum: 0, default: 0 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false },
    ),
    learner: Type.Object(
      {
        algorithm: Type.Union([Type.Literal("ppo"), Type.Literal("sac"), Type.Literal("td3")], { default: "ppo", description: "ppo (on-policy) or sac / td3 (off-policy, replay buffer)" }),
        seed: Type.Integer({ default: 7 }),
        envs: Type.Integer({ minimum: 1, maximum: 1024, default: 8 }),
        /** Decisions per environment per iteration. */
        rolloutSteps: Type.Integer({ minimum: 1, default: 96 }),
        iterations: Type.Integer({ minimum: 1, default: 20 }),
        ...ppoUpdateFields({ minibatch: 128, lr: 0.0003 }),
        /** Stop an update's epochs early when the approximate KL passes this (0: never). */
        targetKl: Type.Number({ minimum: 0, default: 0.03 }),
        hidden: Type.Integer({ minimum: 4, maximum: 1024, default: 64 }),
        /** sac / td3: transitions kept for replay. */
        bufferSize: Type.Integer({ minimum: 1, default: 100000 }),
        /** sac / td3: gradient steps per iteration. */
        updatesPerIteration: Type.Integer({ minimum: 1, default: 64 }),
        /** sac / td3: Polyak averaging of the target networks. */
        tau: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.005 }),
        /** sac / td3: std of the Gaussian noise added to the deterministic action in the environment. */
        explorationStd: Type.Number({ exclusiveMinimum: 0, default: 0.3 }),
        /** td3: actor and target updates every this many critic updates. */
        policyDelay: Type.Integer({ minimum: 1, default: 2 }),
        /** td3: std of the target-policy smoothing noise. */
        targetNoise: Type.Number({ minimum: 0, default: 0.2 }),
        threads: Type.Integer({ minimum: 1, default: 1 }),
        checkpointEvery: Type.Integer({ minimum: 1, default: 5 }),
        /** Where checkpoints and the exported policy go (relative to the working directory). */
        out: Type.String({ minLength: 1 }),
        version: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9._-]{1,40}$" })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A validated RL config. */
export type RlConfig = Static<typeof RlConfigSchema>;

/** An RL config with its file, deployment and sim parameters resolved. */
export interface LoadedRlConfig {
  readonly file: string;
  readonly config: RlConfig;
  readonly deployment: string;
  readonly venue: SimVenueParams;
  readonly spec: EnvSpec;
}

/** An RL config that cannot be used: every problem, each naming its YAML path. */
export class RlConfigError extends Error {
  readonly code = "RL_CONFIG_INVALID";
  constructor(readonly problems: readonly string[]) {
    super(`RL_CONFIG_INVALID: ${problems.join("; ")}`);
  }
}

/** The sim venue parameters of a deployment, defaults applied. */
export function simParamsOf(deployment: string): SimVenueParams {
  const loaded = loadConfig(deployment);
  if (!loaded.ok) throw new RlConfigError([`deployment=${deployment} ${loaded.problems.join("; ")}`]);
  const v = loaded.config.venue;
  if (v === undefined || v.plugin !== "sim") throw new RlConfigError([`deployment=${deployment}: venue.plugin must be sim (the environment is the sim venue)`]);
  const params = structuredClone((v.params ?? {}) as Record<string, unknown>);
  Value.Default(simPlugin.manifest.params, params);
  return params as unknown as SimVenueParams;
}

/** Loads and validates an RL config; throws RlConfigError. */
export function loadRlConfig(file: string): LoadedRlConfig {
  const path = resolve(file);
  if (!existsSync(path)) throw new RlConfigError([`file=${file} not found`]);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new RlConfigError([`file=${file} yaml=${JSON.stringify((e as Error).message.split("\n")[0])}`]);
  }
  if (raw !== null && typeof raw === "object" && (raw as Record<string, unknown>).learner === undefined) (raw as Record<string, unknown>).learner = {};
  const problems = checkAgainstSchema(RlConfigSchema, raw);
  if (problems.length > 0) throw new RlConfigError(problems.map((p) => `${file}: ${p.message}`));
  const config = raw as RlConfig;
  const e = config.env;
  const shared = e.trainDays.filter((d) => e.evalDays.includes(d));
  if (shared.length > 0) throw new RlConfigError([`${file}: env.evalDays: ${shared.join(",")} also in env.trainDays`]);
  if (e.maxStopTicks < e.minStopTicks) throw new RlConfigError([`${file}: env.maxStopTicks=${e.maxStopTicks} below env.minStopTicks=${e.minStopTicks}`]);
  if (e.side === "signal" && e.signalFeature === undefined) throw new RlConfigError([`${file}: env.signalFeature: required when env.side is signal`]);
  const deployment = resolve(dirname(path), e.deployment);
  const venue = simParamsOf(deployment);
  const spec: EnvSpec = {
    quantity: e.quantity, windowSeconds: e.windowSeconds, steps: e.steps, maxOffsetTicks: e.maxOffsetTicks,
    minStopTicks: e.minStopTicks, maxStopTicks: e.maxStopTicks, side: e.side, signalFeature: e.signalFeature,
    reward: e.reward, maxFlattenRounds: e.maxFlattenRounds,
  };
  return { file: path, config, deployment, venue, spec };
}
