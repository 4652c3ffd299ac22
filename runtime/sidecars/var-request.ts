/**
 * Builds the Monte Carlo VaR request of a session's portfolio: exposures in account currency (the
 * deployment's position times the mid, converted) and the covariance of one-second log returns
 * from the feature engine's correlation and volatility. Missing or unusable estimates are made
 * safe rather than refused: a volatility that is not yet known counts as a small floor, a missing
 * correlation as zero, and a correlation estimate that is not positive definite (rolling estimates
 * of triangular FX crosses often are not) is shrunk towards the identity, in steps, until its
 * Cholesky factor exists; the weight used is reported.
 */
import { cholesky } from "../../gpu-bridge/var/cholesky.ts";
import type { VarRequest } from "../../gpu-bridge/var/monte-carlo.ts";
import type { SidecarContext } from "./types.ts";

/** Volatility per √s used for an instrument whose estimate is not known yet. */
const VOL_FLOOR = 1e-9;
/** Weights of the identity tried, in order, until the shrunk correlation is positive definite. */
const SHRINK_STEPS = [0.01, 0.05, 0.2, 0.5, 1];

/** VaR settings of the `sidecars.gpu` section. */
export interface VarSettings {
  readonly confidence: number;
  readonly horizonSeconds: number;
  readonly paths: number;
  readonly engine?: "ts" | "wasm";
  readonly sampler?: "per-instrument" | "exact-linear";
}

/** Returns the portfolio's exposures in account currency (0 where no touch or no rate yet). */
export function accountExposures(ctx: SidecarContext, out = new Float64Array(ctx.instruments.length)): Float64Array {
  for (const inst of ctx.instruments) {
    const i = inst.id;
    const pos = ctx.position(i);
    const t = ctx.touch(i);
    if (pos === 0 || t.bid <= 0 || t.ask <= 0) {
      out[i] = 0;
      continue;
    }
    const money = (pos * (t.bid + t.ask)) / 2;
    out[i] = ctx.toAccount(i, money) ?? 0;
  }
  return out;
}

/** Returns the covariance of one-second returns (n×n row-major) and the shrink weight used, or null when the feature engine has none. */
export function returnCovariance(ctx: SidecarContext): { cov: Float64Array; shrink: number } | null {
  const c = ctx.covariance();
  if (c === null) return null;
  const n = ctx.instruments.length;
  const vol = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = c.volPerSqrtSecond[i]!;
    vol[i] = Number.isFinite(v) && v > VOL_FLOOR ? v : VOL_FLOOR;
  }
  const rho = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let r = i === j ? 1 : 0.5 * ((c.correlation[i * n + j] ?? 0) + (c.correlation[j * n + i] ?? 0));
      if (!Number.isFinite(r)) r = 0;
      rho[i * n + j] = Math.max(-1, Math.min(1, r));
    }
  }
  const corr = new Float64Array(n * n);
  for (const shrink of SHRINK_STEPS) {
    for (let k = 0; k < n * n; k++) corr[k] = (1 - shrink) * rho[k]!;
    for (let i = 0; i < n; i++) corr[i * n + i] = 1;
    if ("code" in cholesky(corr, n)) continue;
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov[i * n + j] = corr[i * n + j]! * vol[i]! * vol[j]!;
    return { cov, shrink };
  }
  return null; // unreachable: the identity is positive definite
}

/** Returns the session's VaR request, or null when the covariance is not available yet. */
export function portfolioVarRequest(ctx: SidecarContext, s: VarSettings): VarRequest | null {
  const c = returnCovariance(ctx);
  if (c === null) return null;
  return {
    exposures: accountExposures(ctx),
    cov: c.cov,
    covHorizonSeconds: 1,
    horizonSeconds: s.horizonSeconds,
    confidence: s.confidence,
    paths: s.paths,
    dist: "normal",
    ...(s.engine !== undefined ? { engine: s.engine } : {}),
    ...(s.sampler !== undefined ? { sampler: s.sampler } : {}),
  };
}
