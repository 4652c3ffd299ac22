/** Sequential id generation; restored from the journal so ids never repeat across restarts. */

/** Hands out increasing positive integers. */
export class IdSequence {
  constructor(private last = 0) {}

  /** Next id. */
  next(): number {
    return ++this.last;
  }

  /** Ensures later ids are greater than `seen` (used when replaying the journal). */
  observe(seen: number): void {
    if (seen > this.last) this.last = seen;
  }

  /** The last id handed out or observed. */
  get current(): number {
    return this.last;
  }
}
