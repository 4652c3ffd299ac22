/**
 * A file's quotes read once into typed arrays (one column per field), and a `QuoteReader` that
 * plays them back: the per-row parse happens once, when the file is opened, and a replay then
 * costs a few array reads per row. The bad rows the parsing reader found are kept with the
 * columns and reported by every reader over them, in full from the start.
 */
import type { QuoteReader, QuoteRow, RowError } from "./quote-reader.ts";
import { newQuoteRow } from "./quote-reader.ts";

/** Quotes of one file as columns, with the bad rows found while reading it. */
export interface QuoteColumns {
  readonly count: number;
  readonly ts: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly bidSize: Float64Array;
  readonly askSize: Float64Array;
  readonly errors: readonly RowError[];
  readonly errorCount: number;
  readonly source: string;
  /** Bytes the columns hold. */
  readonly bytes: number;
}

/** Reads every row of `reader` into columns, then closes it. */
export function readColumns(reader: QuoteReader): QuoteColumns {
  let cap = 4096;
  let ts = new Float64Array(cap), bid = new Float64Array(cap), ask = new Float64Array(cap), bidSize = new Float64Array(cap), askSize = new Float64Array(cap);
  const row = newQuoteRow();
  let n = 0;
  try {
    while (reader.next(row)) {
      if (n === cap) {
        cap *= 2;
        const grow = (a: Float64Array) => {
          const b = new Float64Array(cap);
          b.set(a);
          return b;
        };
        ts = grow(ts), bid = grow(bid), ask = grow(ask), bidSize = grow(bidSize), askSize = grow(askSize);
      }
      ts[n] = row.ts;
      bid[n] = row.bid;
      ask[n] = row.ask;
      bidSize[n] = row.bidSize;
      askSize[n] = row.askSize;
      n++;
    }
  } finally {
    reader.close();
  }
  const trim = (a: Float64Array) => (a.length === n ? a : a.slice(0, n));
  return {
    count: n, ts: trim(ts), bid: trim(bid), ask: trim(ask), bidSize: trim(bidSize), askSize: trim(askSize),
    errors: reader.errors.slice(), errorCount: reader.errorCount, source: reader.source, bytes: n * 40,
  };
}

/** Plays back quote columns in order (a fresh reader per replay; the columns are shared, never written). */
export class ColumnarQuoteReader implements QuoteReader {
  private i = 0;

  constructor(private readonly c: QuoteColumns) {}

  get source(): string {
    return this.c.source;
  }

  get errors(): readonly RowError[] {
    return this.c.errors;
  }

  get errorCount(): number {
    return this.c.errorCount;
  }

  next(out: QuoteRow): boolean {
    const i = this.i;
    const c = this.c;
    if (i >= c.count) return false;
    out.ts = c.ts[i]!;
    out.bid = c.bid[i]!;
    out.ask = c.ask[i]!;
    out.bidSize = c.bidSize[i]!;
    out.askSize = c.askSize[i]!;
    this.i = i + 1;
    return true;
  }

  close(): void {
    this.i = this.c.count;
  }
}
