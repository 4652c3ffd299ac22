/**
 * Online, paired scoring of two models' signals (the live one and its shadow) against what the
 * market did next. Every period both models' latest signals and each instrument's mid are sampled
 * at the same kernel time; once `horizonUs` has passed the forward log return of the mid (in basis
 * points) scores both samples. Per model: the information coefficient (Pearson correlation of the
 * signal with the forward return), and over the samples whose |signal| reaches the threshold, the
 * hit rate of the signal's sign and the mean signed forward return (the edge, before costs); and
 * for the pair, how often their signs and their trade decisions agree. Samples live in
 * preallocated rings (no allocation per tick). The horizon is resolved at the first tick at or
 * after it, so it is rounded up to the sampling period.
 */

/** Running sums of one model's scored samples. */
export interface ModelScore {
  /** Samples scored (signal finite, forward return known). */
  scored: number;
  /** Samples with no signal (NaN: no answer yet, stale, or failed). */
  missing: number;
  /** Pearson correlation of signal and forward return over the scored samples (NaN under 2). */
  ic: number;
  /** Samples whose |signal| reached the threshold and whose forward return was not zero. */
  traded: number;
  /** Fraction of `traded` where the signal's sign matched the return's (NaN when none). */
  hitRate: number;
  /** Mean of sign(signal) x forward return over `traded`, in basis points, before costs (NaN when none). */
  edgeBps: number;
}

/** The pair's comparison as the admin API shows it. */
export interface ShadowComparison {
  readonly horizonUs: number;
  readonly threshold: number;
  /** Samples taken (instrument x period) and those already scored. */
  readonly samples: number;
  readonly scored: number;
  /** Keyed by model reference. */
  readonly models: Record<string, ModelScore>;
  /** Over samples where both had a signal: same sign, and same trade decision (trade long/short/none). */
  readonly agreement: { both: number; sameSign: number; sameDecision: number };
}

class Sums {
  n = 0;
  missing = 0;
  s = 0;
  r = 0;
  ss = 0;
  rr = 0;
  sr = 0;
  traded = 0;
  hits = 0;
  edge = 0;

  add(signal: number, ret: number, threshold: number): void {
    if (!Number.isFinite(signal)) {
      this.missing++;
      return;
    }
    this.n++;
    this.s += signal;
    this.r += ret;
    this.ss += signal * signal;
    this.rr += ret * ret;
    this.sr += signal * ret;
    if (Math.abs(signal) >= threshold && ret !== 0 && signal !== 0) {
      this.traded++;
      if (Math.sign(signal) === Math.sign(ret)) this.hits++;
      this.edge += Math.sign(signal) * ret;
    }
  }

  score(): ModelScore {
    const n = this.n;
    const cov = this.sr / n - (this.s / n) * (this.r / n);
    const vs = this.ss / n - (this.s / n) ** 2;
    const vr = this.rr / n - (this.r / n) ** 2;
    const ic = n >= 2 && vs > 0 && vr > 0 ? cov / Math.sqrt(vs * vr) : NaN;
    return {
      scored: n,
      missing: this.missing,
      ic,
      traded: this.traded,
      hitRate: this.traded > 0 ? this.hits / this.traded : NaN,
      edgeBps: this.traded > 0 ? this.edge / this.traded : NaN,
    };
  }
}

/** What the scorer reads each period. */
export interface ShadowScorerOptions {
  readonly instruments: number;
  /** Sampling period, kernel µs (the models' period). */
  readonly everyUs: number;
  /** Forward window that scores a sample, kernel µs (the model's horizon; default 30 s). */
  readonly horizonUs?: number;
  /** |signal| at or above which a sample counts as a trade (default 0: every non-zero signal). */
  readonly threshold?: number;
  /** Twice the mid of an instrument in price ticks, or 0 when its book is not valid. */
  readonly mid2: (instrument: number) => number;
}

/** Paired online scores of two models, A and B, whatever their roles. */
export class ShadowScorer {
  readonly horizonUs: number;
  readonly threshold: number;
  private readonly cap: number;
  private readonly ts: Float64Array;
  private readonly mid: Float64Array;
  private readonly sigA: Float64Array;
  private readonly sigB: Float64Array;
  /** Per instrument: index of the oldest unscored sample and the count held. */
  private readonly head: Int32Array;
  private readonly size: Int32Array;
  private readonly a = new Sums();
  private readonly b = new Sums();
  private samples = 0;
  private scored = 0;
  private both = 0;
  private sameSign = 0;
  private sameDecision = 0;

  constructor(private readonly opts: ShadowScorerOptions) {
    this.horizonUs = opts.horizonUs ?? 30_000_000;
    this.threshold = opts.threshold ?? 0;
    this.cap = Math.ceil(this.horizonUs / opts.everyUs) + 2;
    const n = opts.instruments * this.cap;
    this.ts = new Float64Array(n);
    this.mid = new Float64Array(n);
    this.sigA = new Float64Array(n);
    this.sigB = new Float64Array(n);
    this.head = new Int32Array(opts.instruments);
    this.size = new Int32Array(opts.instruments);
  }

  /**
   * Scores the samples whose horizon has passed at `now`, then samples both models' current
   * signals (`a[i]`, `b[i]`) and each valid mid. Allocation-free.
   */
  tick(now: number, a: ArrayLike<number>, b: ArrayLike<number>): void {
    const { cap, threshold } = this;
    for (let i = 0; i < this.opts.instruments; i++) {
      const m2 = this.opts.mid2(i);
      const base = i * cap;
      // Score what has matured (only against a valid mid; otherwise it waits for one).
      while (this.size[i]! > 0 && m2 > 0) {
        const k = base + this.head[i]!;
        if (this.ts[k]! + this.horizonUs > now) break;
        const ret = Math.log(m2 / this.mid[k]!) * 1e4;
        const sa = this.sigA[k]!;
        const sb = this.sigB[k]!;
        this.a.add(sa, ret, threshold);
        this.b.add(sb, ret, threshold);
        this.scored++;
        this.head[i] = (this.head[i]! + 1) % cap;
        this.size[i]!--;
      }
      if (!(m2 > 0)) continue;
      if (this.size[i] === cap) {
        // Full (no valid mid for a long time): the oldest sample is dropped unscored.
        this.head[i] = (this.head[i]! + 1) % cap;
        this.size[i]!--;
      }
      const k = base + ((this.head[i]! + this.size[i]!) % cap);
      const sa = a[i]!;
      const sb = b[i]!;
      this.ts[k] = now;
      this.mid[k] = m2;
      this.sigA[k] = sa;
      this.sigB[k] = sb;
      this.size[i]!++;
      this.samples++;
      if (Number.isFinite(sa) && Number.isFinite(sb)) {
        this.both++;
        if (Math.sign(sa) === Math.sign(sb)) this.sameSign++;
        if (this.decision(sa) === this.decision(sb)) this.sameDecision++;
      }
    }
  }

  private decision(s: number): number {
    return Math.abs(s) >= this.threshold && s !== 0 ? Math.sign(s) : 0;
  }

  /** The comparison so far, the two models named `refA` and `refB` (allocates; for the admin API). */
  comparison(refA: string, refB: string): ShadowComparison {
    return {
      horizonUs: this.horizonUs,
      threshold: this.threshold,
      samples: this.samples,
      scored: this.scored,
      models: { [refA]: this.a.score(), [refB]: this.b.score() },
      agreement: { both: this.both, sameSign: this.sameSign, sameDecision: this.sameDecision },
    };
  }
}
