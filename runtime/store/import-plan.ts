/**
 * Planning an import: inputs (files and folders) become units of work, each with a format
 * (given, or recognised from the path and the first bytes: a CSV whose header names time, bid and
 * ask is "csv") and an instrument symbol (given, or recognised from the path or content: a
 * LOBSTER ticker, a Binance capture's symbol, an FX pair such as gbpjpy in a name). A Dukascopy day folder of hourly `.bi5` files is one
 * unit; a LOBSTER order-book file is paired with its message file, which carries its times.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseLobsterFileName } from "../data/formats/lobster.ts";
import { readDataFile } from "../data/formats/file-bytes.ts";
import { recogniseQuoteHeader } from "../data/formats/csv-layout.ts";
import { KNOWN_INSTRUMENTS } from "./catalog.ts";
import { binanceSymbol, fxPairFromPath } from "./instrument-infer.ts";

/** Formats `kestrel data import` reads. */
export const IMPORT_FORMATS = ["bi5", "dukascopy-csv", "lean", "truefx", "csv", "lobster", "binance", "parquet"] as const;

/** One of `IMPORT_FORMATS`. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One unit of work: a file (or a bi5 day folder, or a LOBSTER pair) in one format for one instrument. */
export interface ImportUnit {
  /** The file or folder, as named in reports. */
  path: string;
  format: ImportFormat;
  /** Instrument symbol; undefined if it could not be recognised (the unit then fails, naming the fix). */
  symbol: string | undefined;
  /** For a LOBSTER message file: its order-book file, when present. */
  orderbook?: string;
}

/** A path that could not be planned, with the reason. */
export interface PlanProblem {
  path: string;
  reason: string;
}

const SKIP = /\.(md|txt|json|yaml|yml)$/i;

/** Expands inputs into import units; `format` and `symbol` override what would be recognised. */
export function planImport(inputs: readonly string[], format?: ImportFormat, symbol?: string): { units: ImportUnit[]; problems: PlanProblem[] } {
  const units: ImportUnit[] = [];
  const problems: PlanProblem[] = [];
  const files: string[] = [];
  const walk = (path: string, explicit: boolean): void => {
    if (!existsSync(path)) {
      problems.push({ path, reason: "DATA_FILE_UNREADABLE: no such file or folder" });
      return;
    }
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path).sort();
      if (entries.some((e) => /^\d{2}h_ticks\.bi5$/.test(e)) && (format === undefined || format === "bi5")) {
        units.push({ path, format: "bi5", symbol: symbol ?? symbolFromPath(path) });
        return;
      }
      for (const e of entries) walk(join(path, e), false);
      return;
    }
    if (!explicit && SKIP.test(path)) return;
    files.push(path);
  };
  for (const input of inputs) walk(input, true);
  const taken = new Set<string>();
  for (const file of files) {
    if (taken.has(file)) continue;
    const f = format ?? detectFormat(file);
    if (f === undefined) {
      problems.push({ path: file, reason: `DATA_FORMAT_UNKNOWN: cannot tell the format; give --format ${IMPORT_FORMATS.join("|")}` });
      continue;
    }
    if (f === "lobster") {
      const name = parseLobsterFileName(file);
      if (name?.kind === "orderbook") {
        const message = file.replace("_orderbook_", "_message_");
        if (files.includes(message)) continue; // imported with its message file
        if (!existsSync(message)) {
          problems.push({ path: file, reason: `DATA_FILE_UNREADABLE: a LOBSTER order book needs its message file for times: ${message}` });
          continue;
        }
        taken.add(message);
        units.push({ path: message, format: f, symbol: symbol ?? name.ticker.toUpperCase(), orderbook: file });
        continue;
      }
      const book = file.replace("_message_", "_orderbook_");
      if (existsSync(book)) taken.add(book);
      units.push({ path: file, format: f, symbol: symbol ?? name?.ticker.toUpperCase(), orderbook: existsSync(book) ? book : undefined });
      continue;
    }
    units.push({ path: file, format: f, symbol: symbol ?? symbolFromPath(file) ?? symbolFromContent(file, f) ?? fxPairFromPath(file) });
  }
  return { units, problems };
}

/** Recognises a format from the path and, where needed, the first line. */
export function detectFormat(path: string): ImportFormat | undefined {
  const name = basename(path);
  if (/\.bi5$/i.test(name)) return "bi5";
  if (/\.parquet$/i.test(name)) return "parquet";
  if (parseLobsterFileName(path) !== undefined) return "lobster";
  if (/^\d{8}_[a-z0-9]+_.*quote\.(csv|zip|csv\.gz|csv\.zip)$/i.test(name)) return "lean";
  const first = firstLine(path);
  if (first === undefined) return undefined;
  if (/^\d{16,20} \{/.test(first)) return "binance";
  if (/^ts_ms,bid,ask/i.test(first)) return "dukascopy-csv";
  if (/^[A-Z]{3}\/[A-Z]{3},\d{8} \d{2}:\d{2}:\d{2}/.test(first)) return "truefx";
  if (recogniseQuoteHeader(first.replace(/^\uFEFF/, "").replace(/\r$/, "")) !== undefined) return "csv";
  return undefined;
}

/** Recognises a known symbol from a path: a folder or file name part such as EURUSD, eurusd, spot_btcusdt. */
export function symbolFromPath(path: string): string | undefined {
  const name = basename(path).toLowerCase();
  if (/^usdm_btcusdt/.test(name)) return "BTCUSDT-PERP";
  const parts = [...path.split(/[\\/]/).reverse(), ...name.split(/[_.\-]/)];
  for (const part of [...name.split(/[_.\-]/), ...parts]) {
    const upper = part.toUpperCase();
    if (upper in KNOWN_INSTRUMENTS) return upper;
  }
  // Dukascopy's own layout: SYMBOL/YYYY/MM/DD/HHh_ticks.bi5.
  const up = basename(dirname(dirname(dirname(path)))).toUpperCase();
  return up in KNOWN_INSTRUMENTS ? up : undefined;
}

function symbolFromContent(path: string, format: ImportFormat): string | undefined {
  if (format === "binance") return binanceSymbol(path, firstBytes(path, 65_536));
  if (format !== "truefx") return undefined;
  const m = /^([A-Z]{3})\/([A-Z]{3}),/.exec(firstLine(path) ?? "");
  return m === null ? undefined : m[1] + m[2];
}

function firstLine(path: string): string | undefined {
  try {
    const bytes = readDataFile(path);
    const end = bytes.indexOf(10);
    return new TextDecoder().decode(bytes.subarray(0, Math.min(end < 0 ? bytes.length : end, 2000)));
  } catch {
    return undefined;
  }
}

function firstBytes(path: string, n: number): string | undefined {
  try {
    return new TextDecoder().decode(readDataFile(path).subarray(0, n));
  } catch {
    return undefined;
  }
}
