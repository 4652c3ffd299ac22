/**
 * A market source over events held in memory: for tests, for scripted scenarios and for short
 * recorded snippets. Events are copied out one by one in the order given (callers provide them
 * in ts order; a ts that goes backwards is passed through and counted, as a replay does).
 */
import { copyMarketEvent, type MarketEvent, type MarketSource } from "./market-source.ts";

/** A source that plays a fixed list of events. */
export class ArraySource implements MarketSource {
  private index = 0;
  private outOfOrder = 0;

  constructor(
    private readonly events: readonly MarketEvent[],
    readonly name = "array",
  ) {
    for (let i = 1; i < events.length; i++) if (events[i].ts < events[i - 1].ts) this.outOfOrder++;
  }

  /** Events whose ts is earlier than the one before. */
  get errorCount(): number {
    return this.outOfOrder;
  }

  peekTs(): number {
    return this.index < this.events.length ? this.events[this.index].ts : Infinity;
  }

  next(out: MarketEvent): boolean {
    if (this.index >= this.events.length) return false;
    copyMarketEvent(this.events[this.index++], out);
    return true;
  }

  close(): void {
    this.index = this.events.length;
  }
}
