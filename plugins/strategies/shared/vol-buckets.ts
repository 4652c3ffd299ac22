/**
 * The volatility throttle shared by the directional strategies: realised volatility over the last
 * `windowBars` bar returns (sqrt of summed squared log returns), ranked against its own previous
 * `historyBars` values, falls into a bucket by that percentile rank (`edges`, e.g. [0.5, 0.8, 0.95]
 * gives buckets 0..3); each bucket has a size scale (`scales`), and a scale of 0 pauses the
 * strategy (its target position becomes flat). Ranking against recent history rather than fixed
 * thresholds makes the same params usable on pairs of very different volatility. Until the history
 * holds `minHistory` values the bucket is -1 and the scale 0: no exposure before the throttle can
 * judge. Ring buffers allocated at construction; each bar costs O(historyBars).
 */
import { Type, type Static } from "../../sdk/index.ts";
import { StrategyParamsError } from "./params-error.ts";

/** Params of the throttle, embedded in each strategy's params under `vol`. */
export const VolBucketParams = Type.Object(
  {
    windowBars: Type.Integer({ minimum: 2, default: 30, description: "Bar returns in the realised-volatility window." }),
    historyBars: Type.Integer({ minimum: 10, default: 480, description: "Past realised-volatility values the current one is ranked against." }),
    minHistory: Type.Integer({ minimum: 1, default: 60, description: "Values needed before any bucket is given (before: bucket -1, scale 0)." }),
    edges: Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), { minItems: 1, maxItems: 8, default: [0.5, 0.8, 0.95], description: "Increasing percentile ranks that separate the buckets." }),
    scales: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: 2, maxItems: 9, default: [1, 0.75, 0.5, 0], description: "Size scale per bucket (edges.length + 1 values); 0 pauses." }),
  },
  { additionalProperties: false, default: {} },
);

/** Validated throttle params. */
export type VolBucketParams = Static<typeof VolBucketParams>;

/** Returns the problems of a throttle config (scales must be one longer than edges, edges increasing). */
export function volBucketProblems(p: VolBucketParams): string[] {
  const problems: string[] = [];
  if (p.scales.length !== p.edges.length + 1) problems.push(`vol.scales: expected ${p.edges.length + 1} values (edges + 1), got ${p.scales.length}`);
  for (let i = 1; i < p.edges.length; i++) if (p.edges[i]! <= p.edges[i - 1]!) problems.push(`vol.edges[${i}]: must be above vol.edges[${i - 1}]`);
  if (p.minHistory > p.historyBars) problems.push(`vol.minHistory: ${p.minHistory} exceeds vol.historyBars ${p.historyBars}`);
  return problems;
}

/** Realised-volatility buckets over bar closes. */
export class VolBuckets {
  /** Current realised volatility (log-return units over the window); NaN until the window is full. */
  rv = NaN;
  /** Current bucket (0 = calmest), or -1 while warming up. */
  bucket = -1;
  private readonly sq: Float64Array;
  private sqN = 0;
  private sqHead = 0;
  private sum = 0;
  private readonly hist: Float64Array;
  private histN = 0;
  private histHead = 0;
  private prev = NaN;

  constructor(readonly p: VolBucketParams, plugin = "strategy") {
    const problems = volBucketProblems(p);
    if (problems.length > 0) throw new StrategyParamsError(plugin, problems);
    this.sq = new Float64Array(p.windowBars);
    this.hist = new Float64Array(p.historyBars);
  }

  /** Folds in a bar close (positive price) and returns the new bucket. */
  update(close: number): number {
    const prev = this.prev;
    this.prev = close;
    if (!(prev > 0) || !(close > 0)) return this.bucket;
    const r = Math.log(close / prev);
    const r2 = r * r;
    if (this.sqN === this.sq.length) this.sum -= this.sq[this.sqHead]!;
    else this.sqN++;
    this.sq[this.sqHead] = r2;
    this.sqHead = (this.sqHead + 1) % this.sq.length;
    this.sum += r2;
    if (this.sqN < this.sq.length) return this.bucket;
    const rv = Math.sqrt(Math.max(0, this.sum));
    this.rv = rv;
    // Rank against the values before this one, then remember it.
    if (this.histN >= this.p.minHistory) {
      let below = 0;
      for (let i = 0; i < this.histN; i++) if (this.hist[i]! < rv) below++;
      const rank = below / this.histN;
      let b = 0;
      while (b < this.p.edges.length && rank >= this.p.edges[b]!) b++;
      this.bucket = b;
    }
    this.hist[this.histHead] = rv;
    this.histHead = (this.histHead + 1) % this.hist.length;
    if (this.histN < this.hist.length) this.histN++;
    return this.bucket;
  }

  /** Size scale of the current bucket (0 while warming up or paused). */
  scale(): number {
    return this.bucket < 0 ? 0 : this.p.scales[this.bucket]!;
  }
}
