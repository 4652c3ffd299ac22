/**
 * TrueFX-style tick CSV: `PAIR,YYYYMMDD HH:MM:SS.mmm,bid,ask`, no header, no sizes (they are 0).
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { openMappedCsv, type CsvMapping } from "./mapped-csv.ts";
import type { QuoteReader } from "./quote-reader.ts";

/** The column mapping of a TrueFX tick CSV. */
export const TRUEFX_MAPPING: CsvMapping = { ts: 1, tsFormat: "datetime", bid: 2, ask: 3, header: false };

/** Opens a TrueFX tick CSV (plain, gzip or zip). */
export function openTrueFx(path: string, instrument: Instrument): QuoteReader {
  return openMappedCsv(path, instrument, TRUEFX_MAPPING);
}
