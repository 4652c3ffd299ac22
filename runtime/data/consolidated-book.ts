/**
 * The consolidated book of a several-venue session: for each symbol, the best bid and best ask
 * over the venues that list it, with the venue each came from. A venue whose last quote is older
 * than the stale limit does not count (its price may no longer be there). Computed on demand from
 * the per-venue L1 books (a handful of venues: a few comparisons, no allocation).
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { L1Books } from "./l1-books.ts";

/** Best prices of one symbol across venues (instrument ids are -1 when no venue has that side). */
export interface ConsolidatedQuote {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  /** Session instrument (venue) holding the best bid / ask. */
  bidInstrument: number;
  askInstrument: number;
  /** Newest quote time among the venues counted. */
  ts: number;
  /** Venues counted (fresh and valid). */
  venues: number;
}

/** Groups per-venue instruments by symbol and answers consolidated quotes. */
export class ConsolidatedBooks {
  /** Symbols in first-seen order. */
  readonly symbols: string[] = [];
  /** Instrument ids of each symbol (index as `symbols`). */
  readonly members: number[][] = [];
  /** Symbol index of each instrument. */
  readonly symbolOf: Int32Array;
  private readonly out: ConsolidatedQuote = { bid: 0, ask: 0, bidSize: 0, askSize: 0, bidInstrument: -1, askInstrument: -1, ts: 0, venues: 0 };

  constructor(
    readonly instruments: readonly Instrument[],
    private readonly books: L1Books,
    /** Symbol of an instrument without its venue. */
    symbolOfInstrument: (inst: Instrument) => string,
  ) {
    this.symbolOf = new Int32Array(instruments.length);
    const index = new Map<string, number>();
    for (const inst of instruments) {
      const s = symbolOfInstrument(inst);
      let k = index.get(s);
      if (k === undefined) {
        k = this.symbols.length;
        index.set(s, k);
        this.symbols.push(s);
        this.members.push([]);
      }
      this.members[k]!.push(inst.id);
      this.symbolOf[inst.id] = k;
    }
  }

  /** Instrument ids quoting the same symbol as `instrument` (itself included). */
  siblings(instrument: number): readonly number[] {
    return this.members[this.symbolOf[instrument]!]!;
  }

  /** True when an instrument's feed is older than `staleUs` at `now` (or has never quoted). */
  isStale(instrument: number, now: number, staleUs: number): boolean {
    const b = this.books.books[instrument]!;
    return !b.valid || now - b.ts > staleUs;
  }

  /**
   * Best bid and ask of the symbol of `instrument` over fresh venues at `now` (and, when given,
   * those `usable` accepts). The returned object is reused by the next call: copy what you keep.
   */
  best(instrument: number, now: number, staleUs: number, usable?: (instrument: number) => boolean): ConsolidatedQuote {
    const o = this.out;
    o.bid = 0;
    o.ask = 0;
    o.bidSize = 0;
    o.askSize = 0;
    o.bidInstrument = -1;
    o.askInstrument = -1;
    o.ts = 0;
    o.venues = 0;
    for (const id of this.siblings(instrument)) {
      const b = this.books.books[id]!;
      if (!b.valid || now - b.ts > staleUs) continue;
      if (usable !== undefined && !usable(id)) continue;
      o.venues++;
      if (b.ts > o.ts) o.ts = b.ts;
      if (o.bidInstrument < 0 || b.bid > o.bid) {
        o.bid = b.bid;
        o.bidSize = b.bidSize;
        o.bidInstrument = id;
      }
      if (o.askInstrument < 0 || b.ask < o.ask) {
        o.ask = b.ask;
        o.askSize = b.askSize;
        o.askInstrument = id;
      }
    }
    return o;
  }
}
