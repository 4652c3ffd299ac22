/**
 * Dukascopy ticks decoded to CSV (`ts_ms,bid,ask,bid_volume_m,ask_volume_m`, header line,
 * volumes in millions), as in `../shared/data/dukascopy/EURUSD/2019-02-04.csv`.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { openMappedCsv, type CsvMapping } from "./mapped-csv.ts";
import type { QuoteReader } from "./quote-reader.ts";

/** The column mapping of Dukascopy's decoded tick CSV. */
export const DUKASCOPY_CSV_MAPPING: CsvMapping = {
  ts: 0,
  tsFormat: "ms",
  bid: 1,
  ask: 2,
  bidSize: 3,
  askSize: 4,
  header: true,
  sizeMultiplier: 1e6,
};

/** Opens a Dukascopy decoded tick CSV; volumes in millions become size units exactly. */
export function openDukascopyCsv(path: string, instrument: Instrument): QuoteReader {
  return openMappedCsv(path, instrument, DUKASCOPY_CSV_MAPPING);
}
