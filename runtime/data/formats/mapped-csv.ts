/**
 * The generic delimited-text quote reader: a declared mapping says which column holds the time,
 * bid, ask and sizes, how the time is written, whether there is a header line, the delimiter and
 * how many size units one size in the file is worth. The Dukascopy CSV, Lean and TrueFX readers
 * are this reader with a fixed mapping.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { readDataFile } from "./file-bytes.ts";
import { DataFormatError, RowErrorLog, type QuoteReader, type QuoteRow, type RowError } from "./quote-reader.ts";
import { TextCursor } from "./text-cursor.ts";
import { parseDateTimeBytes } from "./time-text.ts";

/** How the time column is written: a number of seconds/ms/µs/ns since the epoch, or a date-time text. */
export type TsFormat = "s" | "ms" | "us" | "ns" | "datetime";

/** A column by 0-based index, or by its name in the header line. */
export type CsvColumn = number | string;

/** Declared layout of a quote CSV. */
export interface CsvMapping {
  /** Column of the timestamp. */
  ts: CsvColumn;
  /** How the timestamp is written; numbers may carry decimals (e.g. "1549238400.994" in "s"). */
  tsFormat: TsFormat;
  /** Microseconds added to every timestamp (e.g. the day of a file whose times are since midnight). */
  tsOffsetUs?: number;
  bid: CsvColumn;
  ask: CsvColumn;
  /** Size columns; absent means sizes are 0. */
  bidSize?: CsvColumn;
  askSize?: CsvColumn;
  /** True if the first line names the columns. */
  header: boolean;
  /** One-character field delimiter; "," by default. */
  delimiter?: string;
  /** Size units per size in the file as a power of ten (1e6 when the file counts millions); 1 by default. */
  sizeMultiplier?: number;
}

const SKIP = 0;
const TS = 1;
const BID = 2;
const ASK = 3;
const BID_SIZE = 4;
const ASK_SIZE = 5;
const ROLE_NAMES = ["", "ts", "bid", "ask", "bidSize", "askSize"];

/** Returns the unsigned integer written in `buf[start, end)`; NaN if a byte is not a digit or it is empty. */
function digitsValue(buf: Uint8Array, start: number, end: number): number {
  if (end <= start) return Number.NaN;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Opens a quote CSV with a declared column mapping. Throws `DataFormatError` if the file or mapping is unusable. */
export function openMappedCsv(path: string, instrument: Instrument, mapping: CsvMapping): QuoteReader {
  return new DelimitedQuoteReader(path, readDataFile(path), instrument, mapping);
}

/** Reads quotes from delimited text in memory according to a mapping. */
export class DelimitedQuoteReader implements QuoteReader {
  readonly source: string;
  private readonly log: RowErrorLog;
  private readonly cursor: TextCursor;
  private readonly roles: Uint8Array;
  private readonly priceDecimals: number;
  private readonly sizeDecimals: number;
  private readonly tsDecimals: number;
  private readonly tsDivisor: number;
  private readonly tsOffset: number;
  private readonly tsText: boolean;
  private readonly lastColumn: number;

  constructor(source: string, bytes: Uint8Array, instrument: Instrument, mapping: CsvMapping) {
    this.source = source;
    this.log = new RowErrorLog(source);
    const delimiter = mapping.delimiter ?? ",";
    if (delimiter.length !== 1) throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, delimiter, expected: "one character" });
    this.cursor = new TextCursor(bytes, delimiter.charCodeAt(0));
    const multiplier = mapping.sizeMultiplier ?? 1;
    const exponent = Math.round(Math.log10(multiplier));
    if (!(multiplier > 0) || 10 ** exponent !== multiplier) {
      throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, sizeMultiplier: multiplier, expected: "a power of ten" });
    }
    this.priceDecimals = instrument.priceDecimals;
    this.sizeDecimals = instrument.sizeDecimals + exponent;
    if (this.sizeDecimals < 0) throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, sizeMultiplier: multiplier, expected: "at least one size unit" });
    this.tsText = mapping.tsFormat === "datetime";
    this.tsDecimals = { s: 6, ms: 3, us: 0, ns: 0, datetime: 0 }[mapping.tsFormat];
    if (this.tsDecimals === undefined) throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, tsFormat: mapping.tsFormat, expected: "s|ms|us|ns|datetime" });
    this.tsDivisor = mapping.tsFormat === "ns" ? 1000 : 1;
    this.tsOffset = mapping.tsOffsetUs ?? 0;

    let names: string[] = [];
    if (mapping.header) {
      if (this.cursor.nextLine()) {
        while (!this.cursor.atLineEnd()) names.push(this.cursor.text().trim().replace(/^"(.*)"$/, "$1"));
      }
    }
    const columnOf = (role: string, column: CsvColumn): number => {
      if (typeof column === "number") {
        if (!Number.isInteger(column) || column < 0) throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, [role]: column, expected: "a column index >= 0" });
        return column;
      }
      const at = names.indexOf(column);
      if (at < 0) throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, [role]: column, header: names.join("|") || "(none)" });
      return at;
    };
    const wanted: [number, CsvColumn | undefined][] = [
      [TS, mapping.ts],
      [BID, mapping.bid],
      [ASK, mapping.ask],
      [BID_SIZE, mapping.bidSize],
      [ASK_SIZE, mapping.askSize],
    ];
    const placed: [number, number][] = [];
    for (const [role, column] of wanted) if (column !== undefined) placed.push([role, columnOf(ROLE_NAMES[role], column)]);
    this.lastColumn = Math.max(...placed.map(([, c]) => c));
    this.roles = new Uint8Array(this.lastColumn + 1);
    for (const [role, column] of placed) {
      if (this.roles[column] !== SKIP) throw new DataFormatError("DATA_MAPPING_INVALID", { file: source, column, roles: `${ROLE_NAMES[this.roles[column]]}+${ROLE_NAMES[role]}` });
      this.roles[column] = role;
    }
  }

  get errors(): readonly RowError[] {
    return this.log.errors;
  }

  get errorCount(): number {
    return this.log.count;
  }

  next(out: QuoteRow): boolean {
    const c = this.cursor;
    while (c.nextLine()) {
      const reason = this.parseLine(out);
      if (reason === null) return true;
      this.log.add(c.line, reason);
    }
    return false;
  }

  close(): void {}

  /** Parses the current line into `out`; returns null, or why the line is bad. */
  private parseLine(out: QuoteRow): string | null {
    const c = this.cursor;
    const roles = this.roles;
    let bidSize = 0;
    let askSize = 0;
    for (let col = 0; col <= this.lastColumn; col++) {
      const role = roles[col];
      if (role === SKIP) {
        if (!c.skip()) return `${this.describeMissing(col)}`;
        continue;
      }
      if (role === TS) {
        let ts: number;
        if (this.tsText) {
          if (!c.skip()) return "ts: missing";
          ts = parseDateTimeBytes(c.buf, c.fieldStart, c.fieldEnd);
          if (ts !== ts) return `ts: not a date-time: "${c.fieldText()}"`;
        } else if (this.tsDivisor !== 1) {
          // Nanoseconds since the epoch pass 2^53: drop the last three digits before converting.
          if (!c.skip()) return "ts: missing";
          ts = c.fieldEnd - c.fieldStart > 3 ? digitsValue(c.buf, c.fieldStart, c.fieldEnd - 3) : 0;
          if (ts !== ts || digitsValue(c.buf, c.fieldEnd - 3, c.fieldEnd) !== digitsValue(c.buf, c.fieldEnd - 3, c.fieldEnd)) {
            return `ts: not a whole number of nanoseconds: "${c.fieldText()}"`;
          }
        } else {
          ts = c.scaled(this.tsDecimals);
          if (ts !== ts) {
            // Finer digits than a microsecond are truncated, not refused.
            if (c.failure !== 3) return c.describe("ts");
            ts = this.truncatedTs();
            if (ts !== ts) return c.describe("ts");
          }
        }
        out.ts = ts + this.tsOffset;
        continue;
      }
      const decimals = role === BID || role === ASK ? this.priceDecimals : this.sizeDecimals;
      const v = c.scaled(decimals);
      if (v !== v) return c.describe(ROLE_NAMES[role]);
      if (role === BID) out.bid = v;
      else if (role === ASK) out.ask = v;
      else {
        if (v < 0) return `${ROLE_NAMES[role]}: negative size ${v}`;
        if (role === BID_SIZE) bidSize = v;
        else askSize = v;
      }
    }
    out.bidSize = bidSize;
    out.askSize = askSize;
    return null;
  }

  /** Re-parses the last time field keeping only the digits a microsecond needs. */
  private truncatedTs(): number {
    const c = this.cursor;
    const buf = c.buf;
    let end = c.fieldStart;
    // In exponent notation the digits after the point are not the fraction: nothing to truncate.
    for (let i = c.fieldStart; i < c.fieldEnd; i++) if ((buf[i] | 32) === 101) return Number.NaN;
    while (end < c.fieldEnd && buf[end] !== 46) end++;
    const keep = Math.min(c.fieldEnd, end + 1 + this.tsDecimals);
    const saved = c.pos;
    const savedEnd = c.lineEnd;
    c.pos = c.fieldStart;
    c.lineEnd = keep;
    const v = c.scaled(this.tsDecimals);
    c.lineEnd = savedEnd;
    c.pos = saved;
    return v;
  }

  private describeMissing(col: number): string {
    return `column ${col}: missing (line has too few fields)`;
  }
}
