/**
 * QuantConnect Lean tick quote files: `ms_since_midnight,bid,ask` with no header, the date in
 * the file name (`YYYYMMDD_..._quote.csv`, possibly gzipped or zipped), as in
 * `../shared/data/oanda/*`. Lean's crypto layout with sizes
 * (`ms,bid,bidSize,ask,askSize`) is read too when the first row has five fields.
 */
import { basename } from "node:path";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { readDataFile } from "./file-bytes.ts";
import { DelimitedQuoteReader, type CsvMapping } from "./mapped-csv.ts";
import { DataFormatError, type QuoteReader } from "./quote-reader.ts";
import { parseDateText } from "./time-text.ts";

/** Returns epoch microseconds at UTC midnight of the `YYYYMMDD` a Lean file name starts with; NaN if none. */
export function leanFileDay(path: string): number {
  const m = /^(\d{8})_/.exec(basename(path));
  return m === null ? Number.NaN : parseDateText(m[1]);
}

/** Opens a Lean tick quote file (plain, gzip or zip); sizes absent in the file are 0. */
export function openLeanQuotes(path: string, instrument: Instrument): QuoteReader {
  const day = leanFileDay(path);
  if (day !== day) throw new DataFormatError("DATA_FILE_NAME_INVALID", { file: path, expected: "YYYYMMDD_<symbol>_..." });
  const bytes = readDataFile(path);
  return new DelimitedQuoteReader(path, bytes, instrument, leanQuoteMapping(bytes, day));
}

/** The column mapping of a Lean quote file's bytes (with sizes when the first line has five fields) for a day starting at `dayUs`. */
export function leanQuoteMapping(bytes: Uint8Array, dayUs: number): CsvMapping {
  const firstLineEnd = bytes.indexOf(10);
  let commas = 0;
  for (let i = 0; i < (firstLineEnd < 0 ? bytes.length : firstLineEnd); i++) if (bytes[i] === 44) commas++;
  const withSizes = commas >= 4;
  return {
    ts: 0,
    tsFormat: "ms",
    tsOffsetUs: dayUs,
    bid: 1,
    ask: withSizes ? 3 : 2,
    bidSize: withSizes ? 2 : undefined,
    askSize: withSizes ? 4 : undefined,
    header: false,
  };
}
