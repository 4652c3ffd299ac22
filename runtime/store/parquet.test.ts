import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EURUSD, tempFolder } from "../data/formats/test-support.ts";
import { StoreDb } from "./database.ts";
import { exportParquet, importParquet } from "./parquet.ts";

describe("Parquet", () => {
  test("a query exports under its name, partitioned by instrument and day, and imports back into its table", async () => {
    using dir = tempFolder();
    const db = await StoreDb.open(join(dir.path, "a.duckdb"));
    try {
      await db.registerInstruments([EURUSD]);
      const d1 = Date.UTC(2024, 0, 2) * 1000;
      const d2 = Date.UTC(2024, 0, 3) * 1000;
      await db.run(`INSERT INTO quotes VALUES (make_timestamp(${d1}), 0, 110000, 110002, 1, 2), (make_timestamp(${d2}), 0, 110010, 110012, 3, 4)`);
      const out = join(dir.path, "pq");
      const res = await exportParquet(db, out, { query: "SELECT * FROM quotes WHERE bid > 0", name: "wide_quotes" });
      expect(res).toMatchObject({ name: "wide_quotes", rows: 2, files: 2 });
      expect(existsSync(join(out, "wide_quotes", "instrument=EURUSD", "day=2024-01-03"))).toBe(true);
      await db.run("DELETE FROM quotes");
      const back = await importParquet(db, join(out, "wide_quotes", "instrument=EURUSD", "day=2024-01-03", "data_0.parquet"));
      expect(back).toMatchObject({ rows: { quotes: 1 }, instrument: "EURUSD" });
      expect(back.failed).toBeUndefined();
      expect(await db.all("SELECT epoch_us(ts) AS ts, bid, ask_size FROM quotes")).toEqual([{ ts: d2, bid: 110010, ask_size: 4 }]);
      await expect(exportParquet(db, out, { table: "quotes; DROP TABLE quotes" })).rejects.toThrow("STORE_CONFIG_INVALID");
    } finally {
      db.close();
    }
  });

  test("a Parquet file with no recorded table's columns is refused with the columns it has", async () => {
    using dir = tempFolder();
    const db = await StoreDb.open(join(dir.path, "a.duckdb"));
    try {
      const file = join(dir.path, "odd.parquet");
      await db.run(`COPY (SELECT 1 AS a, 'x' AS b) TO '${file}' (FORMAT parquet)`);
      const r = await importParquet(db, file);
      expect(r.failed).toStartWith(`DATA_FORMAT_UNKNOWN: file=${file}, columns=a|b`);
      const missing = await importParquet(db, join(dir.path, "none.parquet"));
      expect(missing.failed).toContain("STORE_QUERY_FAILED");
    } finally {
      db.close();
    }
  });
});
