/**
 * Latency percentiles over a sliding window rather than since start: values go into the current
 * slice of a ring of histograms, each slice covering `sliceMs` of wall time; a summary merges the
 * slices of the last `slices * sliceMs`. Recording costs one comparison more than a plain
 * histogram and allocates nothing; a summary (once a second for a status line or a scrape) merges
 * the ring.
 */
import { LatencyHistogram } from "./latency-histogram.ts";

/** Percentiles of the recent past, nanoseconds. */
export interface WindowSummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Wall seconds the window spans (the slices kept). */
  windowSeconds: number;
}

/** A ring of latency histograms over the last `slices * sliceMs` of wall time. */
export class WindowedLatency {
  private readonly ring: LatencyHistogram[];
  private readonly merged = new LatencyHistogram();
  private readonly sliceNs: number;
  private current = 0;
  /** Bun.nanoseconds() at which the current slice ends (0 before the first value). */
  private sliceEnd = 0;

  constructor(
    readonly slices = 6,
    readonly sliceMs = 10_000,
  ) {
    if (!(slices >= 1) || !(sliceMs > 0)) throw new Error(`WindowedLatency: slices=${slices} sliceMs=${sliceMs}: need slices >= 1 and sliceMs > 0`);
    this.ring = Array.from({ length: slices }, () => new LatencyHistogram());
    this.sliceNs = sliceMs * 1e6;
  }

  /** Records one value (ns) at wall time `nowNs` (Bun.nanoseconds()). */
  record(ns: number, nowNs: number): void {
    if (nowNs >= this.sliceEnd) this.advance(nowNs);
    this.ring[this.current]!.record(ns);
  }

  /** Percentiles of the values recorded within the window ending at `nowNs`. */
  summary(nowNs: number = Bun.nanoseconds()): WindowSummary {
    if (nowNs >= this.sliceEnd) this.advance(nowNs);
    const m = this.merged;
    m.reset();
    for (const h of this.ring) m.merge(h);
    return { count: m.count, p50: m.percentile(50), p99: m.percentile(99), p999: m.percentile(99.9), max: m.max, windowSeconds: (this.slices * this.sliceMs) / 1000 };
  }

  /** Clears every slice. */
  reset(): void {
    for (const h of this.ring) h.reset();
  }

  /** Moves to the slice that holds `nowNs`, clearing the slices skipped (all of them after a long pause). */
  private advance(nowNs: number): void {
    if (this.sliceEnd === 0) {
      this.sliceEnd = nowNs + this.sliceNs;
      return;
    }
    const steps = Math.floor((nowNs - this.sliceEnd) / this.sliceNs) + 1;
    for (let i = 0; i < Math.min(steps, this.slices); i++) {
      this.current = (this.current + 1) % this.slices;
      this.ring[this.current]!.reset();
    }
    this.sliceEnd += steps * this.sliceNs;
  }
}
