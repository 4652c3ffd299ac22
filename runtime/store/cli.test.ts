import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sharedData, tempFolder } from "../data/formats/test-support.ts";
import { runDataCommand } from "./cli.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDataCommand(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("kestrel data", () => {
  test("every subcommand has --help", async () => {
    for (const sub of ["import", "query", "bars", "stats", "profile", "tca", "pnl", "instruments", "export"]) {
      const r = await run([sub, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toStartWith(`Usage: kestrel data ${sub}`);
    }
    expect((await run(["--help"])).out).toContain("Subcommands:");
  });

  test("bad usage exits 2 and says what is missing", async () => {
    expect(await run(["frobnicate"])).toMatchObject({ code: 2 });
    const r = await run(["query", "SELECT 1"]);
    expect(r.code).toBe(2);
    expect(r.err).toStartWith("kestrel data query: --db <file> is required");
    using dir = tempFolder();
    const bad = await run(["bars", "--db", join(dir.path, "x.duckdb"), "--instrument", "EURUSD", "--interval", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--interval");
  });

  test(
    "import, query as a table and as JSON, bars, then Parquet out and back in round-trips every row",
    async () => {
      using dir = tempFolder();
      const db = join(dir.path, "s.duckdb");
      const imp = await run(["import", sharedData("oanda/eurusd/20140505_eurusd_tick_quote.csv.gz"), sharedData("oanda/nzdusd/20140505_nzdusd_tick_quote.csv.gz"), "--db", db]);
      expect(imp.code).toBe(0);
      expect(imp.out).toContain("[lean EURUSD] quotes=25177");
      expect(imp.out).toContain("imported 52455 rows from 2 of 2 inputs");

      const table = await run(["query", "--db", db, "SELECT symbol, count(*) AS n FROM quotes_dec GROUP BY symbol ORDER BY symbol"]);
      expect(table.out.split("\n")).toEqual(["symbol      n", "------  -----", "EURUSD  25177", "NZDUSD  27278", "(2 rows)"]);
      const json = await run(["query", "--db", db, "--json", "SELECT min(bid) AS b FROM quotes_dec WHERE symbol = 'EURUSD'"]);
      expect(JSON.parse(json.out)).toEqual({ b: expect.any(Number) });

      const bars = await run(["bars", "--db", db, "--instrument", "eurusd", "--interval", "1h", "--json"]);
      const lines = bars.out.split("\n").map((l) => JSON.parse(l));
      expect(lines.reduce((n, b) => n + b.ticks, 0)).toBe(25177);

      const sqlError = await run(["query", "--db", db, "SELECT * FROM nowhere"]);
      expect(sqlError.code).toBe(1);
      expect(sqlError.err).toContain("STORE_QUERY_FAILED");

      const out = join(dir.path, "parquet");
      const exp = await run(["export", "--db", db, "--parquet", out, "--json"]);
      expect(exp.code).toBe(0);
      expect(JSON.parse(exp.out.split("\n")[0])).toMatchObject({ name: "quotes", rows: 52455 });
      expect(existsSync(join(out, "quotes", "instrument=EURUSD", "day=2014-05-05"))).toBe(true);

      const db2 = join(dir.path, "s2.duckdb");
      const back = await run(["import", out, "--db", db2]);
      expect(back.code).toBe(0);
      const same = await run(["query", "--db", db2, "--json", "SELECT i.symbol, count(*) AS n, sum(q.bid) AS s FROM quotes q JOIN instruments i ON i.id = q.instrument_id GROUP BY 1 ORDER BY 1"]);
      const orig = await run(["query", "--db", db, "--json", "SELECT i.symbol, count(*) AS n, sum(q.bid) AS s FROM quotes q JOIN instruments i ON i.id = q.instrument_id GROUP BY 1 ORDER BY 1"]);
      expect(same.out).toBe(orig.out);
    },
    20_000,
  );

  test("an import with a failed input exits 1 and names the file", async () => {
    using dir = tempFolder();
    const r = await run(["import", join(dir.path, "missing.csv"), "--db", join(dir.path, "s.duckdb")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`FAILED ${join(dir.path, "missing.csv")}: DATA_FILE_UNREADABLE`);
  });

  test("a generic CSV imports with a column mapping given on the command line", async () => {
    using dir = tempFolder();
    const csv = join(dir.path, "ticks.csv");
    await Bun.write(csv, "time;ask;bid;qty\n2024-01-02T00:00:00.5Z;1.1002;1.1000;2.5\n");
    const db = join(dir.path, "s.duckdb");
    const r = await run(["import", csv, "--db", db, "--format", "csv", "--instrument", "EURUSD", "--columns", "ts=time,bid=bid,ask=ask,bidSize=qty", "--ts-format", "datetime", "--header", "--delimiter", ";", "--size-multiplier", "1000000"]);
    expect(r.err).toBe("");
    const q = await run(["query", "--db", db, "--json", "SELECT epoch_us(ts) AS ts, bid, ask, bid_size FROM quotes"]);
    expect(JSON.parse(q.out)).toEqual({ ts: Date.UTC(2024, 0, 2, 0, 0, 0, 500) * 1000, bid: 110000, ask: 110020, bid_size: 2_500_000 });
  });
});
