/**
 * Opening a store file: one DuckDB instance and connection, the schema ensured, instruments and
 * strategies registered, and SQL results as plain rows (BIGINTs become numbers while they are
 * exact, timestamps become epoch microseconds).
 */
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection } from "@duckdb/node-api";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { schemaSql } from "./schema.ts";
import { StoreError, storeOpenError } from "./store-error.ts";

/** One result row: column name to a number, string, boolean, null, or a bigint beyond 2^53. */
export type Row = Record<string, number | string | boolean | null | bigint>;

/** An open store file. */
export class StoreDb {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    /** The connection, for appenders and statements this class does not wrap. */
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * Opens (creating if needed) a store file and ensures its schema. Throws `StoreError` STORE_LOCKED or STORE_OPEN_FAILED.
   * `settings` are DuckDB configuration options given at open (e.g. `memory_limit: "128MB"`; DuckDB's
   * default is 80% of RAM, which a recorder fills with cached pages as the file grows).
   */
  static async open(path: string, settings?: Record<string, string>): Promise<StoreDb> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, settings);
    } catch (e) {
      throw storeOpenError(path, (e as Error).message);
    }
    const connection = await instance.connect();
    const db = new StoreDb(path, instance, connection);
    try {
      for (const sql of schemaSql()) await connection.run(sql);
    } catch (e) {
      db.close();
      throw new StoreError("STORE_OPEN_FAILED", { db: path, cause: (e as Error).message.split("\n")[0] });
    }
    return db;
  }

  /** Runs SQL and returns its rows. Throws `StoreError` STORE_QUERY_FAILED with the message DuckDB gave. */
  async all(sql: string, params?: Record<string, string | number | boolean>): Promise<Row[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params as never);
      return reader.getRowObjects().map(toRow);
    } catch (e) {
      throw new StoreError("STORE_QUERY_FAILED", { db: this.path, cause: (e as Error).message.split("\n")[0] });
    }
  }

  /** Runs SQL and returns the column names with the rows as arrays, for printing. */
  async table(sql: string): Promise<{ columns: string[]; rows: (number | string | boolean | null | bigint)[][] }> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      const columns = reader.columnNames();
      return { columns, rows: reader.getRowObjects().map((r) => columns.map((c) => plain(r[c]))) };
    } catch (e) {
      throw new StoreError("STORE_QUERY_FAILED", { db: this.path, cause: (e as Error).message.split("\n")[0] });
    }
  }

  /** Runs SQL that returns nothing. */
  async run(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (e) {
      throw new StoreError("STORE_QUERY_FAILED", { db: this.path, cause: (e as Error).message.split("\n")[0] });
    }
  }

  /** Registers instruments (insert or replace by id). */
  async registerInstruments(instruments: readonly Instrument[]): Promise<void> {
    for (const i of instruments) {
      await this.connection.run(
        "INSERT OR REPLACE INTO instruments VALUES ($id, $symbol, $venue, $base, $quote, $pd, $sd, $lot, $min)",
        { id: i.id, symbol: i.symbol, venue: i.venue, base: i.base, quote: i.quote, pd: i.priceDecimals, sd: i.sizeDecimals, lot: i.lotSize, min: i.minSize } as never,
      );
    }
  }

  /** Registers strategy names by their dense ids. */
  async registerStrategies(names: readonly string[]): Promise<void> {
    for (let id = 0; id < names.length; id++) await this.connection.run("INSERT OR REPLACE INTO strategies VALUES ($id, $name)", { id, name: names[id] } as never);
  }

  /** Returns the instrument registered under a symbol, or undefined. */
  async instrument(symbol: string): Promise<Instrument | undefined> {
    const rows = await this.all("SELECT * FROM instruments WHERE symbol = $symbol", { symbol });
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      id: Number(r.id),
      symbol: String(r.symbol),
      venue: String(r.venue),
      base: String(r.base),
      quote: String(r.quote),
      priceDecimals: Number(r.price_decimals),
      sizeDecimals: Number(r.size_decimals),
      lotSize: Number(r.lot_size),
      minSize: Number(r.min_size),
    };
  }

  /** Closes the connection and the file. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function plain(v: unknown): number | string | boolean | null | bigint {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof DuckDBTimestampValue) return Number(v.micros);
  return String(v);
}

function toRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const k in r) out[k] = plain(r[k]);
  return out;
}
