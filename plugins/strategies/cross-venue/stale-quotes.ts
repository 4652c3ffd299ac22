/**
 * Detects stale quotes between two venues quoting the same instrument: a venue's quote is *stale*
 * when it has not changed for `staleUs` while the other venue's touch has moved through it — the
 * other's bid at or above its ask by at least `minEdgeTicks` (its ask is cheap: buy there, sell at
 * the other), or the other's ask at or below its bid by as much (its bid is rich). A moment starts
 * on the quote that makes the condition true and ends on the first quote after which it is false;
 * its size is the largest edge seen, in ticks. Crossings where neither quote is stale are counted
 * apart: they are the providers' different price levels, not staleness. No allocation per quote.
 */

/** What the detector says after a quote. */
export const enum StaleEvent {
  None = 0,
  Started = 1,
  Ended = 2,
}

/** Two venues' touches and the current stale moment, if any. */
export class StaleQuoteDetector {
  readonly bid = new Float64Array(2);
  readonly ask = new Float64Array(2);
  /** ts of each venue's last change of bid or ask. */
  readonly changedTs = new Float64Array(2);
  /** Venue (0 or 1) whose quote is stale in the current moment, or -1. */
  staleVenue = -1;
  /** +1: the stale venue's ask is cheap (buy it); -1: its bid is rich (sell it). */
  direction = 0;
  /** Edge of the current moment now and at its largest, ticks. */
  edge = 0;
  maxEdge = 0;
  startTs = 0;
  /** Crossed quotes where neither side was stale (counted per quote). */
  freshCrossings = 0;

  constructor(readonly staleUs: number, readonly minEdgeTicks: number) {}

  /** Feeds a quote of venue 0 or 1 (prices in ticks); returns whether a moment started or ended. */
  push(venue: 0 | 1, ts: number, bid: number, ask: number): StaleEvent {
    if (bid !== this.bid[venue] || ask !== this.ask[venue]) this.changedTs[venue] = ts;
    this.bid[venue] = bid;
    this.ask[venue] = ask;
    const other = 1 - venue;
    if (!(this.ask[other]! > 0)) return StaleEvent.None;
    // The quoting venue is fresh by definition; only the other one can be stale.
    let stale = -1, dir = 0, edge = 0;
    const cheap = this.bid[venue]! - this.ask[other]!;
    const rich = this.bid[other]! - this.ask[venue]!;
    if (cheap >= this.minEdgeTicks || rich >= this.minEdgeTicks) {
      if (ts - this.changedTs[other]! >= this.staleUs) {
        stale = other;
        dir = cheap >= rich ? 1 : -1;
        edge = Math.max(cheap, rich);
      } else this.freshCrossings++;
    }
    if (this.staleVenue >= 0 && stale === this.staleVenue && dir === this.direction) {
      this.edge = edge;
      if (edge > this.maxEdge) this.maxEdge = edge;
      return StaleEvent.None;
    }
    const ended = this.staleVenue >= 0;
    if (stale >= 0) {
      this.staleVenue = stale;
      this.direction = dir;
      this.edge = edge;
      this.maxEdge = edge;
      this.startTs = ts;
      return StaleEvent.Started;
    }
    this.staleVenue = -1;
    this.direction = 0;
    this.edge = 0;
    return ended ? StaleEvent.Ended : StaleEvent.None;
  }
}
