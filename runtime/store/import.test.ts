import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { newQuoteRow } from "../data/formats/quote-reader.ts";
import { openDukascopyCsv } from "../data/formats/dukascopy-csv.ts";
import { EURUSD, sharedData, tempFolder } from "../data/formats/test-support.ts";
import { StoreDb } from "./database.ts";
import { importData } from "./import.ts";
import { openStoreQuotes } from "./quote-source.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

describe("import", () => {
  test(
    "every data set in ../shared/data imports with no bad row, and each file's rows are all there",
    async () => {
      using dir = tempFolder();
      const db = join(dir.path, "all.duckdb");
      const report = await importData([sharedData("")], { db, bookDepth: 2 });
      const byFile = Object.fromEntries(report.files.map((f) => [f.file.slice(sharedData("").length), f]));
      expect(report.failedFiles).toBe(0);
      expect(report.badRows).toBe(0);
      expect(byFile["dukascopy/EURUSD/2019-02-04"].rows).toEqual({ quotes: 136_741 });
      expect(byFile["dukascopy/EURUSD/2019-02-04.csv"].rows).toEqual({ quotes: 136_741 });
      expect(byFile["binance/usdm_btcusdt_20240808.gz"]).toMatchObject({ instrument: "BTCUSDT-PERP", rows: { quotes: 66_089, trades: 21_313 } });
      expect(byFile["binance/spot_btcusdt_20240808.gz"]).toMatchObject({ instrument: "BTCUSDT", rows: { quotes: 28_040, trades: 9_757 } });
      expect(byFile["binance/spot_btcusdt_20240809.gz"]).toMatchObject({ instrument: "BTCUSDT", rows: { quotes: 45_134, trades: 10_147 } });
      // LOBSTER: one quote and two book levels a side per message; executions (types 4 and 5) become trades.
      expect(byFile["lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"].rows).toEqual({ quotes: 147_916, trades: 7_765 + 3_913, book_levels: 147_916 * 4 });
      // OANDA EURUSD, NZDUSD and gold, FXCM EURUSD and NZDUSD: eight day files each.
      expect(report.files.filter((f) => f.format === "lean")).toHaveLength(40);
      // Gold is in no catalogue: its scales are inferred from the data, and the import says so.
      expect(byFile["oanda/xauusd/20140501_xauusd_tick_quote.csv.gz"]!.inferred).toEqual([
        "inferred instrument XAUUSD: base XAU, quote USD; price decimals 3 (the most decimals seen in 8 files), size decimals 0 (no sizes in the data)",
      ]);
      const s = await StoreDb.open(db);
      try {
        expect(await s.all("SELECT symbol, price_decimals, size_decimals FROM instruments ORDER BY symbol")).toEqual([
          { symbol: "BTCUSDT", price_decimals: 2, size_decimals: 8 },
          { symbol: "BTCUSDT-PERP", price_decimals: 1, size_decimals: 3 },
          { symbol: "EURUSD", price_decimals: 5, size_decimals: 0 },
          { symbol: "GOOG", price_decimals: 4, size_decimals: 0 },
          { symbol: "NZDUSD", price_decimals: 5, size_decimals: 0 },
          { symbol: "XAUUSD", price_decimals: 3, size_decimals: 0 },
        ]);
        // The bi5 day and the decoded CSV were both imported as EURUSD: every tick of that day is there twice, equal.
        expect(await s.all("SELECT count(*) AS n FROM (SELECT ts, bid, ask, bid_size, ask_size, count(*) AS c FROM quotes q JOIN instruments i ON i.id = q.instrument_id WHERE i.symbol = 'EURUSD' AND ts >= '2019-02-04' GROUP BY ALL) WHERE c % 2 <> 0")).toEqual([{ n: 0 }]);
        expect(await s.all("SELECT count(*) AS n FROM quotes_dec WHERE symbol = 'EURUSD' AND ts >= '2019-02-04'")).toEqual([{ n: 2 * 136_741 }]);
        // NZDUSD from two providers: OANDA's 274,268 ticks and FXCM's. FXCM's EURUSD has 675,401 lines (its
        // README's 675,393 counts newlines, and none of its eight files ends with one).
        const quotesUnder = (prefix: string) => report.files.filter((f) => f.file.startsWith(sharedData(prefix))).reduce((n, f) => n + (f.rows.quotes ?? 0), 0);
        expect([quotesUnder("oanda/nzdusd/"), quotesUnder("fxcm/eurusd/")]).toEqual([274_268, 675_401]);
        expect(await s.all("SELECT count(*) AS n FROM quotes_dec WHERE symbol = 'NZDUSD'")).toEqual([{ n: quotesUnder("oanda/nzdusd/") + quotesUnder("fxcm/nzdusd/") }]);
        expect(await s.all("SELECT count(*) AS n FROM book_levels WHERE snapshot = 1 AND instrument_id = (SELECT id FROM instruments WHERE symbol = 'BTCUSDT')")).toEqual([{ n: 1000 + 1000 }]);
      } finally {
        s.close();
      }
    },
    180_000,
  );

  test("replay from the store gives the ticks of the file it was imported from, in order", async () => {
    using dir = tempFolder();
    const db = join(dir.path, "d.duckdb");
    await importData([sharedData("dukascopy/EURUSD/2019-02-04")], { db });
    const stored = await openStoreQuotes(db, "EURUSD", { from: Date.UTC(2019, 1, 4, 6) * 1000, to: Date.UTC(2019, 1, 4, 9) * 1000 });
    const csv = openDukascopyCsv(sharedData("dukascopy/EURUSD/2019-02-04.csv"), EURUSD);
    const a = newQuoteRow();
    const b = newQuoteRow();
    let n = 0;
    while (csv.next(b)) {
      if (b.ts < Date.UTC(2019, 1, 4, 6) * 1000 || b.ts >= Date.UTC(2019, 1, 4, 9) * 1000) continue;
      expect(stored.next(a)).toBe(true);
      if (a.ts !== b.ts || a.bid !== b.bid || a.ask !== b.ask || a.bidSize !== b.bidSize || a.askSize !== b.askSize) throw new Error(`tick ${n}: ${JSON.stringify([a, b])}`);
      n++;
    }
    expect(stored.next(a)).toBe(false);
    expect(n).toBeGreaterThan(10_000);
    await expect(openStoreQuotes(db, "GBPUSD")).rejects.toThrow("STORE_QUERY_FAILED");
  });

  test("bad rows, bad files and unknown instruments are reported precisely and the rest still imports", async () => {
    using dir = tempFolder();
    const db = join(dir.path, "b.duckdb");
    const rows = join(dir.path, "20140505_eurusd_quote.csv");
    writeFileSync(rows, "100,1.38817,1.38884\n200,1.38817\n300,1.38820,1.38890\n");
    const corrupt = join(dir.path, "20140506_eurusd_quote.csv.gz");
    writeFileSync(corrupt, gzipSync("100,1.1,1.2\n").subarray(0, 12));
    const unknownSymbol = join(dir.path, "20140507_xyzabc_quote.csv");
    writeFileSync(unknownSymbol, "100,1.1,1.2\n");
    const garbage = join(dir.path, "notes.bin");
    writeFileSync(garbage, "hello\n");
    const report = await importData([dir.path], { db });
    const by = Object.fromEntries(report.files.map((f) => [f.file, f]));
    expect(by[rows]).toMatchObject({ format: "lean", instrument: "EURUSD", rows: { quotes: 2 }, badRows: 1 });
    expect(by[rows].errors).toEqual([{ file: rows, line: 2, reason: "ask: missing" }]);
    expect(by[corrupt].failed).toStartWith(`DATA_FILE_CORRUPT: file=${corrupt}, format=gzip`);
    expect(by[unknownSymbol].failed).toBe("DATA_INSTRUMENT_UNKNOWN: cannot tell the instrument from the path; give --instrument NAME");
    expect(by[garbage].failed).toStartWith("DATA_FORMAT_UNKNOWN");
    expect([report.rows, report.badRows, report.failedFiles]).toEqual([2, 1, 3]);
    const s = await StoreDb.open(db);
    try {
      expect(await s.all("SELECT epoch_us(ts) AS ts, bid FROM quotes ORDER BY ts")).toEqual([
        { ts: Date.UTC(2014, 4, 5) * 1000 + 100_000, bid: 138817 },
        { ts: Date.UTC(2014, 4, 5) * 1000 + 300_000, bid: 138820 },
      ]);
    } finally {
      s.close();
    }
  });
});
