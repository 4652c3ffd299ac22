/**
 * The tick store: recording a session into DuckDB off the hot path, importing market data,
 * the built-in queries, Parquet export and replay from the store, and the `kestrel data` CLI.
 */
export { TickRecorder, type RecorderOptions, type TableStats, type BackpressurePolicy, type LagAlert } from "./recorder.ts";
export { attachRecorder, type RecordableCore } from "./session-recording.ts";
export { BookSnapshotCadence } from "./book-cadence.ts";
export { StoreDb, type Row } from "./database.ts";
export { StoreError } from "./store-error.ts";
export { RECORDED_TABLES, ORDER_STATE_CODE, ORDER_TYPE_CODE, type RecordedTable } from "./schema.ts";
export { importData, type ImportOptions, type ImportReport, type FileImport } from "./import.ts";
export { IMPORT_FORMATS, type ImportFormat } from "./import-plan.ts";
export { bars, spreadStats, activityProfile, transactionCosts, realisedPnl, type Bar, type RealisedPnl, type TimeRange } from "./queries.ts";
export { exportParquet, importParquet, type ParquetExport } from "./parquet.ts";
export { openStoreQuotes } from "./quote-source.ts";
export { runDataCommand, type DataCommandIo } from "./cli.ts";
export { KNOWN_INSTRUMENTS, type InstrumentTemplate } from "./catalog.ts";
