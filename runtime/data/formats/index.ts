/**
 * Market-data file readers: top-of-book quotes (Dukascopy CSV and bi5, Lean, TrueFX, any CSV
 * with a declared mapping), LOBSTER messages and books, and Binance captures.
 */
export * from "./quote-reader.ts";
export { openMappedCsv, type CsvMapping, type CsvColumn, type TsFormat } from "./mapped-csv.ts";
export { openDukascopyCsv, DUKASCOPY_CSV_MAPPING } from "./dukascopy-csv.ts";
export { openLeanQuotes, leanFileDay } from "./lean-quotes.ts";
export { openTrueFx, TRUEFX_MAPPING } from "./truefx.ts";
export { openBi5Hour, openBi5Day, bi5HourStart, decodeBi5File, type Bi5Options } from "./bi5.ts";
export { decodeLzmaAlone, type LzmaResult } from "./lzma.ts";
export { readDataFile } from "./file-bytes.ts";
export {
  openLobsterMessages,
  openLobsterBook,
  newLobsterMessage,
  parseLobsterFileName,
  zoneOffsetMinutes,
  LobsterType,
  type LobsterMessage,
  type LobsterBook,
  type LobsterOptions,
  type LobsterFileName,
} from "./lobster.ts";
export { openBinanceCapture, BinanceCaptureReader, scaledText, type BinanceEvent, type DepthDiff, type DepthSnapshot, type BookTicker, type BinanceTrade, type Level } from "./binance.ts";
export { BinanceBook, type BookSyncResult } from "./binance-book.ts";
