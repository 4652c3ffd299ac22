/**
 * Builds a session's ModelSet from its `models:` section: the live model (a registered model or a
 * card) and, when `models.shadow` names one, the shadow beside it (in a backtest both run
 * synchronously in TypeScript; in a paper or live session each on its own inference service, a
 * shadow sidecar on a segment of its own). A promotion journaled before a restart is honoured when
 * it swapped this deployment's two models; otherwise it is reported and the deployment's order used.
 */
import { DEFAULT_MODEL_CARD } from "../../gpu-bridge/inference/index.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import type { EventLoop } from "../kernel/event-loop.ts";
import { ModelSet, type ModelSlot } from "./model-set.ts";
import { startModels, type ModelsDeps, type RunningModels } from "./start-models.ts";

type ModelsSection = NonNullable<DeploymentConfig["models"]>;
type Severity = "info" | "warning" | "critical";

/** What the session gives its models beyond the engine's needs. */
export interface SessionModelsDeps extends Omit<ModelsDeps, "alert"> {
  readonly mode: DeploymentConfig["mode"];
  readonly loop: EventLoop;
  /** Raises a session alert. */
  readonly raise: (code: string, severity: Severity, subject: string, context: string) => void;
  /** Twice the mid of an instrument in ticks, 0 when its book is not valid. */
  readonly mid2: (instrument: number) => number;
  /** The journal file ("" for none): the shadow log goes beside it by default. */
  readonly journalPath: string;
  /** Live and shadow references after a promotion restored from the journal, or null. */
  readonly promoted: { live: string; shadow: string } | null;
}

/** A model reference as journaled: `name@version` resolved from the registry, or the card path. */
async function canonical(model: string | undefined, card: string | undefined): Promise<{ ref: string; card: string }> {
  if (model === undefined) {
    const path = card ?? DEFAULT_MODEL_CARD;
    return { ref: path, card: path };
  }
  const { resolveModel } = await import("../learning/registry.ts");
  const m = resolveModel(model);
  return { ref: `${m.name}@${m.version}`, card: m.path };
}

/** Starts the models of a session; returns the set, null (a backtest model that cannot run synchronously), or an error value. */
export async function startSessionModels(cfg: ModelsSection, deps: SessionModelsDeps): Promise<ModelSet | null | { code: string; context: string }> {
  let first: { ref: string; card: string; mode: "sidecar" | "in-process" };
  let second: { ref: string; card: string; mode: "sidecar" | "in-process" } | null = null;
  try {
    first = { ...(await canonical(cfg.model, cfg.card)), mode: cfg.mode };
    if (cfg.shadow !== undefined) second = { ...(await canonical(cfg.shadow.model, undefined)), mode: cfg.shadow.mode ?? cfg.mode };
  } catch (err) {
    return { code: "MODEL_NOT_FOUND", context: (err as Error).message };
  }
  if (second !== null && second.ref === first.ref) return { code: "MODEL_CONFIG_INVALID", context: `models.shadow.model=${second.ref} is the live model` };
  // Who is live: the deployment's order, unless the journal says an operator swapped these two.
  const p = deps.promoted;
  if (p !== null && second !== null && p.live === second.ref && p.shadow === first.ref) [first, second] = [second, first];
  else if (p !== null && !(second !== null && p.live === first.ref && p.shadow === second.ref)) {
    deps.raise("MODEL_PROMOTION_IGNORED", "warning", "models", `journal live=${p.live} shadow=${p.shadow}; deployment live=${first.ref} shadow=${second?.ref ?? "none"} (the deployment's models changed: started as configured)`);
  }
  const set: { current: ModelSet | null } = { current: null };
  const start = async (m: { ref: string; card: string; mode: "sidecar" | "in-process" }, role: "live" | "shadow"): Promise<RunningModels | null | { code: string; context: string }> => {
    // Alerts name the model and its role at the time they are raised (promotion swaps roles).
    const subject = () => (set.current === null ? (role === "live" ? "models" : "models:shadow") : set.current.live.ref === m.ref ? "models" : "models:shadow");
    const alert = (e: { code: string; context: string; severity?: Severity }) => deps.raise(e.code, e.severity ?? "warning", subject(), `model=${m.ref} ${e.context}`);
    const engineDeps: ModelsDeps = { instruments: deps.instruments, width: deps.width, layout: deps.layout, context: deps.context, now: deps.now, schedule: deps.schedule, alert };
    const staleAfterUs = cfg.staleAfterMs === undefined ? undefined : cfg.staleAfterMs * 1000;
    if (deps.mode === "backtest") {
      const { backtestModels } = await import("./backtest-models.ts");
      return backtestModels({ mode: m.mode, everyMs: cfg.everyMs, staleAfterUs, card: m.card, ...(cfg.model !== undefined || role === "shadow" ? { model: m.card } : {}) }, engineDeps, deps.loop);
    }
    const segmentPath = role === "shadow" ? `/dev/shm/kestrel-infer-${process.pid}-shadow` : undefined;
    return startModels({ mode: m.mode, everyMs: cfg.everyMs, timeoutUs: cfg.timeoutUs, device: cfg.device, card: m.card, segmentPath, staleAfterUs, deferStart: true }, engineDeps);
  };
  const live = await start(first, "live");
  if (live === null || "code" in live) return live;
  let shadow: ModelSlot | null = null;
  if (second !== null) {
    const s = await start(second, "shadow");
    if (s === null || "code" in s) {
      await live.stop();
      return s ?? { code: "MODEL_BACKTEST_UNSUPPORTED", context: `shadow=${second.ref}` };
    }
    shadow = { ref: second.ref, models: s };
  }
  const everyUs = cfg.everyMs * 1000;
  const logPath = cfg.shadow?.log ?? (deps.journalPath === "" ? undefined : `${deps.journalPath}.shadow.jsonl`);
  set.current = new ModelSet({ ref: first.ref, models: live }, shadow, {
    mid2: deps.mid2,
    everyUs,
    horizonUs: (cfg.shadow?.horizonMs ?? 30_000) * 1000,
    threshold: cfg.shadow?.threshold ?? 0,
    logPath: shadow === null ? undefined : logPath,
    logEveryUs: (cfg.shadow?.logEveryMs ?? 1000) * 1000,
    onLogError: (context) => deps.raise("MODEL_SHADOW_LOG_FAILED", "warning", "models:shadow", context),
    active: deps.mode === "backtest" ? () => deps.loop.peekSourceTs() !== Infinity : undefined,
  });
  return set.current;
}
