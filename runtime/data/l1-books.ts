/**
 * The data engine's L1 books: one preallocated mutable view per instrument, updated in place, plus
 * counters for the anomalies real feeds have (crossed or locked quotes, exact duplicates, quotes
 * older than the book, one-sided quotes). Anomalies are counted and the quote is not applied; the
 * loop never throws on market data.
 */
import type { BookView } from "../../plugins/sdk/market.ts";

/** Why a quote was not applied (or 0 when it was). */
export const enum QuoteVerdict {
  Applied = 0,
  Crossed = 1,
  Duplicate = 2,
  OutOfOrder = 3,
  Invalid = 4,
}

/** Mutable L1 book of one instrument (read through BookView). */
export class L1Book implements BookView {
  ts = 0;
  bid = 0;
  ask = 0;
  bidSize = 0;
  askSize = 0;
  mid2 = 0;
  valid = false;
  constructor(readonly instrument: number) {}
}

/** Data-quality counters of one instrument. */
export interface FeedCounters {
  applied: number;
  crossed: number;
  duplicate: number;
  outOfOrder: number;
  invalid: number;
}

/** L1 books of every instrument in the deployment. */
export class L1Books {
  readonly books: L1Book[];
  readonly counters: FeedCounters[];

  constructor(instruments: number) {
    this.books = Array.from({ length: instruments }, (_, i) => new L1Book(i));
    this.counters = Array.from({ length: instruments }, () => ({ applied: 0, crossed: 0, duplicate: 0, outOfOrder: 0, invalid: 0 }));
  }

  /** Applies a quote if it is sane; returns what happened. */
  applyQuote(instrument: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number): QuoteVerdict {
    const book = this.books[instrument];
    const c = this.counters[instrument];
    if (book === undefined || c === undefined) return QuoteVerdict.Invalid;
    if (!(bid > 0) || !(ask > 0) || bidSize < 0 || askSize < 0) {
      c.invalid++;
      return QuoteVerdict.Invalid;
    }
    if (bid >= ask) {
      c.crossed++;
      return QuoteVerdict.Crossed;
    }
    if (ts < book.ts) {
      c.outOfOrder++;
      return QuoteVerdict.OutOfOrder;
    }
    if (book.valid && ts === book.ts && bid === book.bid && ask === book.ask && bidSize === book.bidSize && askSize === book.askSize) {
      c.duplicate++;
      return QuoteVerdict.Duplicate;
    }
    book.ts = ts;
    book.bid = bid;
    book.ask = ask;
    book.bidSize = bidSize;
    book.askSize = askSize;
    book.mid2 = bid + ask;
    book.valid = true;
    c.applied++;
    return QuoteVerdict.Applied;
  }

  /** Totals of the counters over every instrument. */
  totals(): FeedCounters {
    const t: FeedCounters = { applied: 0, crossed: 0, duplicate: 0, outOfOrder: 0, invalid: 0 };
    for (const c of this.counters) {
      t.applied += c.applied;
      t.crossed += c.crossed;
      t.duplicate += c.duplicate;
      t.outOfOrder += c.outOfOrder;
      t.invalid += c.invalid;
    }
    return t;
  }
}
