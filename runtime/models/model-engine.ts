/**
 * The model engine of a session: every `everyMs` of kernel time it copies the newest `rows` rows
 * of each instrument's feature context window into one preallocated batch, hands the batch to
 * the inference service (GPU sidecar or in-process onnxruntime) and, when the answer comes back
 * as an event, writes one signal per instrument into `signals`. It never blocks the loop: a
 * tick that finds the previous batch still in flight is skipped and counted. Its inputs are
 * plain functions (`now`, `schedule`, `context`, `alert`), so any session can wire it.
 *
 * @example
 * const engine = ModelEngine.create({ service, instruments: 28, rows: 16, width: kernels.layout.width,
 *   context: (i) => kernels.context(i), now: () => clock.now(), schedule: (at, fn) => timers.push(at, fn),
 *   everyMs: 100, alert });
 * if ("code" in engine) ...; engine.start();  // later: engine.signals[i], engine.status(), engine.stop()
 */
import type { InferAnswer, InferError } from "../../gpu-bridge/inference/index.ts";
import { extraVariates, extraVariatesOf, TIME_VARIATES } from "./time-variates.ts";

/** What the engine needs from an inference service. */
export interface SignalInference {
  infer(batch: Float32Array, count: number, rows: number, width: number, timeoutUs: number): Promise<InferAnswer | InferError>;
}

/** Options of a model engine. */
export interface ModelEngineOptions {
  readonly service: SignalInference;
  readonly instruments: number;
  /** Newest rows of the context window the model reads (the model card's `rows`). */
  readonly rows: number;
  /** Features per row of the kernels' context windows (the kernels' layout width). */
  readonly width: number;
  /**
   * Append the time-of-day variates (tod_sin, tod_cos of the gather's kernel time) to every row,
   * after the kernels' features: the model then reads rows of `width + 2` (its card's width).
   */
  readonly timeOfDay?: boolean;
  /**
   * The calendar variates to append after the kernels' features (one of EXTRA_VARIATE_SETS, e.g.
   * the card's `extraVariates`); overrides `timeOfDay`. The model reads rows of `width + extra`.
   */
  readonly extraVariates?: readonly string[];
  /** The instrument's context window: contextLength x width float32, oldest row first. */
  readonly context: (instrument: number) => Float32Array;
  /** Kernel time in integer microseconds. */
  readonly now: () => number;
  /** Runs `fn` once at kernel time `atUs` (e.g. the kernel's timer queue). */
  readonly schedule: (atUs: number, fn: () => void) => void;
  /** Period of a batch in kernel milliseconds. */
  readonly everyMs: number;
  /** Deadline of one batch in wall microseconds (default: the period). */
  readonly timeoutUs?: number;
  readonly alert?: (e: { code: string; context: string; severity?: "info" | "warning" | "critical" }) => void;
  /**
   * Kernel µs without a fresh answer after which the signals are stale: they become NaN, so
   * strategies fall back to their rules, and MODEL_STALE is raised; the next answer restores them
   * (MODEL_RESTORED). Default: never (a replay sped up 50x on a loaded machine would trip any fixed
   * figure); deployments set `models.staleAfterMs` (the shipped ones: 30 s, the model's horizon).
   */
  readonly staleAfterUs?: number;
  /**
   * A synchronous model (the TypeScript forward pass): when given, each tick's batch is computed at
   * once and its signals written before the tick returns (a backtest, which never yields, needs this).
   */
  /** Keeps scheduling periods while this is true (default: until stop()); a backtest stops with its market. */
  readonly active?: () => boolean;
  readonly runSync?: { readonly version: string; run(batch: Float32Array, count: number): void; readonly signal: Float32Array };
}

/** A snapshot of the engine's state. */
export interface ModelEngineStatus {
  /** Where the latest signals came from, or "none" before the first answer. */
  readonly source: "sidecar" | "in-process" | "none";
  readonly version: string;
  /** Wall latency of the latest batch, in µs. */
  readonly latencyUs: number;
  /** Kernel time at which the latest answered batch was gathered. */
  readonly ts: number;
  /** Kernel time since then, in µs (NaN before the first answer). */
  readonly ageUs: number;
  readonly batches: number;
  /** Ticks skipped because the previous batch was still in flight. */
  readonly skipped: number;
  readonly errors: number;
  readonly inFlight: boolean;
}

/** A bad model engine configuration. */
export interface ModelEngineConfigError {
  readonly code: "MODEL_CONFIG_INVALID";
  readonly context: string;
}

/** Periodic batched inference over the instruments' context windows. */
export class ModelEngine {
  /** The latest signal per instrument, in [-1, 1]; NaN before the first answer. */
  readonly signals: Float64Array;
  private readonly batch: Float32Array;
  /** Columns per row of the batch the model reads (the kernels' width, plus the time variates). */
  private readonly modelWidth: number;
  /** The calendar variates appended to every row, and their values at the current gather. */
  private readonly extra: readonly string[];
  private readonly extraValues: Float32Array;
  private readonly timeoutUs: number;
  private readonly alert: NonNullable<ModelEngineOptions["alert"]>;
  private readonly staleAfterUs: number;
  private startedTs = NaN;
  /** True while the signals are stale or missing after start (they read NaN; strategies use their rules). */
  fallback = false;
  private readonly tick = (): void => this.onTick();
  private readonly answer = (r: InferAnswer | InferError): void => this.onAnswer(r);
  private source: ModelEngineStatus["source"] = "none";
  private version = "";
  private latencyUs = NaN;
  private ts = NaN;
  private gatheredTs = NaN;
  private batches = 0;
  private skipped = 0;
  private errors = 0;
  private inFlight = false;
  private running = false;
  private lastError = "";

  private constructor(private readonly opts: ModelEngineOptions) {
    this.signals = new Float64Array(opts.instruments).fill(NaN);
    this.extra = opts.extraVariates ?? (opts.timeOfDay === true ? TIME_VARIATES : []);
    this.extraValues = new Float32Array(this.extra.length);
    this.modelWidth = opts.width + this.extra.length;
    this.batch = new Float32Array(opts.instruments * opts.rows * this.modelWidth);
    this.timeoutUs = opts.timeoutUs ?? opts.everyMs * 1000;
    this.alert = opts.alert ?? (() => {});
    this.staleAfterUs = opts.staleAfterUs ?? Infinity;
  }

  /** Validates the options once; returns the engine (not started) or an error value. */
  static create(opts: ModelEngineOptions): ModelEngine | ModelEngineConfigError {
    const bad = (why: string): ModelEngineConfigError => ({ code: "MODEL_CONFIG_INVALID", context: why });
    if (!Number.isInteger(opts.instruments) || opts.instruments < 1) return bad(`instruments=${opts.instruments}`);
    if (!Number.isInteger(opts.rows) || opts.rows < 1 || !Number.isInteger(opts.width) || opts.width < 1) return bad(`rows=${opts.rows} width=${opts.width}`);
    if (!(opts.everyMs > 0)) return bad(`everyMs=${opts.everyMs}`);
    if (opts.timeoutUs !== undefined && !(opts.timeoutUs > 0)) return bad(`timeoutUs=${opts.timeoutUs}`);
    if (opts.staleAfterUs !== undefined && !(opts.staleAfterUs > 0)) return bad(`staleAfterUs=${opts.staleAfterUs}`);
    if (opts.extraVariates !== undefined) {
      const ok = extraVariatesOf({ extraVariates: opts.extraVariates });
      if (!Array.isArray(ok)) return bad(ok.context);
    }
    for (let i = 0; i < opts.instruments; i++) {
      const c = opts.context(i);
      if (c.length % opts.width !== 0 || c.length < opts.rows * opts.width) {
        return bad(`instrument=${i} context_length=${c.length} width=${opts.width} rows=${opts.rows}`);
      }
    }
    return new ModelEngine(opts);
  }

  /** Schedules the first batch one period from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedTs = this.opts.now();
    this.opts.schedule(this.opts.now() + this.opts.everyMs * 1000, this.tick);
  }

  /** Stops scheduling batches; an answer still in flight is dropped. */
  stop(): void {
    this.running = false;
  }

  /** Returns the engine's state (allocates; for admin and tests, not the hot path). */
  status(): ModelEngineStatus {
    return {
      source: this.source,
      version: this.version,
      latencyUs: this.latencyUs,
      ts: this.ts,
      ageUs: this.opts.now() - this.ts,
      batches: this.batches,
      skipped: this.skipped,
      errors: this.errors,
      inFlight: this.inFlight,
    };
  }

  private onTick(): void {
    if (!this.running) return;
    const { now, schedule, everyMs } = this.opts;
    if (this.opts.active === undefined || this.opts.active()) schedule(now() + everyMs * 1000, this.tick);
    this.checkStale(now());
    if (this.inFlight) {
      this.skipped++;
      return;
    }
    this.gather();
    const sync = this.opts.runSync;
    if (sync !== undefined) {
      const t0 = Bun.nanoseconds();
      sync.run(this.batch, this.opts.instruments);
      const s = this.signals;
      for (let i = 0; i < s.length; i++) s[i] = sync.signal[i]!;
      this.source = "in-process";
      this.version = sync.version;
      this.latencyUs = (Bun.nanoseconds() - t0) / 1000;
      this.ts = now();
      this.batches++;
      this.restored();
      return;
    }
    this.inFlight = true;
    this.gatheredTs = now();
    this.opts.service.infer(this.batch, this.opts.instruments, this.opts.rows, this.modelWidth, this.timeoutUs).then(this.answer);
  }

  /** Marks the signals stale (NaN, one MODEL_STALE alert) when the last answer is too old. */
  private checkStale(now: number): void {
    if (this.fallback) return;
    const since = Number.isNaN(this.ts) ? this.startedTs : this.ts;
    if (now - since <= this.staleAfterUs) return;
    this.fallback = true;
    this.signals.fill(NaN);
    const why = Number.isNaN(this.ts) ? "no answer since start" : `last answer ts=${this.ts}`;
    this.alert({ code: "MODEL_STALE", severity: "critical", context: `version=${this.version || "none"} ${why} age_us=${now - since} stale_after_us=${this.staleAfterUs} errors=${this.errors} last_error=${this.lastError || "none"} (signals withheld: strategies fall back to their rules)` });
  }

  /** Copies the newest `rows` rows of each window into the batch (and the calendar variates), with no allocation. */
  private gather(): void {
    const { instruments, rows, width, context } = this.opts;
    const per = rows * width;
    const b = this.batch;
    if (this.modelWidth === width) {
      for (let i = 0; i < instruments; i++) {
        const c = context(i);
        const from = c.length - per;
        const to = i * per;
        for (let k = 0; k < per; k++) b[to + k] = c[from + k]!;
      }
      return;
    }
    const mw = this.modelWidth;
    const ev = this.extraValues;
    const ne = ev.length;
    extraVariates(this.extra, this.opts.now(), ev);
    for (let i = 0; i < instruments; i++) {
      const c = context(i);
      const from = c.length - per;
      for (let r = 0; r < rows; r++) {
        const src = from + r * width;
        const dst = (i * rows + r) * mw;
        for (let k = 0; k < width; k++) b[dst + k] = c[src + k]!;
        for (let k = 0; k < ne; k++) b[dst + width + k] = ev[k]!;
      }
    }
  }

  private onAnswer(r: InferAnswer | InferError): void {
    this.inFlight = false;
    if (!this.running) return;
    if ("code" in r) {
      this.errors++;
      if (this.lastError !== r.code) {
        this.lastError = r.code;
        this.alert({ code: "MODEL_BATCH_FAILED", context: `cause=${r.code} ${r.context}` });
      }
      return;
    }
    this.lastError = "";
    const s = this.signals;
    for (let i = 0; i < s.length; i++) s[i] = r.outputs[i]!;
    this.source = r.source;
    this.version = r.version;
    this.latencyUs = r.latencyUs;
    this.ts = this.gatheredTs;
    this.batches++;
    this.restored();
  }

  private restored(): void {
    if (!this.fallback) return;
    this.fallback = false;
    this.alert({ code: "MODEL_RESTORED", severity: "info", context: `version=${this.version} source=${this.source} latency_us=${this.latencyUs}` });
  }
}
