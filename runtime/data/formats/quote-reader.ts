/**
 * The shape every top-of-book file reader shares. A reader parses its whole file once into a
 * byte buffer and then fills one reused `QuoteRow` per `next()` call, so a replay loop over
 * millions of quotes allocates nothing per row. Bad rows never stop a reader: they are skipped,
 * counted and remembered (the first `MAX_KEPT_ERRORS`) with file and line.
 */

/** One top-of-book row, integers: ts in microseconds since epoch, prices in ticks, sizes in units. Reused by the reader (flyweight). */
export interface QuoteRow {
  ts: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

/** A bad row, with where it was. */
export interface RowError {
  file: string;
  line: number;
  reason: string;
}

/** Reads records of one kind in file order into a reused `out`; false at the end; bad rows are skipped and reported. */
export interface RecordReader<T> {
  next(out: T): boolean;
  readonly errors: readonly RowError[];
  readonly errorCount: number;
  readonly source: string;
  close(): void;
}

/** Reads quotes in file order; next() fills `out` and returns false at the end; bad rows are skipped, counted and kept in `errors` (capped list + total count). */
export interface QuoteReader extends RecordReader<QuoteRow> {}

/** How many bad rows a reader keeps in full; later ones are only counted. */
export const MAX_KEPT_ERRORS = 100;

/** Returns a zeroed row to pass to `QuoteReader.next`. */
export function newQuoteRow(): QuoteRow {
  return { ts: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0 };
}

/** Keeps the first bad rows of a file in full and counts all of them. */
export class RowErrorLog {
  /** The first `MAX_KEPT_ERRORS` bad rows. */
  readonly errors: RowError[] = [];
  /** Every bad row seen, kept or not. */
  count = 0;

  constructor(readonly file: string) {}

  /** Records a bad row at a 1-based line (or record) number; `file` defaults to the log's file. */
  add(line: number, reason: string, file: string = this.file): void {
    this.count++;
    if (this.errors.length < MAX_KEPT_ERRORS) this.errors.push({ file, line, reason });
  }
}

/** Error thrown when a whole file cannot be opened or is not in the expected format. */
export class DataFormatError extends Error {
  constructor(
    /** Stable code, e.g. `DATA_FILE_UNREADABLE`. */
    readonly code: string,
    /** `key=value` context naming the file and what was wrong. */
    readonly context: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(context).map(([k, v]) => `${k}=${v}`).join(", ")}`);
    this.name = "DataFormatError";
  }
}
