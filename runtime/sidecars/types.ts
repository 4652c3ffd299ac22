/**
 * The contract between a session and its accelerator sidecars (FPGA risk gate, GPU VaR): what the
 * session hands them and what they give back. The sidecars never block the loop: every call has a
 * deadline and a software fallback, and every fallback raises an alert.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import type { RiskRule } from "../risk/engine.ts";
import type { InstrumentLimits, RiskLimitsConfig } from "../risk/limits.ts";
import type { AlertSeverity } from "../kernel/alerts.ts";

/** The `sidecars:` section of a deployment. */
export interface SidecarsConfig {
  fpga?: { mode: "sidecar" | "software"; timeoutUs: number };
  gpu?: {
    mode: "sidecar" | "in-process";
    everySeconds: number;
    confidence: number;
    horizonSeconds: number;
    paths: number;
    /** In-process Monte Carlo engine (the sidecar runs its own). */
    engine?: "ts" | "wasm";
    /** One normal per instrument and path, or one per path (exact for a linear book). */
    sampler?: "per-instrument" | "exact-linear";
    maxVar: number;
    /** Monte Carlo from the covariance, or historical bootstrap of returns from a tick store. */
    method?: "monte-carlo" | "bootstrap";
    history?: { store: string; stepSeconds: number; maxSteps?: number };
  };
}

/** What the session offers its sidecars. */
export interface SidecarContext {
  readonly instruments: readonly Instrument[];
  readonly limits: readonly InstrumentLimits[];
  readonly limitsConfig: RiskLimitsConfig;
  readonly accountCurrency: string;
  /** Kernel time, microseconds. */
  now(): number;
  /** Runs `fn` at kernel time `ts` (on the loop). */
  schedule(ts: number, fn: () => void): void;
  /** Raises an operator alert. */
  alert(code: string, severity: AlertSeverity, subject: string, message: string): void;
  /** Deployment-wide signed position of an instrument, in size units. */
  position(instrument: number): number;
  /** Current best bid and ask of an instrument in ticks (0 when none yet). */
  touch(instrument: number): { bid: number; ask: number };
  /** Money of an instrument converted to account currency (null when no rate yet). */
  toAccount(instrument: number, money: number): number | null;
  /** Current correlation matrix (instruments x instruments, row-major) and per-instrument volatility of log returns per second, when the feature engine has them. */
  covariance(): { correlation: Float64Array; volPerSqrtSecond: Float64Array } | null;
  /** Whether the kill switch is engaged (the gate's kill register follows it). */
  killEngaged(): boolean;
}

/** What the sidecars give back to the session. */
export interface SidecarsHandle {
  /** A pre-trade rule (the FPGA gate, and the VaR limit) to append to the risk chain; null when none. */
  readonly riskRule: RiskRule | null;
  /** Called for every fill (positions the gate tracks, VaR inputs). */
  onFill(fill: Fill): void;
  /** Called for every applied quote (reference prices), cheap and synchronous. */
  onQuote(instrument: number, bid: number, ask: number): void;
  /** Called when the kill switch changes. */
  onKill(engaged: boolean): void;
  /** Latest figures for reports and the admin plane. */
  status(): Record<string, unknown>;
  /** Stops the sidecar processes. */
  stop(): Promise<void>;
}
