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
import { openMappedCsv, type CsvMapping } from "../data/formats/mapped-csv.ts";
import { newQuoteRow, type QuoteReader, type RowError } from "../data/formats/quote-reader.ts";
import { openTrueFx } from "../data/formats/truefx.ts";
import { statSync } from "node:fs";
import { KNOWN_INSTRUMENTS } from "./catalog.ts";
import { StoreDb } from "./database.ts";
import { planImport, type ImportFormat, type ImportUnit } from "./import-plan.ts";
import { importParquet } from "./parquet.ts";
import { TickRecorder } from "./recorder.ts";

/** Options of an import. */
export interface ImportOptions {
  db: string;
  /** Instrument symbol for every input (otherwise recognised per file). */
  instrument?: string;
  format?: ImportFormat;
  /** Scales for a symbol the store and the catalogue do not know. */
  priceDecimals?: number;
  sizeDecimals?: number;
  /** Column mapping for `--format csv`. */
  csvMapping?: CsvMapping;
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
  const { units, problems } = planImport(inputs, options.format, options.instrument?.toUpperCase());
  const files: FileImport[] = problems.map((p) => ({ file: p.path, format: "unknown", instrument: null, rows: {}, badRows: 0, errors: [], failed: p.reason }));
  const instruments = await resolveInstruments(options.db, units, options);
  const recorded = units.filter((u) => u.format !== "parquet");
  if (recorded.length > 0) {
    const rec = await TickRecorder.open({ db: options.db, instruments: [...instruments.values()] });
    try {
      for (const unit of recorded) files.push(importUnit(rec, unit, unit.symbol === undefined ? undefined : instruments.get(unit.symbol), options));
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

/** Finds or registers the instrument of every unit, reusing the store's ids. */
async function resolveInstruments(path: string, units: ImportUnit[], options: ImportOptions): Promise<Map<string, Instrument>> {
  const out = new Map<string, Instrument>();
  const db = await StoreDb.open(path);
  try {
    let nextId = Number((await db.all("SELECT coalesce(max(id) + 1, 0) AS n FROM instruments"))[0].n);
    const fresh: Instrument[] = [];
    for (const unit of units) {
      const symbol = unit.symbol;
      if (symbol === undefined || out.has(symbol) || unit.format === "parquet") continue;
      const known = await db.instrument(symbol);
      if (known !== undefined) {
        out.set(symbol, known);
        continue;
      }
      const template = KNOWN_INSTRUMENTS[symbol];
      if (template === undefined && (options.priceDecimals === undefined || options.sizeDecimals === undefined)) continue;
      const inst: Instrument = {
        ...(template ?? { symbol, venue: "import", base: symbol.slice(0, 3), quote: symbol.slice(3), lotSize: 1, minSize: 1 }),
        priceDecimals: options.priceDecimals ?? template!.priceDecimals,
        sizeDecimals: options.sizeDecimals ?? template!.sizeDecimals,
        id: nextId++,
      };
      out.set(symbol, inst);
      fresh.push(inst);
    }
    await db.registerInstruments(fresh);
  } finally {
    db.close();
  }
  return out;
}

function importUnit(rec: TickRecorder, unit: ImportUnit, instrument: Instrument | undefined, options: ImportOptions): FileImport {
  const report: FileImport = { file: unit.path, format: unit.format, instrument: instrument?.symbol ?? null, rows: {}, badRows: 0, errors: [] };
  if (instrument === undefined) {
    report.failed =
      unit.symbol === undefined
        ? "DATA_INSTRUMENT_UNKNOWN: cannot tell the instrument from the path; give --instrument NAME"
        : `DATA_INSTRUMENT_UNKNOWN: instrument=${unit.symbol} is not in the store or the catalogue; give --price-decimals and --size-decimals`;
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
        importQuotes(rec, openQuotes(unit, instrument, options), instrument, report);
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

function openQuotes(unit: ImportUnit, instrument: Instrument, options: ImportOptions): QuoteReader {
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
      if (options.csvMapping === undefined) throw new Error(`DATA_MAPPING_INVALID: file=${unit.path}, mapping=(none), expected=--columns ts=..,bid=..,ask=..`);
      return openMappedCsv(unit.path, instrument, options.csvMapping);
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
