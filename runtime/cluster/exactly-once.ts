/**
 * Turns JetStream's at-least-once delivery into exactly-once processing: per instrument, the
 * stream sequence of the last event processed; a delivery at or below it is a redelivery (an ack
 * lost, a consumer restarted, a failover) and is skipped and counted. The watermarks travel with
 * the mirrored journal so that a standby skips what its predecessor already processed.
 */

/** Per-instrument high-water marks of processed stream sequences. */
export class SequenceGate {
  private readonly last: Float64Array;
  /** Deliveries skipped as already processed. */
  duplicates = 0;
  /** Deliveries accepted. */
  accepted = 0;

  constructor(instruments: number) {
    this.last = new Float64Array(instruments);
  }

  /** True (and recorded) when `seq` is new for the instrument; false for a redelivery. */
  accept(instrument: number, seq: number): boolean {
    if (seq <= this.last[instrument]!) {
      this.duplicates++;
      return false;
    }
    this.last[instrument] = seq;
    this.accepted++;
    return true;
  }

  /** Last processed sequence of an instrument (0 when none). */
  lastOf(instrument: number): number {
    return this.last[instrument]!;
  }

  /** Raises marks to at least the given ones (a restored journal's watermarks). */
  restore(marks: Readonly<Record<number, number>>): void {
    for (const [k, v] of Object.entries(marks)) {
      const i = Number(k);
      if (i >= 0 && i < this.last.length && v > this.last[i]!) this.last[i] = v;
    }
  }

  /** Marks of instruments that have any, as a plain object (for the journal mirror). */
  snapshot(): Record<number, number> {
    const out: Record<number, number> = {};
    for (let i = 0; i < this.last.length; i++) if (this.last[i]! > 0) out[i] = this.last[i]!;
    return out;
  }
}
