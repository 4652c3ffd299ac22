/**
 * `importData`: reads market-data files through the format readers and records them into a
 * store file with the `TickRecorder` (so an import exercises the same append path as a live
 * session). Every file is reported: rows per table, bad rows with file and line, or the reason
 * the whole file failed; one bad file never stops the others.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { openBi5Day, openBi5Hour } from "../data/formats/bi5.ts";
import { openBinanceCapture } from "../data/formats/binance.ts";
import { openDukascopyCsv } from "../data/formats/dukascopy-csv.ts";
import { openLeanQuotes } from "../data/formats/lean-quotes.ts";
import { LobsterType, newLobsterMessage, openLobsterBook, openLobsterMessages } from "../data/formats/lobster.ts";
import { openMappedCsv, type CsvMapping, type TsFormat } from "../data/formats/mapped-csv.ts";
import { describeTsFormat, detectTsFormat, inferCsvLayout } from "../data/formats/csv-layout.ts";
import { readDataFile } from "../data/formats/file-bytes.ts";
import { newQuoteRow, type QuoteReader, type RowError } from "../data/formats/quote-reader.ts";
import { openTrueFx } from "../data/formats/truefx.ts";
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { KNOWN_INSTRUMENTS } from "./catalog.ts";
import { StoreDb } from "./database.ts";
import { planImport, type ImportFormat, type ImportUnit } from "./import-plan.ts";
import { importParquet } from "./parquet.ts";
import { TickRecorder } from "./recorder.ts";
import { inferInstrument, type InferInput } from "./instrument-infer.ts";

/** Options of an import. */
export interface ImportOptions {
  db: string;
  /** Instrument symbol for every input (otherwise recognised per file). */
  instrument?: string;
  format?: ImportFormat;
  /** Scales for a symbol the store and the catalogue do not know (inferred from the format or the data otherwise). */
  priceDecimals?: number;
  sizeDecimals?: number;
  /** Quote currency of a new single-asset symbol (the format's, or USD, otherwise). */
  quote?: string;
  /** Column mapping for `--format csv`; without it a header naming time, bid and ask is recognised. A missing `tsFormat` is detected. */
  csvMapping?: Omit<CsvMapping, "tsFormat"> & { tsFormat?: TsFormat };
  /** Book levels kept per LOBSTER order-book row (all by default; 0 keeps only the top as quotes). */
  bookDepth?: number;
  /** Target table of a Parquet file (recognised from its columns otherwise). */
  table?: string;
}

/** What happened to one input. */
export interface FileImport {
  file: string;
  format: ImportFormat | "unknown";
  instrument: string | null;
  rows: Record<string, number>;
  badRows: number;
  errors: RowError[];
  /** Why the whole file failed, with its code; absent if it was read. */
  failed?: string;
  /** What was inferred rather than given (the file's layout, a new instrument's scales), one line each. */
  inferred?: string[];
}

/** The outcome of an import. */
export interface ImportReport {
  files: FileImport[];
  rows: number;
  badRows: number;
  failedFiles: number;
  seconds: number;
}

/** Imports files and folders into a store file. */
export async function importData(inputs: readonly string[], options: ImportOptions): Promise<ImportReport> {
  const t0 = performance.now();
  // The store file is created if missing, and so is its folder.
  mkdirSync(dirname(resolve(options.db)), { recursive: true });
  const { units, problems } = planImport(inputs, options.format, options.instrument?.toUpperCase());
  const files: FileImport[] = problems.map((p) => ({ file: p.path, format: "unknown", instrument: null, rows: {}, badRows: 0, errors: [], failed: p.reason }));
  const layouts = new Map<ImportUnit, CsvLayoutResult>();
  for (const unit of units) if (unit.format === "csv") layouts.set(unit, csvLayout(unit.path, options));
  const { instruments, notes, refusals } = await resolveInstruments(options.db, units, options, layouts);
  const recorded = units.filter((u) => u.format !== "parquet");
  if (recorded.length > 0) {
    const rec = await TickRecorder.open({ db: options.db, instruments: [...instruments.values()] });
    try {
      for (const unit of recorded) {
        const inst = unit.symbol === undefined ? undefined : instruments.get(unit.symbol);
        const layout = layouts.get(unit);
        const report = importUnit(rec, unit, inst, options, layout, unit.symbol === undefined ? undefined : refusals.get(unit.symbol));
        const note = unit.symbol === undefined ? undefined : notes.get(unit.symbol);
        const inferred = [...(layout !== undefined && "description" in layout && layout.inferred ? [`inferred for ${unit.path}: ${layout.description}`] : []), ...(note === undefined ? [] : [note])];
        // An instrument's inference is said once, with the first file that carries it.
        if (note !== undefined) notes.delete(unit.symbol!);
        if (inferred.length > 0) report.inferred = inferred;
        files.push(report);
      }
    } finally {
      await rec.close();
    }
  }
  for (const unit of units.filter((u) => u.format === "parquet")) {
    const db = await StoreDb.open(options.db);
    try {
      files.push(await importParquet(db, unit.path, options.table));
    } finally {
      db.close();
    }
  }
  return {
    files,
    rows: files.reduce((n, f) => n + Object.values(f.rows).reduce((a, b) => a + b, 0), 0),
    badRows: files.reduce((n, f) => n + f.badRows, 0),
    failedFiles: files.filter((f) => f.failed !== undefined).length,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** A CSV unit's mapping and what of it was inferred; or why it could not be had. */
type CsvLayoutResult = { mapping: CsvMapping; description: string; inferred: boolean } | { error: string };

/** The mapping of a CSV unit: the given one (its time unit detected if not given), or one recognised from the header line. */
function csvLayout(path: string, options: ImportOptions): CsvLayoutResult {
  let bytes: Uint8Array;
  try {
    bytes = readDataFile(path);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const given = options.csvMapping;
  if (given === undefined) {
    const layout = inferCsvLayout(bytes);
    if ("error" in layout) return { error: `DATA_FORMAT_UNKNOWN: file=${path}: ${layout.error}; give --columns ts=..,bid=..,ask=.. (and --header, --ts-format)` };
    return { ...layout, inferred: true };
  }
  if (given.tsFormat !== undefined) return { mapping: { ...given, tsFormat: given.tsFormat }, description: "as given", inferred: false };
  const delimiter = given.delimiter ?? ",";
  let ts = given.ts;
  if (typeof ts === "string") {
    const end = bytes.indexOf(10);
    const names = new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end)).replace(/\r$/, "").split(delimiter).map((n) => n.trim().replace(/^"(.*)"$/, "$1"));
    ts = names.indexOf(ts);
  }
  const tsFormat = ts < 0 ? undefined : detectTsFormat(bytes, delimiter, ts, given.header);
  if (tsFormat === undefined) return { error: `DATA_MAPPING_INVALID: file=${path}, ts=${given.ts}: cannot tell how the time is written; give --ts-format s|ms|us|ns|datetime` };
  return { mapping: { ...given, tsFormat }, description: `time ${describeTsFormat(tsFormat)} (by its first rows; --ts-format to set)`, inferred: true };
}

/** Finds or registers the instrument of every unit, reusing the store's ids; a new symbol is inferred from its format or data. */
async function resolveInstruments(
  path: string,
  units: ImportUnit[],
  options: ImportOptions,
  layouts: Map<ImportUnit, CsvLayoutResult>,
): Promise<{ instruments: Map<string, Instrument>; notes: Map<string, string>; refusals: Map<string, string> }> {
  const out = new Map<string, Instrument>();
  const notes = new Map<string, string>();
  const refusals = new Map<string, string>();
  const db = await StoreDb.open(path);
  try {
    let nextId = Number((await db.all("SELECT coalesce(max(id) + 1, 0) AS n FROM instruments"))[0].n);
    const fresh: Instrument[] = [];
    for (const unit of units) {
      const symbol = unit.symbol;
      if (symbol === undefined || out.has(symbol) || refusals.has(symbol) || unit.format === "parquet") continue;
      const known = await db.instrument(symbol);
      if (known !== undefined) {
        out.set(symbol, known);
        continue;
      }
      let template = KNOWN_INSTRUMENTS[symbol];
      if (template !== undefined) template = { ...template, priceDecimals: options.priceDecimals ?? template.priceDecimals, sizeDecimals: options.sizeDecimals ?? template.sizeDecimals };
      else {
        // Every input of this symbol (in the format of the first) shows its scales.
        const inputs: InferInput[] = [];
        for (const u of units) {
          if (u.symbol !== symbol || u.format !== unit.format) continue;
          const layout = layouts.get(u);
          if (layout !== undefined && "error" in layout) continue;
          inputs.push({ path: u.path, format: u.format, mapping: layout?.mapping });
        }
        const inferred = inputs.length === 0 ? { error: "no readable input to infer its decimals from" } : inferInstrument(symbol, inputs, options);
        if ("error" in inferred) {
          refusals.set(symbol, `DATA_INSTRUMENT_UNKNOWN: instrument=${symbol} is not in the store or the catalogue and ${inferred.error}`);
          continue;
        }
        template = inferred.template;
        notes.set(symbol, inferred.note);
      }
      const inst: Instrument = { ...template, id: nextId++ };
      out.set(symbol, inst);
      fresh.push(inst);
    }
    await db.registerInstruments(fresh);
  } finally {
    db.close();
  }
  return { instruments: out, notes, refusals };
}

function importUnit(rec: TickRecorder, unit: ImportUnit, instrument: Instrument | undefined, options: ImportOptions, layout: CsvLayoutResult | undefined, refusal: string | undefined): FileImport {
  const report: FileImport = { file: unit.path, format: unit.format, instrument: instrument?.symbol ?? null, rows: {}, badRows: 0, errors: [] };
  if (layout !== undefined && "error" in layout) {
    report.failed = layout.error;
    return report;
  }
  if (instrument === undefined) {
    report.failed =
      unit.symbol === undefined
        ? "DATA_INSTRUMENT_UNKNOWN: cannot tell the instrument from the path; give --instrument NAME"
        : (refusal ?? `DATA_INSTRUMENT_UNKNOWN: instrument=${unit.symbol} is not in the store or the catalogue; give --price-decimals and --size-decimals`);
    return report;
  }
  const before = rec.stats();
  try {
    switch (unit.format) {
      case "lobster":
        importLobster(rec, unit, instrument, options.bookDepth, report);
        break;
      case "binance":
        importBinance(rec, unit.path, instrument, report);
        break;
      default:
        importQuotes(rec, openQuotes(unit, instrument, layout?.mapping), instrument, report);
    }
  } catch (e) {
    report.failed = (e as Error).message;
  }
  const after = rec.stats();
  for (const table in after) {
    const n = after[table].recorded - before[table].recorded;
    if (n > 0) report.rows[table] = n;
  }
  return report;
}

function openQuotes(unit: ImportUnit, instrument: Instrument, csvMapping: CsvMapping | undefined): QuoteReader {
  switch (unit.format) {
    case "bi5":
      return statSync(unit.path).isDirectory() ? openBi5Day(unit.path, instrument) : openBi5Hour(unit.path, instrument);
    case "dukascopy-csv":
      return openDukascopyCsv(unit.path, instrument);
    case "lean":
      return openLeanQuotes(unit.path, instrument);
    case "truefx":
      return openTrueFx(unit.path, instrument);
    case "csv":
      if (csvMapping === undefined) throw new Error(`DATA_MAPPING_INVALID: file=${unit.path}, mapping=(none), expected=--columns ts=..,bid=..,ask=..`);
      return openMappedCsv(unit.path, instrument, csvMapping);
    default:
      throw new Error(`DATA_FORMAT_UNKNOWN: file=${unit.path}, format=${unit.format}`);
  }
}

function importQuotes(rec: TickRecorder, reader: QuoteReader, instrument: Instrument, report: FileImport): void {
  const row = newQuoteRow();
  const id = instrument.id;
  while (reader.next(row)) rec.recordQuote(row.ts, id, row.bid, row.ask, row.bidSize, row.askSize);
  report.badRows += reader.errorCount;
  report.errors.push(...reader.errors);
  reader.close();
}

function importLobster(rec: TickRecorder, unit: ImportUnit, instrument: Instrument, depth: number | undefined, report: FileImport): void {
  const messages = openLobsterMessages(unit.path, instrument);
  const book = unit.orderbook === undefined ? undefined : openLobsterBook(unit.orderbook, instrument);
  const m = newLobsterMessage();
  const b = book?.newRow();
  const levels = Math.min(depth ?? Number.MAX_SAFE_INTEGER, book?.levels ?? 0);
  const id = instrument.id;
  let seq = 0;
  while (messages.next(m)) {
    seq++;
    if (m.type === LobsterType.Execute || m.type === LobsterType.ExecuteHidden) {
      // An executed sell limit order means a buyer took it: the aggressor is the other side.
      rec.recordTrade(m.ts, id, m.price, m.size, -m.direction, m.orderId);
    }
    if (book !== undefined && b !== undefined) {
      if (!book.reader.next(b)) continue;
      rec.recordQuote(m.ts, id, b.bidPrice[0], b.askPrice[0], b.bidSize[0], b.askSize[0]);
      if (levels > 0) rec.recordBookSnapshot(m.ts, id, seq, levels, b.bidPrice, b.bidSize, b.askPrice, b.askSize);
    }
  }
  report.badRows += messages.errorCount + (book?.reader.errorCount ?? 0);
  report.errors.push(...messages.errors, ...(book?.reader.errors ?? []));
}

function importBinance(rec: TickRecorder, path: string, instrument: Instrument, report: FileImport): void {
  const reader = openBinanceCapture(path, instrument);
  const id = instrument.id;
  for (let e = reader.next(); e !== undefined; e = reader.next()) {
    switch (e.kind) {
      case "bookTicker":
        rec.recordQuote(e.localTs, id, e.bid, e.ask, e.bidSize, e.askSize);
        break;
      case "trade":
        rec.recordTrade(e.localTs, id, e.price, e.size, e.buyerIsMaker ? -1 : 1, e.tradeId);
        break;
      case "depth":
        for (const [p, s] of e.bids) rec.recordBookLevel(e.localTs, id, e.lastId, false, 1, -1, p, s);
        for (const [p, s] of e.asks) rec.recordBookLevel(e.localTs, id, e.lastId, false, -1, -1, p, s);
        break;
      case "snapshot":
        for (let i = 0; i < e.bids.length; i++) rec.recordBookLevel(e.localTs, id, e.lastId, true, 1, i, e.bids[i][0], e.bids[i][1]);
        for (let i = 0; i < e.asks.length; i++) rec.recordBookLevel(e.localTs, id, e.lastId, true, -1, i, e.asks[i][0], e.asks[i][1]);
        break;
    }
  }
  report.badRows += reader.errorCount;
  report.errors.push(...reader.errors);
}
