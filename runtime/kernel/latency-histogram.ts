/**
 * An HDR-style log-linear histogram of nanosecond latencies: 64 sub-buckets per power of two, so
 * any recorded value is reported within 1/64 (1.6%) of its true value; fixed memory, no allocation
 * per record.
 */

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
const MAGNITUDES = 40; // up to 2^40 ns, about 18 minutes

/** Records latencies and answers percentiles. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(MAGNITUDES * SUB);
  count = 0;
  max = 0;
  min = Infinity;
  sum = 0;

  /** Records one value in nanoseconds (negative values count as 0). */
  record(ns: number): void {
    const v = ns > 0 ? Math.floor(ns) : 0;
    this.counts[bucketOf(v)]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  /** Value at percentile p (0..100), as the upper edge of its bucket; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(upperEdge(i), this.max);
    }
    return this.max;
  }

  /** Mean in nanoseconds. */
  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Adds every count of `other` into this histogram. */
  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
    if (other.min < this.min) this.min = other.min;
  }

  /** Clears every count. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
    this.min = Infinity;
    this.sum = 0;
  }

  /** Summary for reports: count, p50, p99, p99.9 and max in nanoseconds. */
  summary(): { count: number; p50: number; p99: number; p999: number; max: number; mean: number } {
    return { count: this.count, p50: this.percentile(50), p99: this.percentile(99), p999: this.percentile(99.9), max: this.max, mean: Math.round(this.mean()) };
  }
}

function bucketOf(v: number): number {
  if (v < SUB) return v;
  const mag = Math.floor(Math.log2(v)) - SUB_BITS + 1; // >= 1
  const sub = Math.floor(v / 2 ** mag) - SUB / 2; // 0..SUB/2-1 in the upper half
  return Math.min(MAGNITUDES * SUB - 1, SUB + (mag - 1) * (SUB / 2) + sub);
}

function upperEdge(bucket: number): number {
  if (bucket < SUB) return bucket;
  const rel = bucket - SUB;
  const mag = Math.floor(rel / (SUB / 2)) + 1;
  const sub = (rel % (SUB / 2)) + SUB / 2;
  return (sub + 1) * 2 ** mag - 1;
}
