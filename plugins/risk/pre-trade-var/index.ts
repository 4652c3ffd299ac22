/**
 * Pre-trade VaR: an order is refused (`VAR_BUDGET`, or `ES_BUDGET` with an ES budget) when the
 * portfolio's VaR after it would exceed the budget and be higher than before it — so orders that
 * reduce risk always pass. On the order path the VaR is parametric (delta-normal): exposures in the
 * account currency (deployment positions, plus this instrument's working orders on the order's side,
 * marked at the mid) against an EWMA covariance of mid log returns sampled every `sampleSeconds` of
 * kernel time, scaled to `horizonSeconds` by the square root of time, times a calibration factor.
 * Off the order path, every `recalibrateSeconds`, the factor is reset to historical-simulation VaR ÷
 * parametric VaR on the current portfolio over the last `historySamples` return vectors (clamped to
 * `calibrationBounds`; kept when the portfolio is flat), so fat tails the normal model misses raise
 * the parametric figure. With `calibrateAgainst: portfolio-var` the reference is instead the
 * deployment's periodic Monte Carlo / bootstrap VaR (`ctx.portfolioVar()`, on the GPU sidecar or in
 * process): each new answer, when no fill has changed the portfolio since it was computed, sets the
 * factor to its VaR ÷ this rule's parametric VaR at the answer's confidence and horizon. Until `minSamples` samples exist, orders that add exposure are refused
 * (`VAR_NO_HISTORY`); an exposure without a conversion rate refuses too (`VAR_NO_CONVERSION_RATE`).
 * A check costs O(n²) in the instruments and allocates nothing but a refusal.
 */
import { defineRisk, type Quote, type RiskContext } from "../../sdk/index.ts";
import { EwmaCovariance } from "./ewma-covariance.ts";
import { PreTradeVarParams } from "./params.ts";
import { historicalVar, normalQuantile, portfolioSigma } from "./var-math.ts";

/** The rule's live state (exposed for tests through `create`'s hooks' closure only). */
interface VarState {
  readonly cov: EwmaCovariance;
  readonly lastMid: Float64Array;
  readonly sampledMid: Float64Array;
  readonly ret: Float64Array;
  readonly ring: Float64Array;
  readonly losses: Float64Array;
  readonly exposure: Float64Array;
  ringHead: number;
  ringCount: number;
  nextSample: number;
  nextCalibration: number;
  calibration: number;
  /** Kernel time of the last fill (the portfolio changed), and of the portfolio VaR answer last used. */
  lastFillTs: number;
  lastVarAsOf: number;
}

export default defineRisk({
  manifest: {
    name: "pre-trade-var",
    version: "0.1.0",
    kind: "risk",
    sdk: "^0.1.0",
    description: "Refuses orders that would push the portfolio's delta-normal VaR (recalibrated against historical simulation) above a budget.",
    params: PreTradeVarParams,
    capabilities: [],
  },
  create(ctx) {
    const p = ctx.params;
    if (!(p.calibrationBounds[0] <= 1 && p.calibrationBounds[1] >= 1)) throw new Error(`pre-trade-var: params.calibrationBounds=[${p.calibrationBounds.join(", ")}] must contain 1`);
    const n = ctx.instruments.length;
    const z = normalQuantile(p.confidence);
    // Expected shortfall of a normal: sigma * phi(z) / (1 - confidence).
    const esPerSigma = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / (1 - p.confidence);
    const scale = Math.sqrt(p.horizonSeconds / p.sampleSeconds);
    const sampleUs = p.sampleSeconds * 1e6, calibrationUs = p.recalibrateSeconds * 1e6;
    const s: VarState = {
      cov: new EwmaCovariance(n, p.halfLifeSamples), lastMid: new Float64Array(n), sampledMid: new Float64Array(n), ret: new Float64Array(n),
      ring: new Float64Array(p.historySamples * n), losses: new Float64Array(p.historySamples), exposure: new Float64Array(n),
      ringHead: 0, ringCount: 0, nextSample: 0, nextCalibration: 0, calibration: 1, lastFillTs: -1, lastVarAsOf: -1,
    };

    /** Fills `s.exposure` from positions (plus `extra` units of instrument `k`); returns the first instrument without a rate, or -1. */
    function exposures(c: RiskContext, k: number, extra: number): number {
      for (let i = 0; i < n; i++) {
        const units = c.position(i) + (i === k ? extra : 0);
        if (units === 0) { s.exposure[i] = 0; continue; }
        const mid = s.lastMid[i]! > 0 ? s.lastMid[i]! : c.book(i).mid2 / 2;
        const money = c.toAccount(i, units * mid);
        if (money === null || !(mid > 0)) return i;
        s.exposure[i] = money;
      }
      return -1;
    }

    function sample(ts: number): void {
      for (let i = 0; i < n; i++) {
        const m = s.lastMid[i]!, prev = s.sampledMid[i]!;
        s.ret[i] = m > 0 && prev > 0 ? Math.log(m / prev) : 0;
        if (m > 0) s.sampledMid[i] = m;
      }
      s.cov.update(s.ret);
      s.ring.set(s.ret, s.ringHead * n);
      s.ringHead = (s.ringHead + 1) % p.historySamples;
      if (s.ringCount < p.historySamples) s.ringCount++;
      s.nextSample = ts - (ts % sampleUs) + sampleUs;
    }

    function recalibrate(c: RiskContext, ts: number): void {
      s.nextCalibration = ts - (ts % calibrationUs) + calibrationUs;
      if (s.cov.count < p.minSamples || exposures(c, -1, 0) >= 0) return;
      const parametric = z * portfolioSigma(s.exposure, s.cov.cov, n);
      const historical = historicalVar(s.exposure, s.ring, s.ringCount, n, p.confidence, s.losses);
      if (!(parametric > 0) || !(historical > 0)) return;
      const f = Math.min(p.calibrationBounds[1], Math.max(p.calibrationBounds[0], historical / parametric));
      if (f !== s.calibration) ctx.log("var recalibrated", { factor: f, parametric: parametric * scale, historical: historical * scale, samples: s.ringCount });
      s.calibration = f;
    }

    /** Recalibrates against a new answer of the deployment's portfolio VaR, when it describes the portfolio as it still is. */
    function recalibrateOnPortfolioVar(c: RiskContext): void {
      const v = c.portfolioVar();
      if (v === null || v.asOf <= s.lastVarAsOf) return;
      s.lastVarAsOf = v.asOf;
      if (s.lastFillTs >= v.asOf || s.cov.count < p.minSamples || exposures(c, -1, 0) >= 0) return;
      const parametric = normalQuantile(v.confidence) * portfolioSigma(s.exposure, s.cov.cov, n) * Math.sqrt(v.horizonSeconds / p.sampleSeconds);
      if (!(parametric > 0) || !(v.var > 0)) return;
      const f = Math.min(p.calibrationBounds[1], Math.max(p.calibrationBounds[0], v.var / parametric));
      if (f !== s.calibration) ctx.log("var recalibrated", { factor: f, parametric, reference: v.var, method: v.method, source: v.source, asOf: v.asOf });
      s.calibration = f;
    }

    return {
      onFill(_c, f) {
        s.lastFillTs = f.ts;
      },
      status() {
        return { calibration: s.calibration, calibrateAgainst: p.calibrateAgainst, samples: s.cov.count, lastPortfolioVarAsOf: s.lastVarAsOf < 0 ? null : s.lastVarAsOf };
      },
      onQuote(c, q: Quote) {
        if (s.nextSample === 0) {
          s.nextSample = q.ts - (q.ts % sampleUs) + sampleUs;
          s.nextCalibration = q.ts - (q.ts % calibrationUs) + calibrationUs;
        } else if (q.ts >= s.nextSample) {
          // Previous-tick sampling: the mids in force at the grid time, before this quote moves one.
          sample(q.ts);
        }
        if (q.bid > 0 && q.ask >= q.bid) {
          const mid = (q.bid + q.ask) / 2;
          s.lastMid[q.instrument] = mid;
          if (s.sampledMid[q.instrument] === 0) s.sampledMid[q.instrument] = mid;
        }
        if (p.calibrateAgainst === "portfolio-var") recalibrateOnPortfolioVar(c);
        else if (q.ts >= s.nextCalibration) recalibrate(c, q.ts);
      },
      check(c, o) {
        const k = o.instrument.id, side = o.intent.side;
        const position = o.position + side * o.workingSameSide;
        const after = position + side * o.intent.size;
        const adds = Math.abs(after) > Math.abs(position);
        if (s.cov.count < p.minSamples) {
          return adds ? { code: "VAR_NO_HISTORY", reason: `samples=${s.cov.count} min=${p.minSamples} instrument=${o.instrument.symbol}` } : null;
        }
        const missing = exposures(c, k, side * o.workingSameSide);
        if (missing >= 0) return adds ? { code: "VAR_NO_CONVERSION_RATE", reason: `instrument=${ctx.instruments[missing]!.symbol}` } : null;
        const sigmaBefore = portfolioSigma(s.exposure, s.cov.cov, n);
        const mid = s.lastMid[k]! > 0 ? s.lastMid[k]! : o.book.mid2 / 2;
        const delta = c.toAccount(k, side * o.intent.size * mid);
        if (delta === null) return { code: "VAR_NO_CONVERSION_RATE", reason: `instrument=${o.instrument.symbol}` };
        s.exposure[k] = s.exposure[k]! + delta;
        const sigmaAfter = portfolioSigma(s.exposure, s.cov.cov, n);
        if (!(sigmaAfter > sigmaBefore)) return null;
        const f = scale * s.calibration;
        const varAfter = z * sigmaAfter * f;
        if (varAfter > p.budget) {
          return { code: "VAR_BUDGET", reason: `var_after=${varAfter.toFixed(2)} var_before=${(z * sigmaBefore * f).toFixed(2)} budget=${p.budget} calibration=${s.calibration.toFixed(3)} instrument=${o.instrument.symbol}` };
        }
        if (p.esBudget !== undefined && esPerSigma * sigmaAfter * f > p.esBudget) {
          return { code: "ES_BUDGET", reason: `es_after=${(esPerSigma * sigmaAfter * f).toFixed(2)} es_before=${(esPerSigma * sigmaBefore * f).toFixed(2)} budget=${p.esBudget} instrument=${o.instrument.symbol}` };
        }
        return null;
      },
    };
  },
});

export { PreTradeVarParams };
