/**
 * Pacing a source against the wall clock for paper sessions. An event whose source ts is `ts`
 * is due at wall time `startWallUs + (ts - anchorTs) / speed`, where `anchorTs` is the ts of the
 * source's first event: a recorded day replays at its own rhythm (speed 1) or faster. The pacer
 * never reads a clock and never blocks: the kernel's real-time loop passes its own clock's now
 * to `dueBy`, and sleeps until `dueAt()` when nothing is due. By default events are restamped
 * with their due wall time, so the engines see market time and the kernel's live clock agree.
 */
import type { MarketEvent, MarketSource, SourceBadRows } from "../market-source.ts";
import { SourceConfigError } from "../source-error.ts";

/** How to pace a source. */
export interface PaceOptions {
  /** Source microseconds per wall microsecond: 1 is real time, 60 a minute per second, Infinity as fast as possible. Default 1. */
  speed?: number;
  /** Wall time (µs since epoch) at which the source's first event is due. */
  startWallUs: number;
  /** Write each event's due wall time into its ts (default true); false keeps the source's ts. */
  restamp?: boolean;
}

/** A source whose events become due as the wall clock advances. */
export class PacedSource implements MarketSource {
  readonly name: string;
  private speed: number;
  private startWallUs: number;
  private anchorTs: number;
  private readonly restamp: boolean;

  constructor(
    readonly source: MarketSource,
    options: PaceOptions,
  ) {
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new SourceConfigError("SOURCE_PARAM_INVALID", { source: "pacer", param: "speed", expected: "number > 0", got: String(speed) });
    if (!Number.isSafeInteger(options.startWallUs)) throw new SourceConfigError("SOURCE_PARAM_INVALID", { source: "pacer", param: "startWallUs", expected: "integer microseconds", got: String(options.startWallUs) });
    this.name = `paced(${source.name})`;
    this.speed = speed;
    this.startWallUs = options.startWallUs;
    const first = source.peekTs();
    this.anchorTs = first === Infinity ? 0 : first;
    this.restamp = options.restamp ?? true;
  }

  get errorCount(): number {
    return this.source.errorCount;
  }

  /** The paced source's bad rows per input. */
  badRowsBySource(): SourceBadRows[] {
    return this.source.badRowsBySource?.() ?? [];
  }

  /** Current speed (source µs per wall µs). */
  get currentSpeed(): number {
    return this.speed;
  }

  /** Wall time (µs) at which an event with source ts `ts` is due. */
  wallTimeOf(ts: number): number {
    const offset = ts - this.anchorTs;
    return this.speed === Infinity ? this.startWallUs : Math.floor(this.startWallUs + offset / this.speed);
  }

  /** Wall time (µs) at which the next event is due; Infinity when the source is exhausted. */
  dueAt(): number {
    const ts = this.source.peekTs();
    return ts === Infinity ? Infinity : this.wallTimeOf(ts);
  }

  /** True when the next event is due at or before `nowWallUs` (false when exhausted). */
  dueBy(nowWallUs: number): boolean {
    return this.dueAt() <= nowWallUs;
  }

  /** ts the next event will carry: its due wall time when restamping, else the source's ts. */
  peekTs(): number {
    return this.restamp ? this.dueAt() : this.source.peekTs();
  }

  /** Writes the next event whether or not it is due yet; the real-time loop asks `dueBy` first. */
  next(out: MarketEvent): boolean {
    if (!this.source.next(out)) return false;
    if (this.restamp) out.ts = this.wallTimeOf(out.ts);
    return true;
  }

  /**
   * Changes the speed from wall time `nowWallUs` on, without a jump: the source time reached at
   * `nowWallUs` stays where it is and runs at the new speed from there.
   */
  setSpeed(speed: number, nowWallUs: number): void {
    if (!(speed > 0)) throw new SourceConfigError("SOURCE_PARAM_INVALID", { source: "pacer", param: "speed", expected: "number > 0", got: String(speed) });
    if (this.speed !== Infinity) this.anchorTs += (nowWallUs - this.startWallUs) * this.speed;
    else {
      const next = this.source.peekTs();
      if (next !== Infinity) this.anchorTs = next;
    }
    this.startWallUs = nowWallUs;
    this.speed = speed;
  }

  close(): void {
    this.source.close();
  }
}

/**
 * Paces a source against the wall clock.
 * @example
 * const paced = createPacedSource(replay, { speed: 10, startWallUs: clock.nowUs() });
 * while (paced.dueBy(clock.nowUs())) { paced.next(ev); handle(ev); }
 */
export function createPacedSource(source: MarketSource, options: PaceOptions): PacedSource {
  return new PacedSource(source, options);
}
