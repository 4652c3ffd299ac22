/**
 * A session's models: the live model, whose signals strategies trade, and optionally a shadow
 * (a candidate version) that runs beside it on the same windows, its signals recorded and scored
 * online against the live model's but never traded. Promotion, an operator action, swaps the two
 * between two events: the shadow becomes live and the old live model stays as the shadow (so a
 * promotion can be undone the same way). The set itself stands in for the live `RunningModels`
 * (`engine`, `service`, `sidecar` are the live model's).
 *
 * @example
 * const set = new ModelSet({ ref: "vol-window@1", models: live }, { ref: "vol-window@2", models: cand }, { mid2, everyUs });
 * set.start(schedule, now);                  // both engines, scoring and the shadow log
 * set.promote("alice", "vol-window@2");      // { from, to } or an error value; the caller journals it
 */
import type { ModelEngine, ModelEngineStatus } from "./model-engine.ts";
import type { RunningModels } from "./start-models.ts";
import { ShadowScorer, type ShadowComparison } from "./shadow/scorer.ts";
import { ShadowLog } from "./shadow/shadow-log.ts";

/** One model of the set and the reference it was started from (`name@version` or a card path). */
export interface ModelSlot {
  readonly ref: string;
  readonly models: RunningModels;
}

/** Options of the shadow comparison. */
export interface ShadowOptions {
  /** Twice the mid of an instrument in price ticks, 0 when its book is not valid. */
  readonly mid2: (instrument: number) => number;
  /** Sampling period, kernel µs (the models' period). */
  readonly everyUs: number;
  readonly horizonUs?: number;
  readonly threshold?: number;
  /** JSON-lines file for the shadow's predictions (none when absent). */
  readonly logPath?: string;
  /** Kernel µs between two lines of the log (default: every period). */
  readonly logEveryUs?: number;
  readonly onLogError?: (context: string) => void;
  /** Keeps sampling while this is true (a backtest stops with its market). */
  readonly active?: () => boolean;
}

/** A promotion as it happened. */
export interface Promotion {
  readonly ts: number;
  readonly from: string;
  readonly to: string;
  readonly by: string;
}

/** A model's state as the admin API shows it. */
export interface ModelView extends ModelEngineStatus {
  readonly ref: string;
  readonly role: "live" | "shadow";
  /** True while its signals are missing or stale (strategies fall back to their rules). */
  readonly fallback: boolean;
}

/** The live model, its shadow, their online comparison and the promotions so far. */
export class ModelSet implements RunningModels {
  private liveIsA = true;
  readonly scorer: ShadowScorer | null;
  readonly promotions: Promotion[] = [];
  private log: ShadowLog | null = null;
  private running = false;
  private schedule: ((atUs: number, fn: () => void) => void) | null = null;
  private now: (() => number) | null = null;
  private readonly tick = (): void => this.onTick();
  private nextLogTs = 0;

  constructor(
    private readonly a: ModelSlot,
    private readonly b: ModelSlot | null,
    private readonly shadowOpts?: ShadowOptions,
  ) {
    this.scorer = b !== null && shadowOpts !== undefined ? new ShadowScorer({ instruments: a.models.engine.signals.length, everyUs: shadowOpts.everyUs, horizonUs: shadowOpts.horizonUs, threshold: shadowOpts.threshold, mid2: shadowOpts.mid2 }) : null;
  }

  /** The live model. */
  get live(): ModelSlot {
    return this.liveIsA || this.b === null ? this.a : this.b;
  }

  /** The shadow model, or null when the deployment runs none. */
  get shadow(): ModelSlot | null {
    return this.b === null ? null : this.liveIsA ? this.b : this.a;
  }

  /** The live model's engine (its signals are the ones strategies read). */
  get engine(): ModelEngine {
    return this.live.models.engine;
  }

  get service(): RunningModels["service"] {
    return this.live.models.service;
  }

  get sidecar(): RunningModels["sidecar"] {
    return this.live.models.sidecar;
  }

  /** The shadow log's path, or null when predictions are not written to a file. */
  get logPath(): string | null {
    return this.log?.path ?? null;
  }

  /**
   * Starts both models' engines (idempotent) and, with a shadow, the sampling one period from now
   * and the shadow log. Call it at the market's first event: kernel time before it means nothing.
   */
  start(schedule: (atUs: number, fn: () => void) => void, now: () => number): void {
    this.a.models.engine.start();
    this.b?.models.engine.start();
    if (this.running || this.scorer === null) return;
    this.running = true;
    this.schedule = schedule;
    this.now = now;
    if (this.shadowOpts?.logPath !== undefined) this.log = new ShadowLog(this.shadowOpts.logPath, 1000, this.shadowOpts.onLogError);
    schedule(now() + this.shadowOpts!.everyUs, this.tick);
  }

  private onTick(): void {
    if (!this.running) return;
    const now = this.now!();
    const o = this.shadowOpts!;
    if (o.active === undefined || o.active()) this.schedule!(now + o.everyUs, this.tick);
    const a = this.a.models.engine.signals;
    const b = this.b!.models.engine.signals;
    this.scorer!.tick(now, a, b);
    const live = this.live;
    const shadow = this.shadow!;
    if (this.log !== null && now >= this.nextLogTs) {
      this.nextLogTs = now + (o.logEveryUs ?? o.everyUs);
      this.log.record(now, live.ref, shadow.ref, live.models.engine.signals, shadow.models.engine.signals, o.mid2);
    }
  }

  /**
   * Makes the shadow live and the live model the shadow. `expect`, when given, must name the shadow
   * (so an operator promotes what they looked at). Returns the swap or an error value; the caller
   * journals and announces it.
   */
  promote(ts: number, by: string, expect?: string): Promotion | { code: "MODEL_NO_SHADOW" | "MODEL_PROMOTE_MISMATCH"; context: string } {
    const shadow = this.shadow;
    if (shadow === null) return { code: "MODEL_NO_SHADOW", context: `live=${this.live.ref} (the deployment runs no shadow model)` };
    if (expect !== undefined && expect !== shadow.ref) return { code: "MODEL_PROMOTE_MISMATCH", context: `expected=${expect} shadow=${shadow.ref}` };
    const p: Promotion = { ts, from: this.live.ref, to: shadow.ref, by };
    this.liveIsA = !this.liveIsA;
    this.promotions.push(p);
    return p;
  }

  /** The state of one model (allocates; for the admin API). */
  view(slot: ModelSlot, role: ModelView["role"]): ModelView {
    const st = slot.models.engine.status();
    return { ...st, ref: slot.ref, role, fallback: slot.models.engine.fallback };
  }

  /** Live, shadow, comparison and promotions (allocates; for the admin API). */
  status(): { live: ModelView; shadow: ModelView | null; comparison: ShadowComparison | null; log: string | null; promotions: Promotion[] } {
    const shadow = this.shadow;
    return {
      live: this.view(this.live, "live"),
      shadow: shadow === null ? null : this.view(shadow, "shadow"),
      comparison: this.scorer === null ? null : this.scorer.comparison(this.a.ref, this.b!.ref),
      log: this.logPath,
      promotions: [...this.promotions],
    };
  }

  /** Stops both models, the sampling and the log. */
  async stop(): Promise<void> {
    this.running = false;
    await this.log?.close();
    await this.a.models.stop();
    await this.b?.models.stop();
  }
}
