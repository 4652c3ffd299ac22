/**
 * Starts a session's models from its `models:` config section: reads the model card, checks it
 * against the kernels' layout, builds the inference service (a supervised PyTorch sidecar with
 * onnxruntime-node behind it, or onnxruntime-node alone) and a started ModelEngine over it.
 *
 * @example
 * const m = await startModels({ mode: "sidecar", everyMs: 100 }, { instruments: 28, width: kernels.layout.width,
 *   context: (i) => kernels.context(i), now, schedule: (at, fn) => timers.push(at, fn), alert });
 * if ("code" in m) ...; // m.engine.signals[i]; on shutdown: await m.stop()
 */
import { DEFAULT_MODEL_CARD, InferenceService, OnnxSignalModel, readModelCard, startInferenceSidecar } from "../../gpu-bridge/inference/index.ts";
import type { SidecarSupervisor } from "../../gpu-bridge/shm/supervisor.ts";
import { readFileSync } from "node:fs";
import type { FeatureLayout } from "../../kernels-wasm/index.ts";
import { ModelEngine, type ModelEngineOptions } from "./model-engine.ts";
import { extraVariatesOf } from "./time-variates.ts";

/** The `models:` section of a deployment. */
export interface ModelsConfig {
  /** "sidecar": PyTorch sidecar first, in-process fallback; "in-process": onnxruntime-node only. */
  readonly mode: "sidecar" | "in-process";
  /** Period of a batch in kernel milliseconds. */
  readonly everyMs: number;
  /** Deadline of one batch in wall µs (default: the period). */
  readonly timeoutUs?: number;
  readonly device?: "cuda" | "cpu";
  /** Model card path (default models/signal-mlp.json). */
  readonly card?: string;
  /** Sidecar segment file (default /dev/shm/kestrel-infer-<pid>). */
  readonly segmentPath?: string;
  /** Kernel µs without a fresh answer after which signals are withheld (see ModelEngineOptions). */
  readonly staleAfterUs?: number;
  /** Leave the engine unstarted (the caller starts it, e.g. at the market's first event). */
  readonly deferStart?: boolean;
}

/** What the session hands the models (with the kernels' layout, a card that states its layout is checked against it). */
export type ModelsDeps = Pick<ModelEngineOptions, "instruments" | "width" | "context" | "now" | "schedule" | "alert"> & { readonly layout?: FeatureLayout };

/** Names of the features whose slot differs between a card's stated layout and the kernels' ("" when they agree or the card states none). */
export function cardLayoutMismatch(cardPath: string, layout: FeatureLayout): string {
  let stated: Record<string, number> | undefined;
  let extra: string[] = [];
  try {
    const raw = JSON.parse(readFileSync(cardPath, "utf8"));
    stated = raw.layout?.index ?? raw.layout;
    extra = Array.isArray(raw.extraVariates) ? raw.extraVariates.map(String) : [];
  } catch {
    return "";
  }
  if (stated === undefined || typeof stated !== "object") return "";
  const bad = Object.entries(layout.index).filter(([n, slot]) => stated![n] !== slot).map(([n]) => n);
  // Extra variates (calendar) sit after the kernels' features, in the card's order, where the model engine writes them.
  for (const n of Object.keys(stated)) if (!(n in layout.index) && !(extra.includes(n) && stated[n] === layout.width + extra.indexOf(n))) bad.push(n);
  return bad.join(",");
}

/** Running models: the engine and how to stop it and its sidecar. */
export interface RunningModels {
  readonly engine: ModelEngine;
  /** The asynchronous inference service (null for a synchronous backtest model). */
  readonly service: InferenceService | null;
  /** The supervised sidecar in mode "sidecar" (pid, client health), else null. */
  readonly sidecar: SidecarSupervisor | null;
  stop(): Promise<void>;
}

/** Starts the models; returns an error value for a bad config or a model that cannot be loaded. */
export async function startModels(cfg: ModelsConfig, deps: ModelsDeps): Promise<RunningModels | { code: string; context: string }> {
  const card = readModelCard(cfg.card ?? DEFAULT_MODEL_CARD);
  if ("code" in card) return card;
  const extra = extraVariatesOf(card);
  if (!Array.isArray(extra)) return { code: extra.code, context: `model=${card.version} ${extra.context}` };
  if (card.width !== deps.width + extra.length) {
    return { code: "MODEL_CONFIG_INVALID", context: `model=${card.version} model_width=${card.width} kernels_width=${deps.width} extra_variates=${extra.length}` };
  }
  const mismatch = deps.layout === undefined ? "" : cardLayoutMismatch(cfg.card ?? DEFAULT_MODEL_CARD, deps.layout);
  if (mismatch !== "") return { code: "MODEL_LAYOUT_MISMATCH", context: `model=${card.version} features=${mismatch}` };
  let service: InferenceService;
  let stopService: () => Promise<void>;
  let sidecar: SidecarSupervisor | null = null;
  if (cfg.mode === "sidecar") {
    const side = await startInferenceSidecar({ path: cfg.segmentPath, cardPath: cfg.card, device: cfg.device, onAlert: deps.alert });
    if ("code" in side) return side;
    service = side.service;
    stopService = side.stop;
    sidecar = side.supervisor;
  } else {
    const model = await OnnxSignalModel.load(card);
    if ("code" in model) return model;
    service = new InferenceService({ client: null, model, onAlert: deps.alert });
    stopService = () => model.close();
  }
  const engine = ModelEngine.create({ ...deps, service, rows: card.rows, extraVariates: extra, everyMs: cfg.everyMs, timeoutUs: cfg.timeoutUs, staleAfterUs: cfg.staleAfterUs });
  if ("code" in engine) {
    await stopService();
    return engine;
  }
  if (cfg.deferStart !== true) engine.start();
  return {
    engine,
    service,
    sidecar,
    stop: async () => {
      engine.stop();
      await stopService();
    },
  };
}
