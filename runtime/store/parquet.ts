/**
 * Parquet out and in. Export writes a table (or any query) as Parquet files partitioned by
 * instrument symbol and UTC day (`<dir>/<name>/instrument=EURUSD/day=2019-02-04/*.parquet`),
 * with the instruments table beside them, so that data can leave this machine for a larger
 * engine. Import reads such files (or any Parquet with a recorded table's columns) back,
 * mapping instrument symbols to this store's ids.
 */
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { StoreDb } from "./database.ts";
import type { FileImport } from "./import.ts";
import { KNOWN_INSTRUMENTS } from "./catalog.ts";
import { RECORDED_TABLES } from "./schema.ts";
import { StoreError } from "./store-error.ts";

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What an export wrote. */
export interface ParquetExport {
  name: string;
  rows: number;
  files: number;
  dir: string;
}

/** Exports a table, or the rows of a query under `name`, to `<dir>/<name>/`, partitioned by instrument and day where it has them. */
export async function exportParquet(db: StoreDb, dir: string, source: { table: string } | { query: string; name: string }): Promise<ParquetExport> {
  const name = "table" in source ? source.table : source.name;
  if (!IDENT.test(name)) throw new StoreError("STORE_CONFIG_INVALID", { name, expected: "a table or export name of letters, digits and _" });
  const select = "table" in source ? `SELECT * FROM ${name}` : source.query;
  const columns = (await db.all(`DESCRIBE (${select})`)).map((r) => String(r.column_name));
  const hasInstrument = columns.includes("instrument_id") && !columns.includes("instrument");
  const hasTs = columns.includes("ts") && !columns.includes("day");
  const parts: string[] = [];
  let query = `SELECT s.*`;
  if (hasInstrument) {
    query += `, i.symbol AS instrument`;
    parts.push("instrument");
  }
  if (hasTs) {
    query += `, strftime(s.ts, '%Y-%m-%d') AS day`;
    parts.push("day");
  }
  query += ` FROM (${select}) s`;
  if (hasInstrument) query += ` LEFT JOIN instruments i ON i.id = s.instrument_id`;
  const target = join(dir, name);
  mkdirSync(dir, { recursive: true });
  const rows = Number((await db.all(`SELECT count(*) AS n FROM (${select})`))[0].n);
  if (parts.length > 0) await db.run(`COPY (${query}) TO ${sqlText(target)} (FORMAT parquet, PARTITION_BY (${parts.join(", ")}), OVERWRITE_OR_IGNORE)`);
  else {
    mkdirSync(target, { recursive: true });
    await db.run(`COPY (${query}) TO ${sqlText(join(target, "data.parquet"))} (FORMAT parquet)`);
  }
  await db.run(`COPY instruments TO ${sqlText(join(dir, "instruments.parquet"))} (FORMAT parquet)`);
  return { name, rows, files: countFiles(target), dir: target };
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    n += statSync(p).isDirectory() ? countFiles(p) : e.endsWith(".parquet") ? 1 : 0;
  }
  return n;
}

/** Imports one Parquet file into the recorded table whose columns it has (or `table`). */
export async function importParquet(db: StoreDb, file: string, table?: string): Promise<FileImport> {
  const report: FileImport = { file, format: "parquet", instrument: null, rows: {}, badRows: 0, errors: [] };
  try {
    const src = `read_parquet(${sqlText(file)}, hive_partitioning = true)`;
    const columns = new Set((await db.all(`DESCRIBE SELECT * FROM ${src}`)).map((r) => String(r.column_name)));
    if (table === "instruments" || (table === undefined && columns.has("price_decimals") && columns.has("symbol"))) {
      const before = Number((await db.all("SELECT count(*) AS n FROM instruments"))[0].n);
      await db.run(
        `INSERT INTO instruments SELECT (SELECT coalesce(max(id) + 1, 0) FROM instruments) + row_number() OVER () - 1, p.symbol, p.venue, p.base, p.quote, p.price_decimals, p.size_decimals, p.lot_size, p.min_size FROM ${src} p WHERE p.symbol NOT IN (SELECT symbol FROM instruments)`,
      );
      report.rows.instruments = Number((await db.all("SELECT count(*) AS n FROM instruments"))[0].n) - before;
      return report;
    }
    const target = table === undefined ? RECORDED_TABLES.find((t) => t.columns.every(([c]) => columns.has(c))) : RECORDED_TABLES.find((t) => t.name === table);
    if (target === undefined) {
      report.failed = `DATA_FORMAT_UNKNOWN: file=${file}, columns=${[...columns].join("|")}, expected=the columns of one of ${RECORDED_TABLES.map((t) => t.name).join("|")} (or --table)`;
      return report;
    }
    const missing = target.columns.filter(([c]) => !columns.has(c) && !(c === "instrument_id" && columns.has("instrument")));
    if (missing.length > 0) {
      report.failed = `DATA_FORMAT_UNKNOWN: file=${file}, table=${target.name}, missing=${missing.map(([c]) => c).join("|")}`;
      return report;
    }
    const byName = target.columns.some(([c]) => c === "instrument_id") && columns.has("instrument");
    if (byName) {
      // Map symbols to this store's ids, registering catalogue instruments it lacks.
      const symbols = (await db.all(`SELECT DISTINCT instrument FROM ${src}`)).map((r) => String(r.instrument));
      const unknown: string[] = [];
      let nextId = Number((await db.all("SELECT coalesce(max(id) + 1, 0) AS n FROM instruments"))[0].n);
      for (const s of symbols) {
        if ((await db.instrument(s)) !== undefined) continue;
        const t = KNOWN_INSTRUMENTS[s];
        if (t === undefined) unknown.push(s);
        else await db.registerInstruments([{ ...t, id: nextId++ }]);
      }
      if (unknown.length > 0) {
        report.failed = `DATA_INSTRUMENT_UNKNOWN: file=${file}, instruments=${unknown.join("|")}; import the export's instruments.parquet first`;
        return report;
      }
      report.instrument = symbols.join(",");
    }
    const select = target.columns.map(([c]) => (c === "instrument_id" && byName ? "i.id" : `p.${c}`)).join(", ");
    const from = byName ? `${src} p JOIN instruments i ON i.symbol = p.instrument` : `${src} p`;
    const before = Number((await db.all(`SELECT count(*) AS n FROM ${target.name}`))[0].n);
    await db.run(`INSERT INTO ${target.name} SELECT ${select} FROM ${from}`);
    report.rows[target.name] = Number((await db.all(`SELECT count(*) AS n FROM ${target.name}`))[0].n) - before;
  } catch (e) {
    report.failed = (e as Error).message;
  }
  return report;
}
