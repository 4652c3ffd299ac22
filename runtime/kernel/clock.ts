/**
 * Clocks. Engines never read the wall clock: they ask the kernel's clock, which the event loop
 * advances to each event's ts. In a paper or live session the loop maps wall time onto kernel time.
 */

/** The kernel's clock: integer microseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** Clock advanced by the event loop; never goes backwards. */
export class KernelClock implements Clock {
  private t = 0;

  /** Current kernel time in microseconds. */
  now(): number {
    return this.t;
  }

  /** Moves time forward to `ts` (earlier values are ignored, so time is monotonic). */
  advance(ts: number): void {
    if (ts > this.t) this.t = ts;
  }
}

const origin = Math.round(performance.timeOrigin * 1000);

/** Wall-clock microseconds since the Unix epoch; only the event loop's real-time pacer calls this. */
export function wallMicros(): number {
  return origin + Math.floor(performance.now() * 1000);
}
