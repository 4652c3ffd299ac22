/**
 * Historical bootstrap VaR and expected shortfall: each path sums `horizon / step` returns
 * drawn with replacement from a history of per-step instrument returns (from the tick store),
 * valued against today's exposures. Since the book is linear, each historical step is first
 * reduced to its portfolio P&L, w·r_t, and paths sum draws of those. Tail definitions are the
 * Monte Carlo engine's (k-th largest loss, mean of the k largest), shared with the sidecar's
 * `var.bootstrap` method.
 */
import { selectLargest, tailCount, type VarResult } from "./monte-carlo.ts";
import { Variates } from "./random.ts";

/** A bootstrap VaR request. */
export interface BootstrapRequest {
  /** Money exposure per instrument, n values. */
  readonly exposures: Float64Array;
  /** Per-step returns, T×n row-major, oldest first. */
  readonly history: Float64Array;
  /** Length of one history step, in seconds. */
  readonly stepSeconds: number;
  /** Horizon, 1 second to 1 day; rounded to a whole number of steps (at least one). */
  readonly horizonSeconds: number;
  readonly confidence: number;
  readonly paths: number;
  readonly seed?: number;
}

/** Why a bootstrap request was refused. */
export interface BootstrapRequestError {
  readonly code: "VAR_REQUEST_INVALID";
  readonly context: string;
}

/** Largest number of draws (paths × steps) one request may ask for. */
export const MAX_BOOTSTRAP_DRAWS = 2e9;

/** Returns the steps per path, or an error value for an invalid request. */
export function bootstrapSteps(r: BootstrapRequest): number | BootstrapRequestError {
  const n = r.exposures.length;
  if (n < 1 || r.history.length < n || r.history.length % n !== 0) return { code: "VAR_REQUEST_INVALID", context: `instruments=${n} history=${r.history.length}` };
  if (!(r.horizonSeconds >= 1 && r.horizonSeconds <= 86_400)) return { code: "VAR_REQUEST_INVALID", context: `horizon_s=${r.horizonSeconds} expected=1..86400` };
  if (!(r.stepSeconds > 0)) return { code: "VAR_REQUEST_INVALID", context: `step_s=${r.stepSeconds}` };
  if (!(r.confidence > 0.5 && r.confidence < 1)) return { code: "VAR_REQUEST_INVALID", context: `confidence=${r.confidence}` };
  if (!Number.isInteger(r.paths) || r.paths < 100) return { code: "VAR_REQUEST_INVALID", context: `paths=${r.paths}` };
  const steps = Math.max(1, Math.round(r.horizonSeconds / r.stepSeconds));
  if (steps * r.paths > MAX_BOOTSTRAP_DRAWS) return { code: "VAR_REQUEST_INVALID", context: `draws=${steps * r.paths} max=${MAX_BOOTSTRAP_DRAWS} hint=coarser_history_step` };
  return steps;
}

/** Returns each history step's portfolio P&L, w·r_t. */
export function stepPnl(exposures: Float64Array, history: Float64Array): Float64Array {
  const n = exposures.length;
  const T = history.length / n;
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += exposures[i]! * history[t * n + i]!;
    out[t] = s;
  }
  return out;
}

/** Runs the bootstrap in-process; returns the result or an error value. */
export function bootstrapVar(r: BootstrapRequest): VarResult | BootstrapRequestError {
  const steps = bootstrapSteps(r);
  if (typeof steps !== "number") return steps;
  const pnlT = stepPnl(r.exposures, r.history);
  const T = pnlT.length;
  const rng = new Variates(r.seed ?? 0x5eed);
  const losses = new Float64Array(r.paths);
  let sum = 0;
  let sumSq = 0;
  for (let p = 0; p < r.paths; p++) {
    let pnl = 0;
    for (let s = 0; s < steps; s++) pnl += pnlT[Math.floor(rng.uniform() * T)]!;
    losses[p] = -pnl;
    sum += pnl;
    sumSq += pnl * pnl;
  }
  const k = tailCount(r.paths, r.confidence);
  selectLargest(losses, k);
  let tail = 0;
  let kth = Infinity;
  for (let i = 0; i < k; i++) {
    tail += losses[i]!;
    if (losses[i]! < kth) kth = losses[i]!;
  }
  const mean = sum / r.paths;
  return { var: kth, es: tail / k, mean, std: Math.sqrt(Math.max(0, sumSq / r.paths - mean * mean)), paths: r.paths };
}
