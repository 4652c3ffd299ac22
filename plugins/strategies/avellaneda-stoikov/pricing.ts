/**
 * The Avellaneda–Stoikov quote prices and the volatility estimate behind them. Pure arithmetic on
 * numbers, writing into caller-owned objects; no allocation.
 *
 * Reservation price r = s - q * gamma * sigma^2 * tau and total spread
 * delta = gamma * sigma^2 * tau + (2 / gamma) * ln(1 + gamma / k), with s the mid in ticks, q the
 * inventory in quote sizes, sigma in ticks per sqrt(second) and tau the rolling horizon in seconds.
 */

/** Integer bid and ask prices in ticks, plus the model values they came from. */
export interface QuotePrices {
  bid: number;
  ask: number;
  reservation: number;
  spread: number;
}

/** The part of the AS spread that does not depend on volatility: (2 / gamma) * ln(1 + gamma / k), in ticks. */
export function intensitySpread(gamma: number, k: number): number {
  return (2 / gamma) * Math.log1p(gamma / k);
}

/**
 * Writes the AS quotes rounded outwards to ticks and kept off the opposite touch; `baseSpread` is
 * intensitySpread(gamma, k), computed once.
 */
export function quotePrices(out: QuotePrices, bestBid: number, bestAsk: number, q: number, sigma2: number, gamma: number, tau: number, baseSpread: number): QuotePrices {
  const mid = (bestBid + bestAsk) / 2;
  const risk = gamma * sigma2 * tau;
  out.reservation = mid - q * risk;
  out.spread = risk + baseSpread;
  const bid = Math.floor(out.reservation - out.spread / 2);
  const ask = Math.ceil(out.reservation + out.spread / 2);
  // Post-only quotes must not cross: a bid at most one tick under the best ask, and vice versa.
  out.bid = bid < bestAsk - 1 ? bid : bestAsk - 1;
  out.ask = ask > bestBid + 1 ? ask : bestBid + 1;
  return out;
}

/** EWMA of squared mid changes per second: an estimate of sigma^2 in ticks^2 per second. */
export class MidVariance {
  /** Current estimate of sigma^2, ticks^2 per second. */
  variance: number;
  private lastMid = NaN;
  private lastTs = 0;
  private readonly lambda: number;

  constructor(halfLifeSeconds: number, initialSigma: number) {
    this.lambda = Math.LN2 / halfLifeSeconds;
    this.variance = initialSigma * initialSigma;
  }

  /** Folds in a mid (ticks) seen at ts (microseconds). */
  update(mid: number, ts: number): void {
    if (this.lastMid === this.lastMid) {
      const dt = ts > this.lastTs ? (ts - this.lastTs) / 1e6 : 0;
      const dm = mid - this.lastMid;
      // Decays by elapsed time and adds lambda * dm^2, so a steady diffusion converges to sigma^2.
      this.variance = this.variance * Math.exp(-this.lambda * dt) + this.lambda * dm * dm;
    }
    this.lastMid = mid;
    this.lastTs = ts;
  }
}
