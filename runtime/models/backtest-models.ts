/**
 * Models in a backtest: the loop never yields there, so the model runs synchronously, in
 * TypeScript (`ITransformerRunner`), at each period of kernel time, and its signals are in place
 * before the strategies see the next event. Needs a model whose card has TypeScript weights
 * (models/vol_window/export_weights.py); the card's layout is checked against the kernels'.
 */
import type { EventLoop } from "../kernel/event-loop.ts";
import { DEFAULT_MODEL_CARD } from "../../gpu-bridge/inference/index.ts";
import { ITransformerRunner } from "./itransformer.ts";
import { extraVariatesOf } from "./time-variates.ts";
import { ModelEngine } from "./model-engine.ts";
import { cardLayoutMismatch, type ModelsConfig, type ModelsDeps, type RunningModels } from "./start-models.ts";

/** Starts a backtest's synchronous model engine from the `models:` section (with `model:` resolved). */
export async function backtestModels(cfg: ModelsConfig & { model?: string }, deps: ModelsDeps, loop: EventLoop): Promise<RunningModels | null | { code: string; context: string }> {
  let card = cfg.card ?? DEFAULT_MODEL_CARD;
  if (cfg.model !== undefined) {
    const { resolveModel } = await import("../learning/registry.ts");
    try {
      card = resolveModel(cfg.model).path;
    } catch (err) {
      return { code: "MODEL_NOT_FOUND", context: (err as Error).message };
    }
  }
  const { existsSync, readFileSync } = await import("node:fs");
  let name: unknown;
  try {
    name = JSON.parse(readFileSync(card, "utf8")).name;
  } catch {
    name = undefined;
  }
  if (typeof name !== "string" || !existsSync(card.replace(/[^/]*$/, `${name}.weights.msgpack`))) {
    // A model the deployment names explicitly must run: refused rather than silently skipped.
    if (cfg.model !== undefined) return { code: "MODEL_BACKTEST_UNSUPPORTED", context: `model=${cfg.model} card=${card} (no TypeScript weights; run models/vol_window/export_weights.py ${card})` };
    // A model with no synchronous form (the seeded signal MLP) does not run in a backtest, as before.
    deps.alert?.({ code: "MODEL_BACKTEST_UNSUPPORTED", context: `card=${card} (no TypeScript weights: the model does not run in this backtest)` });
    return null;
  }
  const runner = ITransformerRunner.load(card, deps.instruments);
  if ("code" in runner) return runner;
  const extra = extraVariatesOf(JSON.parse(readFileSync(card, "utf8")) as { extraVariates?: unknown });
  if (!Array.isArray(extra)) return { code: extra.code, context: `model=${runner.version} ${extra.context}` };
  if (runner.width !== deps.width + extra.length) return { code: "MODEL_CONFIG_INVALID", context: `model=${runner.version} model_width=${runner.width} kernels_width=${deps.width} extra_variates=${extra.length}` };
  const mismatch = deps.layout === undefined ? "" : cardLayoutMismatch(card, deps.layout);
  if (mismatch !== "") return { code: "MODEL_LAYOUT_MISMATCH", context: `model=${runner.version} features=${mismatch}` };
  const engine = ModelEngine.create({
    ...deps,
    rows: runner.rows,
    extraVariates: extra,
    everyMs: cfg.everyMs,
    staleAfterUs: cfg.staleAfterUs,
    runSync: runner,
    active: () => loop.peekSourceTs() !== Infinity,
    service: { infer: async () => ({ code: "INFER_FAILED", context: "synchronous model" }) },
  });
  if ("code" in engine) return engine;
  // Starts with the market: the first period after the first event.
  let started = false;
  const first = () => {
    if (started) return;
    started = true;
    engine.start();
  };
  if (Number.isFinite(loop.peekSourceTs())) loop.schedule(loop.peekSourceTs(), first);
  return { engine, service: null, sidecar: null, stop: async () => engine.stop() };
}
