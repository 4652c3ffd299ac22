/**
 * In-process Monte Carlo value at risk and expected shortfall of a linear portfolio: the runtime's
 * fallback when the GPU sidecar is absent or late, and the reference the sidecar is tested
 * against. Returns are drawn correlated from the covariance's Cholesky factor L, normal or
 * multivariate Student-t (scaled so that its covariance equals the given one), and scaled from the
 * covariance's horizon to the requested one by the square root of time.
 *
 * Definitions shared with the sidecar (`gpu-bridge/sidecar/var_sidecar.py`): loss = -Σ wᵢ rᵢ;
 * with k = ceil((1 - confidence) · paths), VaR is the k-th largest loss and ES the mean of the k
 * largest losses. Since the portfolio is linear, each path's P&L is computed as (Lᵀw)·z, which
 * equals w·(L z) exactly and costs n multiply-adds instead of n²/2.
 *
 * Two explicit options, both defaulting to the reference behaviour:
 * - `engine`: "ts" (default) runs the TypeScript loop below; "wasm" runs the same simulation in the
 *   SIMD kernel `kernels-wasm/var-mc/var-mc.ts` (its own seeded random stream: the same seed gives
 *   the same result within an engine, and the two engines agree in distribution, not path by path).
 * - `sampler`: "per-instrument" (default) draws one normal per instrument and path; "exact-linear"
 *   draws one normal per path and scales it by ‖Lᵀw‖. For this linear book with normal shocks (or
 *   Student-t shocks sharing one χ² per path) the P&L is exactly N(0, wᵀΣw) (times the same t
 *   scale) either way, so the result has the same law at n times fewer draws; it stops being exact
 *   the day the book has non-linear instruments or per-instrument marginals, which is why it is
 *   asked for by name and never chosen silently.
 *
 * @example
 * const r = monteCarloVar({ exposures, cov, covHorizonSeconds: 86_400, horizonSeconds: 60,
 *   confidence: 0.99, paths: 200_000, dist: "normal", seed: 1 });
 */
import { cholesky, type CovarianceError } from "./cholesky.ts";
import { Variates } from "./random.ts";
import { wasmLosses, wasmVar } from "./wasm-engine.ts";

/** A VaR request. Exposures and results are in the same money unit. */
export interface VarRequest {
  /** Money exposure per instrument (position × price), n values. */
  readonly exposures: Float64Array;
  /** Covariance of instrument returns over `covHorizonSeconds`, n×n row-major. */
  readonly cov: Float64Array;
  readonly covHorizonSeconds: number;
  /** Horizon of the VaR, 1 second to 1 day. */
  readonly horizonSeconds: number;
  /** For example 0.99. */
  readonly confidence: number;
  readonly paths: number;
  readonly dist: "normal" | "student-t";
  /** Degrees of freedom of the Student-t, above 2. */
  readonly dof?: number;
  readonly seed?: number;
  /** Which implementation runs the simulation: "ts" (default) or the WASM SIMD kernel "wasm". */
  readonly engine?: "ts" | "wasm";
  /** "per-instrument" (default): n normals per path; "exact-linear": one normal per path, same law for a linear book. */
  readonly sampler?: "per-instrument" | "exact-linear";
}

/** A VaR result. */
export interface VarResult {
  /** Value at risk, a positive loss. */
  readonly var: number;
  /** Expected shortfall beyond the VaR. */
  readonly es: number;
  /** Mean and standard deviation of the simulated P&L. */
  readonly mean: number;
  readonly std: number;
  readonly paths: number;
}

/** Why a VaR request was refused. */
export interface VarRequestError {
  readonly code: "VAR_COVARIANCE_INVALID" | "VAR_REQUEST_INVALID";
  readonly context: string;
}

/** Validates a request; returns null or the error value. */
export function validateVarRequest(r: VarRequest): VarRequestError | null {
  const n = r.exposures.length;
  if (n < 1 || r.cov.length !== n * n) return { code: "VAR_REQUEST_INVALID", context: `instruments=${n} cov=${r.cov.length}` };
  if (!(r.horizonSeconds >= 1 && r.horizonSeconds <= 86_400)) return { code: "VAR_REQUEST_INVALID", context: `horizon_s=${r.horizonSeconds} expected=1..86400` };
  if (!(r.covHorizonSeconds > 0)) return { code: "VAR_REQUEST_INVALID", context: `cov_horizon_s=${r.covHorizonSeconds}` };
  if (!(r.confidence > 0.5 && r.confidence < 1)) return { code: "VAR_REQUEST_INVALID", context: `confidence=${r.confidence}` };
  if (!Number.isInteger(r.paths) || r.paths < 100 || r.paths > 1e9) return { code: "VAR_REQUEST_INVALID", context: `paths=${r.paths}` };
  if (r.dist === "student-t" && !((r.dof ?? 0) > 2)) return { code: "VAR_REQUEST_INVALID", context: `dof=${r.dof} expected=>2` };
  if (r.engine !== undefined && r.engine !== "ts" && r.engine !== "wasm") return { code: "VAR_REQUEST_INVALID", context: `engine=${r.engine} expected=ts|wasm` };
  if (r.sampler !== undefined && r.sampler !== "per-instrument" && r.sampler !== "exact-linear") {
    return { code: "VAR_REQUEST_INVALID", context: `sampler=${r.sampler} expected=per-instrument|exact-linear` };
  }
  return null;
}

/** Returns the number of tail paths that VaR and ES read. */
export function tailCount(paths: number, confidence: number): number {
  return Math.max(1, Math.ceil((1 - confidence) * paths - 1e-9));
}

/** What one path's P&L is made of: P&L = b·z (z standard normal), times the Student-t scale when dof > 0. */
export interface Shocks {
  /** Lᵀw scaled to the horizon (n values), or its norm alone for the exact-linear sampler. */
  readonly b: Float64Array;
  /** Degrees of freedom of the common Student-t scale; 0 for normal shocks. */
  readonly dof: number;
  readonly seed: number;
}

/** Validates a request and returns its shocks, or the error value. */
export function varShocks(r: VarRequest): Shocks | VarRequestError | CovarianceError {
  const bad = validateVarRequest(r);
  if (bad) return bad;
  const n = r.exposures.length;
  const L = cholesky(r.cov, n);
  if ("code" in L) return L;
  // b = Lᵀ w, scaled to the horizon.
  const scale = Math.sqrt(r.horizonSeconds / r.covHorizonSeconds);
  const b = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j; i < n; i++) s += L[i * n + j]! * r.exposures[i]!;
    b[j] = s * scale;
  }
  let norm = 0;
  if (r.sampler === "exact-linear") for (let j = 0; j < n; j++) norm += b[j]! * b[j]!;
  return { b: r.sampler === "exact-linear" ? Float64Array.of(Math.sqrt(norm)) : b, dof: r.dist === "student-t" ? r.dof! : 0, seed: r.seed ?? 0x5eed };
}

/** Runs the simulation in-process; returns the result or an error value. */
export function monteCarloVar(r: VarRequest): VarResult | VarRequestError | CovarianceError {
  const s = varShocks(r);
  if ("code" in s) return s;
  const k = tailCount(r.paths, r.confidence);
  if (r.engine === "wasm") {
    const w = wasmVar(s, r.paths, k);
    return "code" in w ? w : summary(w.var, w.es, w.sum, w.sumSq, r.paths);
  }
  const { losses, sum, sumSq } = simulateTs(s, r.paths);
  selectLargest(losses, k);
  let tail = 0;
  let kth = Infinity;
  for (let i = 0; i < k; i++) {
    const v = losses[i]!;
    tail += v;
    if (v < kth) kth = v;
  }
  return summary(kth, tail / k, sum, sumSq, r.paths);
}

/** Returns the request's simulated losses, one per path in path order (for distribution tests and diagnostics). */
export function simulateLosses(r: VarRequest): Float64Array | VarRequestError | CovarianceError {
  const s = varShocks(r);
  if ("code" in s) return s;
  return r.engine === "wasm" ? wasmLosses(s, r.paths) : simulateTs(s, r.paths).losses;
}

function summary(v: number, es: number, sum: number, sumSq: number, paths: number): VarResult {
  const mean = sum / paths;
  return { var: v, es, mean, std: Math.sqrt(Math.max(0, sumSq / paths - mean * mean)), paths };
}

function simulateTs(s: Shocks, paths: number): { losses: Float64Array; sum: number; sumSq: number } {
  const rng = new Variates(s.seed);
  const losses = new Float64Array(paths);
  const moments = new Float64Array(2);
  if (s.dof > 0) simulateStudentT(s.b, s.dof, rng, losses, moments);
  else simulateNormal(s.b, rng, losses, moments);
  return { losses, sum: moments[0]!, sumSq: moments[1]! };
}

/** Fills `losses` with -(b·z) for standard normal z; accumulates Σpnl and Σpnl² into `m`. */
function simulateNormal(b: Float64Array, rng: Variates, losses: Float64Array, m: Float64Array): void {
  const n = b.length;
  let sum = 0;
  let sumSq = 0;
  for (let p = 0; p < losses.length; p++) {
    let pnl = 0;
    for (let j = 0; j < n; j++) pnl += b[j]! * rng.normal();
    losses[p] = -pnl;
    sum += pnl;
    sumSq += pnl * pnl;
  }
  m[0] = sum;
  m[1] = sumSq;
}

/** As `simulateNormal`, times sqrt((dof - 2) / W) with W ~ χ²(dof): unit-covariance Student-t. */
function simulateStudentT(b: Float64Array, dof: number, rng: Variates, losses: Float64Array, m: Float64Array): void {
  const n = b.length;
  const shape = dof / 2;
  const num = (dof - 2) / 2;
  let sum = 0;
  let sumSq = 0;
  for (let p = 0; p < losses.length; p++) {
    let pnl = 0;
    for (let j = 0; j < n; j++) pnl += b[j]! * rng.normal();
    pnl *= Math.sqrt(num / rng.gamma(shape));
    losses[p] = -pnl;
    sum += pnl;
    sumSq += pnl * pnl;
  }
  m[0] = sum;
  m[1] = sumSq;
}

/** Reorders `a` in place so that its k largest values occupy a[0..k) (quickselect, O(n) expected). */
export function selectLargest(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}
