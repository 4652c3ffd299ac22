/**
 * Replay of recorded top-of-book ticks in event time. Each spec names the files of one
 * instrument and their format; the format readers parse them, and a k-way merge interleaves the
 * instruments by ts, then by spec order. Rows whose ts goes backwards within an instrument are
 * passed through as they are and counted (the data engine decides what to do with them); bad rows
 * are counted by the readers. At full speed this is a backtest's market; wrapped in a pacer, a
 * paper session's.
 */
import type { Instrument } from "../../../../plugins/sdk/instrument.ts";
import { openBi5Day, openBi5Hour } from "../../formats/bi5.ts";
import { openDukascopyCsv } from "../../formats/dukascopy-csv.ts";
import { openLeanQuotes } from "../../formats/lean-quotes.ts";
import { DelimitedQuoteReader, openMappedCsv, type CsvMapping } from "../../formats/mapped-csv.ts";
import { DataFormatError, newQuoteRow, type QuoteReader, type QuoteRow, type RowError } from "../../formats/quote-reader.ts";
import { inferCsvLayout } from "../../formats/csv-layout.ts";
import { readDataFile } from "../../formats/file-bytes.ts";
import { openTrueFx } from "../../formats/truefx.ts";
import { MergeHeap } from "../merge-heap.ts";
import { MarketEventKind, type MarketEvent, type MarketSource, type SourceBadRows } from "../market-source.ts";
import { SourceConfigError } from "../source-error.ts";
import { ChainedQuoteReader, type OpenQuoteFile } from "./chained-reader.ts";
import { resolveBi5Days, resolveDayFiles } from "./day-files.ts";
import { openCachedDay } from "./day-cache.ts";

/** File formats a replay reads. */
export type ReplayFormat = "dukascopy-csv" | "dukascopy-bi5" | "lean" | "csv" | "truefx";

/** What to replay for one instrument. */
export interface ReplaySpec {
  /**
   * A file, a folder of day files, or a glob of day files (read in date order). For
   * "dukascopy-bi5": an hour file, a `YYYY-MM-DD` day folder, a folder of day folders, or a glob.
   */
  path: string;
  instrument: Instrument;
  format: ReplayFormat;
  /** Column mapping for format "csv"; without one the file's header line must name time, bid and ask. */
  mapping?: CsvMapping;
}

/** Replay of one or more instruments' recorded quotes, merged in event time. */
export class ReplaySource implements MarketSource {
  readonly name: string;
  private readonly heap: MergeHeap;
  private readonly rows: QuoteRow[];
  private readonly ids: Int32Array;
  private readonly lastTs: Float64Array;
  private readonly outOfOrderBy: Float64Array;
  /** Each reader's name in reports (the deployment's path by default the reader's source). */
  readonly labels: readonly string[];
  /** Indexes of the readers that had no good row at all when the replay was opened. */
  readonly emptyReaders: readonly number[];

  constructor(
    /** One reader per instrument, in spec order (the tie-break on equal ts). */
    readonly readers: readonly QuoteReader[],
    instruments: readonly Instrument[],
    name?: string,
    /** Names of the readers in reports (e.g. the paths as the deployment wrote them); the readers' sources otherwise. */
    labels?: readonly string[],
  ) {
    this.name = name ?? `replay(${instruments.map((i) => i.symbol).join(",")})`;
    this.labels = readers.map((r, i) => labels?.[i] ?? r.source);
    const k = readers.length;
    this.heap = new MergeHeap(k);
    this.rows = readers.map(() => newQuoteRow());
    this.ids = Int32Array.from(instruments, (i) => i.id);
    this.lastTs = new Float64Array(k).fill(-Infinity);
    this.outOfOrderBy = new Float64Array(k);
    const empty: number[] = [];
    for (let i = 0; i < k; i++) {
      this.refill(i);
      if (this.lastTs[i] === -Infinity) empty.push(i);
    }
    this.emptyReaders = empty;
  }

  /** Bad rows per reader (by label; readers sharing a label are summed), with the first of each. */
  badRowsBySource(): SourceBadRows[] {
    const out = new Map<string, SourceBadRows>();
    this.readers.forEach((r, i) => {
      const label = this.labels[i];
      const entry = out.get(label) ?? { source: label, count: 0, first: null };
      entry.count += r.errorCount;
      entry.first ??= r.errors[0] ?? null;
      out.set(label, entry);
    });
    return [...out.values()];
  }

  /** Rows whose ts was earlier than the previous row of the same instrument, over all instruments. */
  get outOfOrderCount(): number {
    let n = 0;
    for (let i = 0; i < this.outOfOrderBy.length; i++) n += this.outOfOrderBy[i];
    return n;
  }

  /** Bad rows, unreadable files and out-of-order rows, counted. */
  get errorCount(): number {
    let n = this.outOfOrderCount;
    for (const r of this.readers) n += r.errorCount;
    return n;
  }

  /** The first bad rows of every reader, with file and line. */
  get errors(): readonly RowError[] {
    return this.readers.flatMap((r) => r.errors);
  }

  peekTs(): number {
    return this.heap.topTs();
  }

  next(out: MarketEvent): boolean {
    if (this.heap.topTs() === Infinity) return false;
    const slot = this.heap.top();
    const row = this.rows[slot];
    out.kind = MarketEventKind.Quote;
    out.ts = row.ts;
    out.instrument = this.ids[slot];
    out.bid = row.bid;
    out.ask = row.ask;
    out.bidSize = row.bidSize;
    out.askSize = row.askSize;
    this.refill(slot);
    return true;
  }

  close(): void {
    for (let i = 0; i < this.readers.length; i++) {
      this.readers[i].close();
      this.heap.set(i, Infinity);
    }
  }

  /** Reads the next row of a reader into its slot and re-keys the slot. */
  private refill(slot: number): void {
    const row = this.rows[slot];
    if (!this.readers[slot].next(row)) {
      this.heap.set(slot, Infinity);
      return;
    }
    if (row.ts < this.lastTs[slot]) this.outOfOrderBy[slot]++;
    this.lastTs[slot] = row.ts;
    this.heap.set(slot, row.ts);
  }
}

/** Opens a CSV whose header line names its time, bid and ask columns; `DATA_FORMAT_UNKNOWN` if it does not. */
function openRecognisedCsv(path: string, instrument: Instrument): QuoteReader {
  const bytes = readDataFile(path);
  const layout = inferCsvLayout(bytes);
  if ("error" in layout) throw new DataFormatError("DATA_FORMAT_UNKNOWN", { file: path, reason: layout.error, expected: "a header naming time, bid and ask, or a mapping" });
  return new DelimitedQuoteReader(path, bytes, instrument, layout.mapping);
}

/** Returns the function that opens one file of a spec's format. */
function opener(spec: ReplaySpec, index: number): OpenQuoteFile {
  switch (spec.format) {
    case "dukascopy-csv":
      return (path) => openDukascopyCsv(path, spec.instrument);
    case "dukascopy-bi5":
      return (path) => (path.endsWith(".bi5") ? openBi5Hour(path, spec.instrument) : openBi5Day(path, spec.instrument));
    case "lean":
      return (path) => openLeanQuotes(path, spec.instrument);
    case "truefx":
      return (path) => openTrueFx(path, spec.instrument);
    case "csv": {
      const mapping = spec.mapping;
      // Without a mapping, a header line naming time, bid and ask (and sizes) says the layout.
      if (mapping === undefined) return (path) => openRecognisedCsv(path, spec.instrument);
      return (path) => openMappedCsv(path, spec.instrument, mapping);
    }
    default:
      throw new SourceConfigError("SOURCE_PARAM_INVALID", { source: "replay", param: `specs[${index}].format`, expected: "dukascopy-csv|dukascopy-bi5|lean|csv|truefx", got: String((spec as ReplaySpec).format) });
  }
}

/**
 * Opens a replay of one or more instruments, merged by (ts, spec order). Files are checked to
 * exist now; each is parsed into columns when the replay reaches it (once per process: a file
 * read before is played from the day cache).
 * @example
 * const replay = openReplaySource([
 *   { path: "../shared/data/oanda/eurusd", instrument: eurusd, format: "lean" },
 *   { path: "../shared/data/oanda/nzdusd", instrument: nzdusd, format: "lean" },
 * ]);
 */
export function openReplaySource(specs: readonly ReplaySpec[], name?: string): ReplaySource {
  if (specs.length === 0) throw new SourceConfigError("SOURCE_PARAM_INVALID", { source: "replay", param: "specs", expected: "at least one spec" });
  const readers = specs.map((spec, i) => openSpecReader(spec, i));
  return new ReplaySource(readers, specs.map((s) => s.instrument), name);
}

/** Opens the reader of one replay spec (files checked now, parsed when reached); `index` names the spec in errors. */
export function openSpecReader(spec: ReplaySpec, index: number): QuoteReader {
  const parse = opener(spec, index);
  // Each file is read once into columns (and kept for a later replay of it in this process).
  const how = JSON.stringify([spec.format, spec.instrument, spec.mapping ?? null]);
  const open: OpenQuoteFile = (path) => openCachedDay(path, how, parse);
  const files = spec.format === "dukascopy-bi5" ? resolveBi5Days(spec.path) : resolveDayFiles(spec.path, spec.format === "lean");
  return new ChainedQuoteReader(files, open);
}
