/**
 * Import of the real Dukascopy EURUSD day (24 hourly .bi5 files, 136,741 ticks): ticks/s from
 * raw LZMA files into a DuckDB store (decode + record + append + close), against importing the
 * same day from its decoded CSV in the same run; decode-only rates; and the query time of
 * 1-second bars over the day against a plain count over the same rows. Medians of 5 runs. A
 * single day is small enough that opening the file and starting the writer (~0.3 s) weigh in;
 * the 5-day row shows the steady rate.
 *
 *   bun bench/import-bi5.ts
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { openBi5Day } from "../runtime/data/formats/bi5.ts";
import { openDukascopyCsv } from "../runtime/data/formats/dukascopy-csv.ts";
import { newQuoteRow, type QuoteReader } from "../runtime/data/formats/quote-reader.ts";
import { KNOWN_INSTRUMENTS } from "../runtime/store/catalog.ts";
import { StoreDb } from "../runtime/store/database.ts";
import { importData } from "../runtime/store/import.ts";
import { bars } from "../runtime/store/queries.ts";

const data = (p: string) => fileURLToPath(new URL(`../../shared/data/${p}`, import.meta.url));
const DAY = data("dukascopy/EURUSD/2019-02-04");
const CSV = data("dukascopy/EURUSD/2019-02-04.csv");
const EURUSD = { ...KNOWN_INSTRUMENTS.EURUSD, id: 0 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Medians over `runs` runs: bi5 and CSV import ticks/s, decode-only rates, bars query ms (`fiveDays`: also the 5-day import). */
export async function measureImport(runs: number, fiveDays: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-import-"));

  function decodeRate(open: () => QuoteReader): number {
    const t0 = performance.now();
    const r = open();
    const row = newQuoteRow();
    let n = 0;
    while (r.next(row)) n++;
    return n / ((performance.now() - t0) / 1000);
  }

  async function importRate(input: string, i: number, copies = 1): Promise<{ ticksPerS: number; db: string }> {
    const db = join(dir, `${i}-${copies}-${input.endsWith(".csv") ? "csv" : "bi5"}.duckdb`);
    const t0 = performance.now();
    const report = await importData(Array.from({ length: copies }, () => input), { db });
    const s = (performance.now() - t0) / 1000;
    if (report.rows !== 136_741 * copies || report.badRows !== 0) throw new Error(`import gave ${report.rows} rows, ${report.badRows} bad`);
    return { ticksPerS: report.rows / s, db };
  }

  const bi5: number[] = [];
  const bi5x5: number[] = [];
  const csv: number[] = [];
  const decBi5: number[] = [];
  const decCsv: number[] = [];
  const barMs: number[] = [];
  const countMs: number[] = [];
  let barCount = 0;
  if (runs > 1) await importRate(DAY, -1); // warm-up
  for (let i = 0; i < runs; i++) {
    decBi5.push(decodeRate(() => openBi5Day(DAY, EURUSD)));
    decCsv.push(decodeRate(() => openDukascopyCsv(CSV, EURUSD)));
    const b = await importRate(DAY, i);
    bi5.push(b.ticksPerS);
    if (fiveDays) bi5x5.push((await importRate(DAY, i, 5)).ticksPerS);
    csv.push((await importRate(CSV, i)).ticksPerS);
    const db = await StoreDb.open(b.db);
    let t0 = performance.now();
    barCount = (await bars(db, "EURUSD", 1_000_000)).length;
    barMs.push(performance.now() - t0);
    t0 = performance.now();
    await db.all("SELECT count(*) AS n, sum(bid + ask) AS s FROM quotes WHERE instrument_id = 0");
    countMs.push(performance.now() - t0);
    db.close();
  }
  rmSync(dir, { recursive: true, force: true });
  return { bi5: median(bi5), bi5x5: fiveDays ? median(bi5x5) : NaN, csv: median(csv), decBi5: median(decBi5), decCsv: median(decCsv), barMs: median(barMs), countMs: median(countMs), barCount };
}

if (import.meta.main) {
  const m = await measureImport(5, true);
  const rows: [string, string][] = [
    ["bi5 day -> DuckDB import, ticks/s (decode+record+append+close)", fmt(m.bi5)],
    ["bi5 day imported 5 times in one import (684k ticks), ticks/s", fmt(m.bi5x5)],
    ["decoded CSV -> DuckDB import, ticks/s (baseline)", fmt(m.csv)],
    ["bi5 decode only (LZMA + records), ticks/s", fmt(m.decBi5)],
    ["CSV parse only, ticks/s", fmt(m.decCsv)],
    [`1-second bars over the day (${m.barCount} bars), ms`, m.barMs.toFixed(1)],
    ["count+sum scan over the same rows, ms (baseline)", m.countMs.toFixed(1)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${"measure (median of 5)".padEnd(w)}  value`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  console.log(`headline: bi5 import at ${fmt(m.bi5)} ticks/s = ${(m.bi5 / m.csv).toFixed(3)} of the CSV import rate; 1-s bars in ${m.barMs.toFixed(1)} ms`);
}
