import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openBi5Day, openBi5Hour } from "./bi5.ts";
import { openDukascopyCsv } from "./dukascopy-csv.ts";
import { openLeanQuotes } from "./lean-quotes.ts";
import { openMappedCsv } from "./mapped-csv.ts";
import { DataFormatError, newQuoteRow, type QuoteReader, type QuoteRow } from "./quote-reader.ts";
import { EURUSD, sharedData, tempFolder, testInstrument } from "./test-support.ts";
import { openTrueFx } from "./truefx.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

function readAll(reader: QuoteReader): QuoteRow[] {
  const rows: QuoteRow[] = [];
  const row = newQuoteRow();
  while (reader.next(row)) rows.push({ ...row });
  return rows;
}

describe("Dukascopy", () => {
  test("the decoded CSV gives exact integers: 1.14543 is 114543 ticks and 2.06 million is 2060000 units", () => {
    const reader = openDukascopyCsv(sharedData("dukascopy/EURUSD/2019-02-04.csv"), EURUSD);
    const row = newQuoteRow();
    expect(reader.next(row)).toBe(true);
    expect(row).toEqual({ ts: 1549238400994000, bid: 114543, ask: 114545, bidSize: 2060000, askSize: 1000000 });
  });

  test("the raw bi5 day matches the decoded CSV tick for tick (136,741 ticks)", () => {
    const csv = openDukascopyCsv(sharedData("dukascopy/EURUSD/2019-02-04.csv"), EURUSD);
    const bi5 = openBi5Day(sharedData("dukascopy/EURUSD/2019-02-04"), EURUSD);
    const a = newQuoteRow();
    const b = newQuoteRow();
    let n = 0;
    let mismatches = 0;
    let firstMismatch = "";
    for (;;) {
      const more = csv.next(a);
      if (bi5.next(b) !== more) throw new Error(`bi5 and CSV end at different ticks: ${n}`);
      if (!more) break;
      n++;
      if (a.ts !== b.ts || a.bid !== b.bid || a.ask !== b.ask || a.bidSize !== b.bidSize || a.askSize !== b.askSize) {
        if (mismatches++ === 0) firstMismatch = `tick ${n}: csv ${JSON.stringify(a)} bi5 ${JSON.stringify(b)}`;
      }
    }
    expect(firstMismatch).toBe("");
    expect(n).toBe(136_741);
    expect(csv.errorCount + bi5.errorCount).toBe(0);
  }, 20_000);

  test("each of the 24 bi5 hours decodes to ticks inside its own hour", () => {
    let total = 0;
    for (let h = 0; h < 24; h++) {
      const path = sharedData(`dukascopy/EURUSD/2019-02-04/${String(h).padStart(2, "0")}h_ticks.bi5`);
      const start = Date.UTC(2019, 1, 4, h) * 1000;
      for (const row of readAll(openBi5Hour(path, EURUSD))) {
        if (row.ts < start || row.ts >= start + 3_600_000_000) throw new Error(`hour ${h}: tick at ${row.ts} outside the hour`);
        total++;
      }
    }
    expect(total).toBe(136_741);
  }, 20_000);

  test("a corrupt hour throws a coded error naming the file, and a day reader reports it and goes on", () => {
    using dir = tempFolder();
    const day = join(dir.path, "2019-02-04");
    mkdirSync(day);
    writeFileSync(join(day, "00h_ticks.bi5"), new Uint8Array([0x5d, 0, 0, 0x40, 0, 1, 2, 3]));
    try {
      openBi5Hour(join(day, "00h_ticks.bi5"), EURUSD);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataFormatError);
      expect((e as DataFormatError).code).toBe("DATA_FILE_CORRUPT");
      expect((e as DataFormatError).context.file).toBe(join(day, "00h_ticks.bi5"));
    }
    const reader = openBi5Day(day, EURUSD);
    expect(readAll(reader)).toEqual([]);
    expect(reader.errorCount).toBe(24);
    expect(reader.errors[0]).toMatchObject({ file: join(day, "00h_ticks.bi5"), line: 0 });
    expect(reader.errors[0].reason).toContain("DATA_FILE_CORRUPT");
    expect(reader.errors[1]).toEqual({ file: join(day, "01h_ticks.bi5"), line: 0, reason: "hour file missing" });
  });
});

describe("Lean tick quotes", () => {
  test("a gzipped OANDA day takes its date from the file name and has no sizes", () => {
    const reader = openLeanQuotes(sharedData("oanda/eurusd/20140504_eurusd_tick_quote.csv.gz"), EURUSD);
    const rows = readAll(reader);
    // First line: 75600462,1.38817,1.38884 (Sunday open, 21:00:00.462 UTC).
    expect(rows[0]).toEqual({ ts: Date.UTC(2014, 4, 4, 21, 0, 0, 462) * 1000, bid: 138817, ask: 138884, bidSize: 0, askSize: 0 });
    expect(reader.errorCount).toBe(0);
    expect(rows.findIndex((r, i) => i > 0 && r.ts < rows[i - 1].ts)).toBe(-1);
  });

  test("every OANDA file of both pairs reads without a bad row", () => {
    const nzd = testInstrument("NZDUSD", 5, 0);
    let rows = 0;
    for (const pair of ["eurusd", "nzdusd"]) {
      for (const day of ["01", "02", "04", "05", "06", "07", "08", "09"]) {
        const reader = openLeanQuotes(sharedData(`oanda/${pair}/201405${day}_${pair}_tick_quote.csv.gz`), pair === "eurusd" ? EURUSD : nzd);
        const row = newQuoteRow();
        const dayStart = Date.UTC(2014, 4, Number(day)) * 1000;
        while (reader.next(row)) {
          rows++;
          if (row.ts < dayStart || row.ts >= dayStart + 86_400_000_000) throw new Error(`ts ${row.ts} outside ${day}`);
        }
        expect(reader.errorCount).toBe(0);
      }
    }
    expect(rows).toBeGreaterThan(100_000);
  }, 20_000);

  test("a file name without a date is refused", () => {
    expect(() => openLeanQuotes("/nowhere/eurusd_quote.csv", EURUSD)).toThrow("DATA_FILE_NAME_INVALID");
  });
});

describe("bad rows", () => {
  test("garbage, missing fields and too-precise prices are skipped with file, line and reason", () => {
    using dir = tempFolder();
    const path = join(dir.path, "20140504_eurusd_quote.csv");
    writeFileSync(path, ["75600462,1.38817,1.38884", "garbage", "75600500,1.38817", "75600600,1.388171,1.38884", "", "75600700,abc,1.38884", "75600800,1.38820,1.38890\r"].join("\n"));
    const reader = openLeanQuotes(path, EURUSD);
    const rows = readAll(reader);
    expect(rows.map((r) => r.bid)).toEqual([138817, 138820]);
    expect(reader.errorCount).toBe(4);
    expect(reader.errors).toEqual([
      { file: path, line: 2, reason: 'ts: not a number: "garbage"' },
      { file: path, line: 3, reason: "ask: missing" },
      { file: path, line: 4, reason: 'bid: "1.388171" has more than 5 decimals' },
      { file: path, line: 6, reason: 'bid: not a number: "abc"' },
    ]);
    expect(reader.source).toBe(path);
  });

  test("a missing file is a coded error naming it", () => {
    try {
      openDukascopyCsv("/nowhere/x.csv", EURUSD);
      expect.unreachable();
    } catch (e) {
      expect((e as DataFormatError).code).toBe("DATA_FILE_UNREADABLE");
      expect((e as DataFormatError).context.file).toBe("/nowhere/x.csv");
    }
  });
});

describe("TrueFX and mapped CSV", () => {
  test("TrueFX rows parse the pair-first layout with millisecond date-times", () => {
    using dir = tempFolder();
    const path = join(dir.path, "EURUSD-2014-05.csv.gz");
    writeFileSync(path, gzipSync("EUR/USD,20140501 00:00:00.296,1.38559,1.38574\nEUR/USD,20140501 00:00:01.5,1.3856,1.38575\nEUR/USD,2014050 00:00:01.5,1.3856,1.38575\n"));
    const reader = openTrueFx(path, EURUSD);
    expect(readAll(reader)).toEqual([
      { ts: Date.UTC(2014, 4, 1, 0, 0, 0, 296) * 1000, bid: 138559, ask: 138574, bidSize: 0, askSize: 0 },
      { ts: Date.UTC(2014, 4, 1, 0, 0, 1, 500) * 1000, bid: 138560, ask: 138575, bidSize: 0, askSize: 0 },
    ]);
    expect(reader.errors).toEqual([{ file: path, line: 3, reason: 'ts: not a date-time: "2014050 00:00:01.5"' }]);
  });

  test("a mapping by header names, with semicolons, nanosecond times and sizes in thousands", () => {
    using dir = tempFolder();
    const path = join(dir.path, "q.csv");
    writeFileSync(path, "ask;bid;time_ns;venue;ask_qty;bid_qty\n101.25;101.00;1700000000123456789;X;1.5;2\n");
    const reader = openMappedCsv(path, testInstrument("XYZUSD", 2, 0), {
      ts: "time_ns",
      tsFormat: "ns",
      bid: "bid",
      ask: "ask",
      bidSize: "bid_qty",
      askSize: "ask_qty",
      header: true,
      delimiter: ";",
      sizeMultiplier: 1000,
    });
    expect(readAll(reader)).toEqual([{ ts: 1700000000123456, bid: 10100, ask: 10125, bidSize: 2000, askSize: 1500 }]);
  });

  test("a byte order mark and quoted header names are handled", () => {
    using dir = tempFolder();
    const path = join(dir.path, "q.csv");
    writeFileSync(path, '\ufeff"time","bid","ask"\n1700000000000,1.1,1.2\n');
    const reader = openMappedCsv(path, EURUSD, { ts: "time", tsFormat: "ms", bid: "bid", ask: "ask", header: true });
    expect(readAll(reader)).toEqual([{ ts: 1700000000000000, bid: 110000, ask: 120000, bidSize: 0, askSize: 0 }]);
    const bare = join(dir.path, "b.csv");
    writeFileSync(bare, "\ufeff1700000000000,1.1,1.2\n");
    expect(readAll(openMappedCsv(bare, EURUSD, { ts: 0, tsFormat: "ms", bid: 1, ask: 2, header: false }))).toHaveLength(1);
  });

  test("seconds with more digits than a microsecond are truncated, not refused", () => {
    using dir = tempFolder();
    const path = join(dir.path, "q.csv");
    writeFileSync(path, "1700000000.1234567,1.1,1.2\n");
    const reader = openMappedCsv(path, EURUSD, { ts: 0, tsFormat: "s", bid: 1, ask: 2, header: false });
    expect(readAll(reader)).toEqual([{ ts: 1700000000123456, bid: 110000, ask: 120000, bidSize: 0, askSize: 0 }]);
  });

  test("a mapping naming a column the header lacks is refused with the header", () => {
    using dir = tempFolder();
    const path = join(dir.path, "q.csv");
    writeFileSync(path, "t,b,a\n1,1,1\n");
    expect(() => openMappedCsv(path, EURUSD, { ts: "t", tsFormat: "ms", bid: "bid", ask: "a", header: true })).toThrow("DATA_MAPPING_INVALID: file=" + path + ", bid=bid, header=t|b|a");
    expect(() => openMappedCsv(path, EURUSD, { ts: 0, tsFormat: "ms", bid: 1, ask: 2, header: true, sizeMultiplier: 3 })).toThrow("sizeMultiplier=3");
  });
});
