/**
 * One quote reader over a sequence of files (the day files of one instrument), read one after
 * another. Each file is opened only when the previous one is finished, so a long history is not
 * held in memory at once. A file that cannot be opened is counted as an error and skipped: a
 * replay never stops halfway through.
 */
import { DataFormatError, MAX_KEPT_ERRORS, type QuoteReader, type QuoteRow, type RowError } from "../../formats/quote-reader.ts";

/** Opens one file of the chain. */
export type OpenQuoteFile = (path: string) => QuoteReader;

/** A `QuoteReader` reading several files in order. */
export class ChainedQuoteReader implements QuoteReader {
  readonly source: string;
  private readonly kept: RowError[] = [];
  private finishedErrors = 0;
  private current: QuoteReader | null = null;
  private nextFile = 0;

  constructor(
    readonly files: readonly string[],
    private readonly open: OpenQuoteFile,
  ) {
    this.source = files.length === 1 ? files[0] : `${files[0]} (+${files.length - 1} files)`;
  }

  /** Bad rows of all files read so far (the first `MAX_KEPT_ERRORS`). */
  get errors(): readonly RowError[] {
    if (this.current === null) return this.kept;
    const room = MAX_KEPT_ERRORS - this.kept.length;
    return room > 0 ? this.kept.concat(this.current.errors.slice(0, room)) : this.kept;
  }

  /** Bad rows and unreadable files so far. */
  get errorCount(): number {
    return this.finishedErrors + (this.current === null ? 0 : this.current.errorCount);
  }

  next(out: QuoteRow): boolean {
    for (;;) {
      if (this.current !== null && this.current.next(out)) return true;
      if (!this.openNext()) return false;
    }
  }

  close(): void {
    this.retire();
    this.nextFile = this.files.length;
  }

  /** Closes the current file and opens the next readable one; false when none is left. */
  private openNext(): boolean {
    this.retire();
    while (this.nextFile < this.files.length) {
      const file = this.files[this.nextFile++];
      try {
        this.current = this.open(file);
        return true;
      } catch (e) {
        this.finishedErrors++;
        const reason = e instanceof DataFormatError ? e.message : String(e);
        if (this.kept.length < MAX_KEPT_ERRORS) this.kept.push({ file, line: 0, reason });
      }
    }
    return false;
  }

  private retire(): void {
    const r = this.current;
    if (r === null) return;
    this.finishedErrors += r.errorCount;
    for (const e of r.errors) if (this.kept.length < MAX_KEPT_ERRORS) this.kept.push(e);
    r.close();
    this.current = null;
  }
}
