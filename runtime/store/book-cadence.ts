/**
 * When to record a book snapshot: at most once per `everyUs` of event time per instrument, so
 * that snapshot depth and cadence are configuration, not code. One comparison per call, no
 * allocation.
 *
 * @example
 * const cadence = new BookSnapshotCadence(1_000_000, instruments.length); // one a second
 * if (cadence.due(ev.instrument, ev.ts)) recorder.recordBookSnapshot(ev.ts, ev.instrument, id, depth, bp, bs, ap, as);
 */

/** Decides, per instrument, whether a book snapshot is due at an event time. */
export class BookSnapshotCadence {
  private readonly next: Float64Array;

  constructor(
    /** Minimum event time between two snapshots of one instrument, µs; 0 snapshots every event. */
    readonly everyUs: number,
    instruments: number,
  ) {
    if (!Number.isSafeInteger(everyUs) || everyUs < 0) throw new RangeError(`STORE_CONFIG_INVALID: snapshotEveryUs=${everyUs}, expected=a whole number >= 0`);
    this.next = new Float64Array(instruments).fill(-Infinity);
  }

  /** True (and the next one scheduled) if a snapshot of `instrumentId` is due at `ts`. */
  due(instrumentId: number, ts: number): boolean {
    if (ts < this.next[instrumentId]) return false;
    this.next[instrumentId] = ts + this.everyUs;
    return true;
  }
}
