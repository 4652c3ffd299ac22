/**
 * The portfolio VaR monitor of a session: every `everySeconds` of kernel time it asks for the
 * portfolio's VaR (on the GPU sidecar through `VarService`, or in-process), applies the
 * answer when it arrives without ever waiting for it, and acts as a pre-trade rule: while the last
 * VaR is above `maxVar` (alert VAR_LIMIT, critical), orders that would increase an instrument's
 * absolute exposure are refused until a later VaR comes back under the limit.
 *
 * In `sidecar` mode at most one computation is in flight; a tick that finds one still running is
 * skipped (counted). In `in-process` mode the computation runs on the loop, synchronously, so a
 * backtest stays deterministic.
 *
 * The method is Monte Carlo from the feature engine's covariance, or, when the monitor is given a
 * return history from the tick store, the historical bootstrap (`var.bootstrap` on the sidecar,
 * `bootstrapVar` in-process) over today's exposures; both feed the same limit and alerts.
 */
import type { RiskCheck, RiskVerdict } from "../../plugins/sdk/risk.ts";
import type { VarService, VarAnswer } from "../../gpu-bridge/var/service.ts";
import { monteCarloVar, type VarRequestError } from "../../gpu-bridge/var/monte-carlo.ts";
import { bootstrapVar, type BootstrapRequest, type BootstrapRequestError } from "../../gpu-bridge/var/bootstrap.ts";
import type { CovarianceError } from "../../gpu-bridge/var/cholesky.ts";
import type { RiskRule } from "../risk/engine.ts";
import type { SidecarContext, SidecarsConfig } from "./types.ts";
import { accountExposures, portfolioVarRequest } from "./var-request.ts";
import type { ReturnHistory } from "./bootstrap-history.ts";

/** Where the bootstrap's return history comes from: a store file, the step length and the most recent steps kept. */
export interface VarHistoryConfig {
  store: string;
  stepSeconds: number;
  maxSteps?: number;
}

/** The gpu section of a deployment's sidecars, with the VaR method and the bootstrap's history. */
export type VarConfig = NonNullable<SidecarsConfig["gpu"]> & { method?: VarMethod; history?: VarHistoryConfig };

/** How the VaR is computed. */
export type VarMethod = "monte-carlo" | "bootstrap";

/** Where the last VaR came from. */
export type VarSource = "sidecar" | "in-process" | "none";

/** The VaR monitor and limit rule. */
export class VarMonitor implements RiskRule {
  readonly name = "var-limit";
  /** Last VaR and expected shortfall, account currency (NaN before the first). */
  lastVar = Number.NaN;
  lastEs = Number.NaN;
  lastSource: VarSource = "none";
  lastDevice = "";
  /** Kernel time the last VaR was requested at (µs). */
  lastAsOf = 0;
  /** Whether the last VaR is above the limit. */
  breached = false;
  /** Computations by source, ticks skipped because one was in flight, and errors. */
  readonly computed = { sidecar: 0, "in-process": 0 };
  skipped = 0;
  errors = 0;
  /** Orders refused by the limit. */
  refused = 0;
  /** Wall time from request to answer of the last computation, ms. */
  lastLatencyMs = 0;
  private inFlight = false;
  private stopped = false;
  private armed = false;
  private quotes = 0;
  /** The method in use: bootstrap when a return history was given, else Monte Carlo. */
  readonly method: VarMethod;

  constructor(
    private readonly ctx: SidecarContext,
    readonly config: VarConfig,
    private readonly service: VarService | null,
    /** Return history for the bootstrap, instruments in id order; null for Monte Carlo. */
    readonly history: ReturnHistory | null = null,
  ) {
    this.method = history === null ? "monte-carlo" : "bootstrap";
  }

  /**
   * Counts a quote and arms the next tick when none is pending. Ticks stop re-arming when no quote
   * arrived in a whole period, so a backtest's loop can run dry.
   */
  onQuote(): void {
    this.quotes++;
    if (!this.armed) this.arm();
  }

  /** Stops scheduling; an answer still in flight is ignored. */
  stop(): void {
    this.stopped = true;
  }

  /** Whether a sidecar computation is in flight. */
  pending(): boolean {
    return this.inFlight;
  }

  /** Refuses orders that increase absolute exposure while the VaR is over its limit. */
  check(c: RiskCheck): RiskVerdict | null {
    if (!this.breached) return null;
    const { intent, position } = c;
    const working = Math.abs(c.workingSameSide);
    const projected = position + intent.side * (intent.size + working);
    if (Math.abs(projected) <= Math.abs(position)) return null;
    this.refused++;
    return {
      code: "VAR_LIMIT",
      reason: `var=${this.lastVar.toFixed(2)} max=${this.config.maxVar} source=${this.lastSource} method=${this.method} instrument=${c.instrument.symbol} position=${position} side=${intent.side} size=${intent.size} working=${working}`,
    };
  }

  /** Runs one computation now (the scheduled tick). */
  tick(): void {
    this.armed = false;
    if (this.stopped) return;
    if (this.quotes > 0) this.arm();
    this.quotes = 0;
    if (this.inFlight) {
      this.skipped++;
      return;
    }
    if (this.history !== null) {
      this.tickBootstrap(this.history);
      return;
    }
    const req = portfolioVarRequest(this.ctx, this.config);
    if (req === null) return;
    const asOf = this.ctx.now();
    if (this.service === null) {
      const t0 = performance.now();
      const r = monteCarloVar(req);
      this.lastLatencyMs = performance.now() - t0;
      this.apply("code" in r ? r : { result: r, source: "in-process" }, asOf);
      return;
    }
    this.inFlight = true;
    const t0 = performance.now();
    void this.service.compute(req).then((a) => {
      this.inFlight = false;
      this.lastLatencyMs = performance.now() - t0;
      if (!this.stopped) this.apply(a, asOf);
    });
  }

  /** One bootstrap computation over today's exposures: on the sidecar when there is one, else in-process. */
  private tickBootstrap(h: ReturnHistory): void {
    const req: BootstrapRequest = {
      exposures: accountExposures(this.ctx),
      history: h.history,
      stepSeconds: h.stepSeconds,
      horizonSeconds: this.config.horizonSeconds,
      confidence: this.config.confidence,
      paths: this.config.paths,
    };
    const asOf = this.ctx.now();
    const t0 = performance.now();
    if (this.service === null) {
      const r = bootstrapVar(req);
      this.lastLatencyMs = performance.now() - t0;
      this.apply("code" in r ? r : { result: r, source: "in-process" }, asOf);
      return;
    }
    this.inFlight = true;
    void this.service.computeBootstrap(req).then((a) => {
      this.inFlight = false;
      this.lastLatencyMs = performance.now() - t0;
      if (!this.stopped) this.apply(a, asOf);
    });
  }

  private apply(a: VarAnswer | VarRequestError | CovarianceError | BootstrapRequestError, asOf: number): void {
    if ("code" in a) {
      this.errors++;
      this.ctx.alert("VAR_ERROR", "warning", "gpu", `${a.code}: ${a.context}`);
      return;
    }
    this.lastVar = a.result.var;
    this.lastEs = a.result.es;
    this.lastSource = a.source;
    this.lastDevice = a.device ?? "";
    this.lastAsOf = asOf;
    this.computed[a.source]++;
    const over = a.result.var > this.config.maxVar;
    if (over && !this.breached) {
      this.ctx.alert("VAR_LIMIT", "critical", "portfolio", `var=${a.result.var.toFixed(2)} max=${this.config.maxVar} source=${a.source} method=${this.method} confidence=${this.config.confidence} horizon_s=${this.config.horizonSeconds}`);
    } else if (!over && this.breached) {
      this.ctx.alert("VAR_LIMIT_CLEARED", "info", "portfolio", `var=${a.result.var.toFixed(2)} max=${this.config.maxVar} source=${a.source}`);
    }
    this.breached = over;
  }

  private arm(): void {
    if (this.stopped) return;
    this.armed = true;
    this.ctx.schedule(this.ctx.now() + this.periodUs(), () => this.tick());
  }

  private periodUs(): number {
    return Math.max(1, Math.round(this.config.everySeconds * 1_000_000));
  }
}
