/**
 * Replay from the store: loads one instrument's quotes from a store file into typed columns and
 * serves them through the same `QuoteReader` interface as the file readers, so the replay venue
 * reads a DuckDB file as it reads a CSV. Columns come out of DuckDB as whole vectors (one copy
 * per 2048 rows), not row objects.
 */
import duckdb from "@duckdb/node-bindings";
import type { QuoteReader, QuoteRow, RowError } from "../data/formats/quote-reader.ts";
import { StoreDb } from "./database.ts";
import type { TimeRange } from "./queries.ts";
import { StoreError } from "./store-error.ts";

/** Quotes held in memory as columns, read in (ts, insertion) order. */
class StoredQuotes implements QuoteReader {
  readonly errors: readonly RowError[] = [];
  readonly errorCount = 0;
  private at = 0;

  constructor(
    readonly source: string,
    private readonly cols: Float64Array[],
    private readonly count: number,
  ) {}

  next(out: QuoteRow): boolean {
    const i = this.at;
    if (i >= this.count) return false;
    const c = this.cols;
    out.ts = c[0][i];
    out.bid = c[1][i];
    out.ask = c[2][i];
    out.bidSize = c[3][i];
    out.askSize = c[4][i];
    this.at = i + 1;
    return true;
  }

  close(): void {
    this.at = this.count;
  }
}

/** Opens the quotes of `symbol` in a store file (optionally a time range) as a `QuoteReader`. Throws `StoreError`. */
export async function openStoreQuotes(dbPath: string, symbol: string, range: TimeRange = {}): Promise<QuoteReader> {
  const db = await StoreDb.open(dbPath);
  try {
    const inst = await db.instrument(symbol);
    if (inst === undefined) throw new StoreError("STORE_QUERY_FAILED", { db: dbPath, instrument: symbol, cause: "not in the instruments table" });
    let where = `instrument_id = ${inst.id}`;
    if (range.from !== undefined) where += ` AND ts >= make_timestamp(${Math.trunc(range.from)})`;
    if (range.to !== undefined) where += ` AND ts < make_timestamp(${Math.trunc(range.to)})`;
    const n = Number((await db.all(`SELECT count(*) AS n FROM quotes WHERE ${where}`))[0].n);
    const cols = Array.from({ length: 5 }, () => new Float64Array(n));
    // Values are integers below 2^53, so DOUBLE carries them exactly.
    const result = await db.connection.run(
      `SELECT epoch_us(ts)::DOUBLE, bid::DOUBLE, ask::DOUBLE, bid_size::DOUBLE, ask_size::DOUBLE FROM quotes WHERE ${where} ORDER BY ts, rowid`,
    );
    let at = 0;
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const rows = Math.min(chunk.rowCount, n - at);
      for (let j = 0; j < 5; j++) {
        const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, j), rows * 8);
        cols[j].set(new Float64Array(bytes.buffer, bytes.byteOffset, rows), at);
      }
      at += rows;
    }
    return new StoredQuotes(`${dbPath}#${symbol}`, cols, at);
  } finally {
    db.close();
  }
}
