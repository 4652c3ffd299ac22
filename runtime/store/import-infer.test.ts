/**
 * `kestrel data import` of data that is not in the catalogue (issue 10): a LOBSTER file of another
 * ticker, a Binance capture of another symbol and the plain header CSV a user most often has are
 * imported with nothing but `--db`, what was inferred is printed, and the rows read back from the
 * DuckDB file equal those of the original data.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseScaled } from "../../plugins/sdk/decimal.ts";
import { sharedData, tempFolder } from "../data/formats/test-support.ts";
import { runDataCommand } from "./cli.ts";
import { StoreDb } from "./database.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(120_000);

const GOOG_MESSAGES = "lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz";
const GOOG_BOOK = "lobster/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz";

/** Runs `kestrel data <args>` in process and keeps what it printed. */
async function data(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDataCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const s = await StoreDb.open(db);
  try {
    return await s.all(sql);
  } finally {
    s.close();
  }
}

const instrumentRow = (db: string, symbol: string) =>
  query(db, `SELECT symbol, venue, base, quote, price_decimals, size_decimals FROM instruments WHERE symbol = '${symbol}'`);

describe("import infers what the format or the data defines", () => {
  test("a LOBSTER file of another ticker: MSFT is one asset in USD at 1/10,000 USD and whole shares, its rows those of the file", async () => {
    using dir = tempFolder();
    for (const f of [GOOG_MESSAGES, GOOG_BOOK]) copyFileSync(sharedData(f), join(dir.path, f.replace("lobster/GOOG", "MSFT")));
    const db = join(dir.path, "lobster.duckdb");
    const r = await data("import", sharedData(GOOG_MESSAGES), join(dir.path, GOOG_MESSAGES.replace("lobster/GOOG", "MSFT")), "--db", db, "--book-depth", "0");
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("inferred instrument MSFT (LOBSTER equity): base MSFT, quote USD; price decimals 4 (LOBSTER prices are 1/10,000 USD), size decimals 0 (shares)");
    expect(await instrumentRow(db, "MSFT")).toEqual([{ symbol: "MSFT", venue: "nasdaq", base: "MSFT", quote: "USD", price_decimals: 4, size_decimals: 0 }]);
    // The same file under two names: the same quotes and trades, tick for tick.
    const quotes = await query(db, "SELECT i.symbol, count(*) AS n, sum(bid) AS b, sum(ask) AS a, sum(bid_size) AS bs, sum(ask_size) AS az, sum(epoch_us(ts)) AS t FROM quotes q JOIN instruments i ON i.id = q.instrument_id GROUP BY ALL ORDER BY 1");
    expect(quotes).toHaveLength(2);
    expect({ ...quotes[1], symbol: "GOOG" } as Record<string, unknown>).toEqual(quotes[0]!);
    expect(quotes[0]!.n).toBe(147_916);
    const diff = await query(db, "SELECT count(*) AS n FROM (SELECT ts, price, size, aggressor FROM trades WHERE instrument_id = (SELECT id FROM instruments WHERE symbol = 'MSFT') EXCEPT SELECT ts, price, size, aggressor FROM trades WHERE instrument_id = (SELECT id FROM instruments WHERE symbol = 'GOOG'))");
    expect(diff).toEqual([{ n: 0 }]);
  });

  test("explicit decimals still override: a LOBSTER ticker at --price-decimals 6 holds prices 100 times finer", async () => {
    using dir = tempFolder();
    const aapl = join(dir.path, GOOG_MESSAGES.replace("lobster/GOOG", "AAPL"));
    copyFileSync(sharedData(GOOG_MESSAGES), aapl);
    const db = join(dir.path, "override.duckdb");
    const r = await data("import", aapl, "--db", db, "--price-decimals", "6");
    expect(r.code).toBe(0);
    expect(r.out).toContain("inferred instrument AAPL (LOBSTER equity): base AAPL, quote USD; price decimals 6 (--price-decimals), size decimals 0 (shares)");
    expect(await instrumentRow(db, "AAPL")).toEqual([{ symbol: "AAPL", venue: "nasdaq", base: "AAPL", quote: "USD", price_decimals: 6, size_decimals: 0 }]);
    // The first execution of the sample: GOOG at 585.33 (5853300 in LOBSTER's 1/10,000).
    const [first] = await query(db, "SELECT price FROM trades ORDER BY ts, trade_id LIMIT 1");
    expect(Number(first!.price) % 100).toBe(0);
    expect(Number(first!.price)).toBeGreaterThan(500_000_000);
  });

  test("a Binance capture of another symbol: ETHUSDT is base ETH, quote USDT, at the decimals its data shows", async () => {
    using dir = tempFolder();
    const text = new TextDecoder().decode(gunzipSync(readFileSync(sharedData("binance/spot_btcusdt_20240808.gz"))));
    const eth = join(dir.path, "spot_ethusdt_20240808.gz");
    writeFileSync(eth, gzipSync(text.replaceAll("btcusdt@", "ethusdt@")));
    const db = join(dir.path, "binance.duckdb");
    const r = await data("import", sharedData("binance/spot_btcusdt_20240808.gz"), eth, "--db", db);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    // BTCUSDT comes from the catalogue (2 and 8 decimals); ETHUSDT's scales are what its file shows.
    expect(r.out).toContain("inferred instrument ETHUSDT: base ETH, quote USDT; price decimals 2 (the most decimals seen in the file), size decimals 6 (the most decimals seen in the file)");
    expect(r.out.filter((l) => l.startsWith("inferred"))).toHaveLength(1);
    expect(await instrumentRow(db, "ETHUSDT")).toEqual([{ symbol: "ETHUSDT", venue: "binance-spot", base: "ETH", quote: "USDT", price_decimals: 2, size_decimals: 6 }]);
    const id = (s: string) => `(SELECT id FROM instruments WHERE symbol = '${s}')`;
    // Every quote and trade is there, exact: sizes at 6 decimals are those at 8 divided by 100.
    const counts = await query(db, `SELECT (SELECT count(*) FROM quotes WHERE instrument_id = ${id("ETHUSDT")}) AS q, (SELECT count(*) FROM trades WHERE instrument_id = ${id("ETHUSDT")}) AS t`);
    expect(counts).toEqual([{ q: 28_040, t: 9_757 }]);
    const quoteDiff = await query(db, `SELECT count(*) AS n FROM (SELECT ts, bid, ask, bid_size * 100, ask_size * 100 FROM quotes WHERE instrument_id = ${id("ETHUSDT")} EXCEPT SELECT ts, bid, ask, bid_size, ask_size FROM quotes WHERE instrument_id = ${id("BTCUSDT")})`);
    const tradeDiff = await query(db, `SELECT count(*) AS n FROM (SELECT ts, price, size * 100 FROM trades WHERE instrument_id = ${id("ETHUSDT")} EXCEPT SELECT ts, price, size FROM trades WHERE instrument_id = ${id("BTCUSDT")})`);
    expect([quoteDiff, tradeDiff]).toEqual([[{ n: 0 }], [{ n: 0 }]]);
  });

  test("a CSV with a header naming time, bid and ask is recognised in any common spelling, delimiter and time unit", async () => {
    using dir = tempFolder();
    // The first 3,000 ticks of the real Dukascopy day, as the oracle (imported as EURUSD) and rewritten in six layouts.
    const lines = readFileSync(sharedData("dukascopy/EURUSD/2019-02-04.csv"), "utf8").split("\n").slice(0, 3001);
    mkdirSync(join(dir.path, "EURUSD"));
    writeFileSync(join(dir.path, "EURUSD", "head.csv"), `${lines.join("\n")}\n`);
    const rows = lines.slice(1).map((l) => {
      const [ms, bid, ask, bv, av] = l.split(",") as [string, string, string, string, string];
      const units = (m: string) => String((parseScaled(m, 6) as { value: number }).value);
      return { ms, bid, ask, bidSize: units(bv), askSize: units(av), iso: new Date(Number(ms)).toISOString() };
    });
    const write = (name: string, header: string, row: (r: (typeof rows)[number]) => string[], delimiter = ",") =>
      writeFileSync(join(dir.path, name), `${header}\n${rows.map((r) => row(r).join(delimiter)).join("\n")}\n`);
    // Paris local time with its offset: 00:00:00.994 UTC is 01:00:00.994+01:00.
    const paris = (iso: string) => `${iso.slice(0, 11)}${String(Number(iso.slice(11, 13)) + 1).padStart(2, "0")}${iso.slice(13, 23)}+01:00`;
    write("eurnok_iso.csv", "time,bid,ask,bid_size,ask_size", (r) => [r.iso, r.bid, r.ask, r.bidSize, r.askSize]);
    write("eursek_paris.csv", '"Timestamp";"Bid Price";"Ask Price"', (r) => [paris(r.iso), r.bid, r.ask], ";");
    write("usdmxn_seconds.csv", "ts,bid,ask,bidSize,askSize", (r) => [`${r.ms.slice(0, -3)}.${r.ms.slice(-3)}`, r.bid, r.ask, r.bidSize, r.askSize]);
    write("eurpln_ms.csv", "timestamp,bid,ask", (r) => [r.ms, r.bid, r.ask]);
    write("eurhuf_us.csv", "Time,Best Bid,Best Ask,Bid Qty,Ask Qty", (r) => [`${r.ms}000`, r.bid, r.ask, r.bidSize, r.askSize]);
    write("eurczk_ns.csv", "time\tbid\task", (r) => [`${r.ms}000000`, r.bid, r.ask], "\t");
    const db = join(dir.path, "csv.duckdb");
    const r = await data("import", dir.path, "--db", db);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const f = (name: string) => join(dir.path, name);
    for (const line of [
      `inferred for ${f("eurnok_iso.csv")}: format csv (header line, delimiter ","), columns ts=time,bid=bid,ask=ask,bidSize=bid_size,askSize=ask_size, time ISO 8601 date-time (UTC unless it carries an offset)`,
      `inferred for ${f("eursek_paris.csv")}: format csv (header line, delimiter ";"), columns ts=Timestamp,bid=Bid Price,ask=Ask Price (no sizes: 0), time ISO 8601 date-time (UTC unless it carries an offset)`,
      `inferred for ${f("usdmxn_seconds.csv")}: format csv (header line, delimiter ","), columns ts=ts,bid=bid,ask=ask,bidSize=bidSize,askSize=askSize, time seconds since the epoch`,
      `inferred for ${f("eurpln_ms.csv")}: format csv (header line, delimiter ","), columns ts=timestamp,bid=bid,ask=ask (no sizes: 0), time milliseconds since the epoch`,
      `inferred for ${f("eurhuf_us.csv")}: format csv (header line, delimiter ","), columns ts=Time,bid=Best Bid,ask=Best Ask,bidSize=Bid Qty,askSize=Ask Qty, time microseconds since the epoch`,
      `inferred for ${f("eurczk_ns.csv")}: format csv (header line, delimiter tab), columns ts=time,bid=bid,ask=ask (no sizes: 0), time nanoseconds since the epoch`,
      "inferred instrument EURNOK: base EUR, quote NOK; price decimals 5 (the most decimals seen in the file), size decimals 0 (the most decimals seen in the file)",
      "inferred instrument EURCZK: base EUR, quote CZK; price decimals 5 (the most decimals seen in the file), size decimals 0 (no sizes in the data)",
    ]) expect(r.out).toContain(line);
    const symbols = ["EURNOK", "EURSEK", "USDMXN", "EURPLN", "EURHUF", "EURCZK"];
    const sized = new Set(["EURNOK", "USDMXN", "EURHUF"]);
    for (const s of symbols) {
      const cols = sized.has(s) ? "epoch_us(ts), bid, ask, bid_size, ask_size" : "epoch_us(ts), bid, ask";
      const of = (sym: string) => `SELECT ${cols} FROM quotes WHERE instrument_id = (SELECT id FROM instruments WHERE symbol = '${sym}')`;
      const [n] = await query(db, `SELECT (SELECT count(*) FROM (${of(s)})) AS n, (SELECT count(*) FROM (${of(s)} EXCEPT ${of("EURUSD")})) AS differ`);
      expect([s, n]).toEqual([s, { n: 3000, differ: 0 }]);
    }
  });

  test("an equity ticker in a CSV is one asset (MSFT is not MSF/T), priced in USD unless --quote says otherwise", async () => {
    using dir = tempFolder();
    const msft = join(dir.path, "msft.csv");
    writeFileSync(msft, "Date Time,Bid,Ask,Bid Size,Ask Size\n2024-03-01 14:30:00.125,415.25,415.27,300,200\n2024-03-01 14:30:00.380,415.26,415.28,100,2E+2\n");
    const sap = join(dir.path, "sap.csv");
    writeFileSync(sap, "time;bid;ask\n1709303400125;172.1;172.12\n");
    const db = join(dir.path, "equities.duckdb");
    const a = await data("import", msft, "--db", db, "--instrument", "MSFT");
    const b = await data("import", sap, "--db", db, "--instrument", "SAP", "--quote", "eur");
    expect([a.code, b.code, a.err, b.err]).toEqual([0, 0, [], []]);
    expect(a.out).toContain("inferred instrument MSFT: base MSFT, quote USD (a single asset; USD assumed, give --quote to change); price decimals 2 (the most decimals seen in the file), size decimals 0 (the most decimals seen in the file)");
    expect(b.out).toContain("inferred instrument SAP: base SAP, quote EUR (a single asset; --quote); price decimals 2 (the most decimals seen in the file), size decimals 0 (no sizes in the data)");
    expect(await query(db, "SELECT symbol, base, quote, price_decimals FROM instruments ORDER BY id")).toEqual([
      { symbol: "MSFT", base: "MSFT", quote: "USD", price_decimals: 2 },
      { symbol: "SAP", base: "SAP", quote: "EUR", price_decimals: 2 },
    ]);
    expect(await query(db, "SELECT bid, ask, bid_size, ask_size FROM quotes WHERE instrument_id = 0 ORDER BY ts")).toEqual([
      { bid: 41525, ask: 41527, bid_size: 300, ask_size: 200 },
      { bid: 41526, ask: 41528, bid_size: 100, ask_size: 200 },
    ]);
  });

  test("a given mapping without --ts-format has its time unit told from the data; an unrecognised header says what to give", async () => {
    using dir = tempFolder();
    const file = join(dir.path, "quotes.txt");
    writeFileSync(file, "when,b,a\n1549238400.994,1.14543,1.14545\n1549238401.271,1.14544,1.14546\n");
    const db = join(dir.path, "given.duckdb");
    const r = await data("import", file, "--db", db, "--format", "csv", "--header", "--columns", "ts=when,bid=b,ask=a", "--instrument", "EURUSD");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`inferred for ${file}: time seconds since the epoch (by its first rows; --ts-format to set)`);
    expect(await query(db, "SELECT epoch_us(ts) AS ts, bid FROM quotes ORDER BY ts")).toEqual([
      { ts: 1549238400994000, bid: 114543 },
      { ts: 1549238401271000, bid: 114544 },
    ]);
    const unknown = await data("import", file, "--db", db, "--format", "csv", "--instrument", "EURUSD");
    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toBe(`FAILED ${file}: DATA_FORMAT_UNKNOWN: file=${file}: the first line does not name time, bid and ask columns: "when,b,a"; give --columns ts=..,bid=..,ask=.. (and --header, --ts-format)`);
  });
});
