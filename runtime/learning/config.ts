/**
 * A model config (`models/configs/*.yaml`): which deployment's market the dataset is built from,
 * how decision times are sampled and labelled, the day splits and embargo, the iTransformer's
 * size and the training run. One file names everything that makes a model, so its card can point
 * back to it. Loaded once; every bad value is reported with its YAML path.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Type, type Static } from "@sinclair/typebox";
import { parse } from "yaml";
import { checkAgainstSchema } from "../config/schema-errors.ts";

const Day = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "a UTC day, YYYY-MM-DD" });

/** The schema of a model config. */
export const ModelConfigSchema = Type.Object(
  {
    /** Registry name of the model (e.g. vol-window). */
    name: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,40}$" }),
    dataset: Type.Object(
      {
        /** Replay deployment whose market and instruments the dataset is built from (relative to this file). */
        deployment: Type.String({ minLength: 1 }),
        /** Output folder, relative to the working directory. */
        out: Type.String({ minLength: 1 }),
        /** Decision time grid, kernel milliseconds. */
        sampleEveryMs: Type.Integer({ minimum: 1, default: 5000 }),
        /** Label horizon H: realised volatility and direction over (t, t + H]. */
        horizonSeconds: Type.Number({ exclusiveMinimum: 0, default: 30 }),
        /** Per-instrument quantile of the training split's realised volatility above which a window is "high". */
        highVolQuantile: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.8 }),
        /** Direction dead band: |log return over H| below this many basis points is flat. */
        deadBandBps: Type.Number({ minimum: 0, default: 0.5 }),
        /** Context rows a decision needs before it is sampled (at least the model's rows). */
        rows: Type.Integer({ minimum: 1, maximum: 512, default: 64 }),
        /** No decision when the instrument's last event is older than this (market closed). */
        staleSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
        /** Decisions within this long after a change of split are dropped (and labels never cross a split). */
        embargoSeconds: Type.Number({ minimum: 0, default: 600 }),
        /** Which UTC days go to which split; a day in none is left out. */
        splits: Type.Object({ train: Type.Array(Day, { minItems: 1 }), validation: Type.Array(Day, { minItems: 1 }), test: Type.Array(Day) }, { additionalProperties: false }),
        /** Also write the samples table as Parquet (DuckDB) for analysis. */
        parquet: Type.Boolean({ default: true }),
      },
      { additionalProperties: false },
    ),
    model: Type.Object(
      {
        rows: Type.Integer({ minimum: 2, maximum: 512, default: 64 }),
        dModel: Type.Integer({ minimum: 4, maximum: 512, default: 32 }),
        heads: Type.Integer({ minimum: 1, maximum: 16, default: 4 }),
        layers: Type.Integer({ minimum: 1, maximum: 8, default: 2 }),
        ff: Type.Integer({ minimum: 4, maximum: 2048, default: 64 }),
        dropout: Type.Number({ minimum: 0, maximum: 0.9, default: 0.1 }),
        /** Two more variates after the kernels' 25: sin and cos of the decision's UTC time of day (the model engine supplies them when serving). */
        timeOfDay: Type.Boolean({ default: false }),
        /** Five more variates after those: Asia / London / New York session flags at fixed UTC hours and sin, cos of the UTC day of week (the model engine supplies them when serving). */
        session: Type.Boolean({ default: false }),
      },
      { additionalProperties: false },
    ),
    train: Type.Object(
      {
        seed: Type.Integer({ default: 7 }),
        epochs: Type.Integer({ minimum: 1, default: 10 }),
        batchSize: Type.Integer({ minimum: 1, default: 256 }),
        lr: Type.Number({ exclusiveMinimum: 0, default: 0.002 }),
        /** Epochs without a better validation loss before stopping. */
        patience: Type.Integer({ minimum: 1, default: 3 }),
        /** Training samples drawn (seeded) per epoch; 0 uses them all. */
        samplesPerEpoch: Type.Integer({ minimum: 0, default: 0 }),
        /** Weight of the magnitude and direction losses beside the vol-window loss. */
        magnitudeWeight: Type.Number({ minimum: 0, default: 0.5 }),
        directionWeight: Type.Number({ minimum: 0, default: 0.5 }),
        threads: Type.Integer({ minimum: 1, default: 1 }),
        /** Where checkpoints and the exported model go (relative to the working directory). */
        out: Type.String({ minLength: 1 }),
        /** Version to register (default: the UTC time of the run). */
        version: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9._-]{1,40}$" })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A validated model config. */
export type ModelConfig = Static<typeof ModelConfigSchema>;

/** A model config with its file and the deployment path resolved. */
export interface LoadedModelConfig {
  readonly file: string;
  readonly config: ModelConfig;
  /** Absolute path of the dataset's deployment. */
  readonly deployment: string;
}

/** A model config that cannot be used: every problem, each naming its YAML path. */
export class ModelConfigError extends Error {
  readonly code = "MODEL_CONFIG_INVALID";
  constructor(readonly problems: readonly string[]) {
    super(`MODEL_CONFIG_INVALID: ${problems.join("; ")}`);
  }
}

/** Loads and validates a model config; throws ModelConfigError. */
export function loadModelConfig(file: string): LoadedModelConfig {
  const path = resolve(file);
  if (!existsSync(path)) throw new ModelConfigError([`file=${file} not found`]);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ModelConfigError([`file=${file} yaml=${JSON.stringify((e as Error).message.split("\n")[0])}`]);
  }
  if (raw !== null && typeof raw === "object" && (raw as Record<string, unknown>).model === undefined) (raw as Record<string, unknown>).model = {};
  const problems = checkAgainstSchema(ModelConfigSchema, raw);
  if (problems.length > 0) throw new ModelConfigError(problems.map((p) => `${file}: ${p.message}`));
  const config = raw as ModelConfig;
  const all = [...config.dataset.splits.train, ...config.dataset.splits.validation, ...config.dataset.splits.test];
  if (new Set(all).size !== all.length) throw new ModelConfigError([`${file}: dataset.splits: a day is in two splits`]);
  // A dataset sampled with a longer context serves a shorter model too (its windows are the newest rows), so a context sweep trains on the same decisions.
  if (config.model.rows > config.dataset.rows) throw new ModelConfigError([`${file}: model.rows=${config.model.rows} exceeds dataset.rows=${config.dataset.rows}`]);
  if (config.model.dModel % config.model.heads !== 0) throw new ModelConfigError([`${file}: model.dModel=${config.model.dModel} is not a multiple of model.heads=${config.model.heads}`]);
  return { file: path, config, deployment: resolve(dirname(path), config.dataset.deployment) };
}
