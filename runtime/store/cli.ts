/**
 * `kestrel data ...`: import market data into a store file, query it with SQL, ask the built-in
 * questions (bars, spread/VWAP stats, activity profile, TCA, realised P&L), list instruments and
 * export Parquet. `runDataCommand` returns the exit code: 0 done, 1 failed (or some input
 * failed), 2 bad usage.
 */
import { parseArgs, parseDuration } from "../cli/args.ts";
import type { TsFormat } from "../data/formats/mapped-csv.ts";
import { formatJsonLines, formatTable, objectsToTable } from "./cli-format.ts";
import { StoreDb } from "./database.ts";
import { importData, type ImportOptions, type ImportReport } from "./import.ts";
import { IMPORT_FORMATS, type ImportFormat } from "./import-plan.ts";
import { exportParquet } from "./parquet.ts";
import { activityProfile, bars, realisedPnl, spreadStats, transactionCosts, type TimeRange } from "./queries.ts";
import { RECORDED_TABLES } from "./schema.ts";

/** Where the command writes; stdout and stderr by default. */
export interface DataCommandIo {
  out(text: string): void;
  err(text: string): void;
}

const STD_IO: DataCommandIo = { out: (t) => console.log(t), err: (t) => console.error(t) };

const VALUE_FLAGS = new Set(["db", "instrument", "format", "price-decimals", "size-decimals", "quote", "columns", "ts-format", "delimiter", "size-multiplier", "book-depth", "table", "interval", "window", "bucket", "from", "to", "strategy", "parquet", "query", "name", "parent", "html"]);

const RANGE = `  --from <t> --to <t>   time range: ISO date-time (UTC) or µs since the epoch`;
const HELP: Record<string, string> = {
  main: `Usage: kestrel data <subcommand> [options]

Subcommands:
  import <files|folders> --db <file>   import market data (bi5, CSV, Lean, TrueFX, LOBSTER, Binance, Parquet)
  query --db <file> "<sql>"             run SQL and print the result
  bars --db <file> --instrument S       OHLCV bars at any interval
  stats --db <file> --instrument S      spread statistics and VWAP per window
  profile --db <file> --instrument S    activity by time of day
  tca --db <file>                       transaction costs per order (--parents, --parent <id>: per parent order)
  pnl --db <file>                       realised P&L by strategy, instrument and day
  instruments --db <file>               the instruments in a store
  export --db <file> --parquet <dir>    Parquet partitioned by instrument and day

Every subcommand takes --help and --json (JSON lines instead of a table).`,
  import: `Usage: kestrel data import <files|folders>... --db <file> [options]

Reads each file (folders recursively; a folder of HHh_ticks.bi5 files is one Dukascopy day) and
appends its rows to the store. Bad rows are skipped and reported with file and line; a file that
cannot be read is reported and the others still import. Exit code 1 if any file failed. What is
inferred rather than given (a CSV's columns and time unit, a new instrument's scales) is printed.

  --db <file>              store file (created if missing)
  --instrument <NAME>      instrument of every input (otherwise recognised from names)
  --format <f>             ${IMPORT_FORMATS.join("|")} (otherwise recognised)
  --price-decimals <n>     scales for an instrument the store does not know yet (otherwise inferred:
  --size-decimals <n>        LOBSTER 4 and 0; other formats the most decimals seen in the file)
  --quote <CCY>            quote currency of a new single-asset symbol such as MSFT (default USD)
  --columns <spec>         for --format csv: ts=0,bid=1,ask=2[,bidSize=3,askSize=4] (indexes or header names);
                           without it a header line naming time, bid and ask (and sizes) is recognised
  --ts-format <f>          for --format csv: s|ms|us|ns|datetime (default: told from the first rows)
  --header                 for --format csv: the first line names the columns
  --delimiter <c>          for --format csv (default ,)
  --size-multiplier <n>    for --format csv: size units per size in the file (power of ten)
  --book-depth <n>         LOBSTER book levels kept per row (default all; 0 = top as quotes only)
  --table <name>           Parquet: the table to fill (otherwise recognised from the columns)`,
  query: `Usage: kestrel data query --db <file> "<sql>" [--json]

Runs SQL against the store and prints the result. Tables: instruments, strategies, ${RECORDED_TABLES.map((t) => t.name).join(", ")};
views in decimals: quotes_dec, trades_dec, orders_dec, fills_dec, marks_dec.`,
  bars: `Usage: kestrel data bars --db <file> --instrument <S> [--interval 1m] [--trades] [--json]

OHLCV bars of the mid (or of trade prices with --trades), in decimals.
  --interval <d>        bar length: 500ms, 1s, 5m, 1h ... (default 1m)
${RANGE}`,
  stats: `Usage: kestrel data stats --db <file> --instrument <S> [--window 1h] [--json]

Per window: quotes, average/min/max/median spread, average mid, trades, volume and VWAP.
  --window <d>          window length (default 1h)
${RANGE}`,
  profile: `Usage: kestrel data profile --db <file> --instrument <S> [--bucket 1h] [--json]

Activity by time of day (UTC) over the days in the store: quotes per day, spread, trades, volume.
  --bucket <d>          bucket length (default 1h)
${RANGE}`,
  tca: `Usage: kestrel data tca --db <file> [--strategy <name>] [--json]
       kestrel data tca --db <file> --parents [--json]
       kestrel data tca --db <file> --parent <id> [--html <file>] [--json]

Per order: arrival mid, execution price, slippage in ticks, pips and money, fees, time to fill.
${RANGE}
  --parents         per parent order (execution algorithms): arrival price, average price,
                    implementation shortfall, VWAP slippage (tick-weighted mid on quote-only
                    feeds, see benchmark_basis), participation, fees, spread paid, children
  --parent <id>     one parent and its children's fills with their venues
  --html <file>     with --parent: an HTML report with the child fills on a price chart`,
  pnl: `Usage: kestrel data pnl --db <file> [--json]

Realised P&L by strategy, instrument and UTC day, fills matched first in, first out.
${RANGE}`,
  instruments: `Usage: kestrel data instruments --db <file> [--json]

Lists the instruments of a store with their scales.`,
  export: `Usage: kestrel data export --db <file> --parquet <dir> [--table <t> | --query "<sql>" --name <n>]

Writes Parquet files partitioned by instrument and day under <dir>/<name>/, plus
<dir>/instruments.parquet. Without --table or --query every non-empty recorded table is exported.`,
};

class UsageError extends Error {}

/** Runs `kestrel data <argv>`; returns the exit code. */
export async function runDataCommand(argv: string[], io: DataCommandIo = STD_IO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.out(HELP.main);
    return sub === undefined ? 2 : 0;
  }
  if (!(sub in HELP) || sub === "main") {
    io.err(`kestrel data: unknown subcommand "${sub}"\n\n${HELP.main}`);
    return 2;
  }
  let args;
  try {
    args = parseArgs(rest, VALUE_FLAGS);
  } catch (e) {
    io.err(`kestrel data ${sub}: ${(e as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    io.out(HELP[sub]);
    return 0;
  }
  const flag = (name: string): string | undefined => {
    const v = args.flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const json = args.flags.has("json");
  const print = (columns: string[], rows: unknown[][]) => io.out(json ? formatJsonLines(columns, rows as never) : formatTable(columns, rows as never));
  try {
    const dbPath = flag("db");
    if (dbPath === undefined) throw new UsageError("--db <file> is required");
    if (sub === "import") {
      if (args.positionals.length === 0) throw new UsageError("give the files or folders to import");
      const format = flag("format");
      if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join("|")}, got "${format}"`);
      const report = await importData(args.positionals, {
        db: dbPath,
        instrument: flag("instrument"),
        format: format as ImportFormat | undefined,
        priceDecimals: intFlag(flag("price-decimals"), "price-decimals"),
        sizeDecimals: intFlag(flag("size-decimals"), "size-decimals"),
        quote: flag("quote")?.toUpperCase(),
        csvMapping: csvMapping(flag, args.flags.has("header")),
        bookDepth: intFlag(flag("book-depth"), "book-depth"),
        table: flag("table"),
      });
      printImport(report, io, json);
      return report.failedFiles > 0 ? 1 : 0;
    }
    const db = await StoreDb.open(dbPath);
    try {
      const range: TimeRange = { from: timeFlag(flag("from"), "from"), to: timeFlag(flag("to"), "to") };
      const needInstrument = (): string => {
        const s = flag("instrument");
        if (s === undefined) throw new UsageError("--instrument <NAME> is required");
        return s.toUpperCase();
      };
      switch (sub) {
        case "query": {
          const sql = args.positionals.join(" ");
          if (sql.trim() === "") throw new UsageError('give the SQL, e.g. "SELECT count(*) FROM quotes"');
          const t = await db.table(sql);
          print(t.columns, t.rows);
          return 0;
        }
        case "bars": {
          const list = await bars(db, needInstrument(), durationFlag(flag("interval") ?? "1m", "interval"), { ...range, source: args.flags.has("trades") ? "trades" : "quotes" });
          const t = objectsToTable(list.map((b) => ({ time: isoUs(b.start), ...b })) as never);
          print(t.columns, t.rows);
          return 0;
        }
        case "stats":
        case "profile": {
          const rows =
            sub === "stats"
              ? await spreadStats(db, needInstrument(), durationFlag(flag("window") ?? "1h", "window"), range)
              : await activityProfile(db, needInstrument(), durationFlag(flag("bucket") ?? "1h", "bucket"), range);
          const t = objectsToTable(sub === "stats" ? rows.map((r) => ({ time: isoUs(Number(r.start)), ...r })) : rows);
          print(t.columns, t.rows);
          return 0;
        }
        case "tca": {
          const parentFlag = flag("parent");
          if (args.flags.has("parents") || parentFlag !== undefined) {
            const { readParentTca, parentChildFills, parentMids } = await import("../execution/tca/store-tca.ts");
            if (parentFlag === undefined) {
              const rows = await readParentTca(db);
              const t = objectsToTable(rows);
              print(t.columns, t.rows);
              return 0;
            }
            const id = intFlag(parentFlag, "parent")!;
            const rows = await readParentTca(db, id);
            if (rows.length === 0) throw new Error(`PARENT_UNKNOWN: parent=${id} is not in ${dbPath} (parents are written when a session with execution algorithms and a store ends)`);
            const fills = await parentChildFills(db, id);
            const t = objectsToTable(rows);
            print(t.columns, t.rows);
            const f = objectsToTable(fills);
            print(f.columns, f.rows);
            const html = flag("html");
            if (html !== undefined) {
              const { parentTcaHtml } = await import("../execution/tca/tca-html.ts");
              await Bun.write(html, parentTcaHtml(rows.at(-1)!, await parentMids(db, id), fills));
              io.err(`wrote ${html}`);
            }
            return 0;
          }
          const t = objectsToTable(await transactionCosts(db, { ...range, strategy: flag("strategy") }));
          print(t.columns, t.rows);
          return 0;
        }
        case "pnl": {
          const list = await realisedPnl(db, range);
          const t = objectsToTable(list.map((p) => ({ strategy: p.strategy, symbol: p.symbol, day: p.day, realized: p.realized, fees: p.fees, net: p.net, currency: p.currency, realized_units: p.realizedUnits, fees_units: p.feesUnits })));
          print(t.columns, t.rows);
          return 0;
        }
        case "instruments": {
          const t = await db.table("SELECT * FROM instruments ORDER BY id");
          print(t.columns, t.rows);
          return 0;
        }
        case "export": {
          const dir = flag("parquet");
          if (dir === undefined) throw new UsageError("--parquet <dir> is required");
          const query = flag("query");
          const table = flag("table");
          const done = [];
          if (query !== undefined) done.push(await exportParquet(db, dir, { query, name: flag("name") ?? "query" }));
          else if (table !== undefined) done.push(await exportParquet(db, dir, { table }));
          else {
            for (const t of RECORDED_TABLES) {
              const n = Number((await db.all(`SELECT count(*) AS n FROM ${t.name}`))[0].n);
              if (n > 0) done.push(await exportParquet(db, dir, { table: t.name }));
            }
          }
          print(["name", "rows", "files", "dir"], done.map((d) => [d.name, d.rows, d.files, d.dir]));
          return 0;
        }
      }
    } finally {
      db.close();
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kestrel data ${sub}: ${e.message}\n\n${HELP[sub]}`);
      return 2;
    }
    io.err(`kestrel data ${sub}: ${(e as Error).message}`);
    return 1;
  }
}

function printImport(report: ImportReport, io: DataCommandIo, json: boolean): void {
  if (json) {
    for (const f of report.files) io.out(JSON.stringify({ ...f, errors: f.errors.slice(0, 20) }));
    io.out(JSON.stringify({ rows: report.rows, badRows: report.badRows, failedFiles: report.failedFiles, seconds: report.seconds }));
    return;
  }
  for (const f of report.files) {
    for (const line of f.inferred ?? []) io.out(line);
    const rows = Object.entries(f.rows).map(([t, n]) => `${t}=${n}`).join(" ") || "no rows";
    if (f.failed !== undefined) io.err(`FAILED ${f.file}: ${f.failed}`);
    else io.out(`${f.file} [${f.format} ${f.instrument}] ${rows}${f.badRows > 0 ? `, ${f.badRows} bad rows` : ""}`);
    for (const e of f.errors.slice(0, 10)) io.err(`  ${e.file}:${e.line}: ${e.reason}`);
    if (f.badRows > 10) io.err(`  ... and ${f.badRows - 10} more bad rows`);
  }
  const rate = report.seconds > 0 ? Math.round(report.rows / report.seconds) : 0;
  io.out(`imported ${report.rows} rows from ${report.files.length - report.failedFiles} of ${report.files.length} inputs in ${report.seconds.toFixed(2)} s (${rate} rows/s); ${report.badRows} bad rows; ${report.failedFiles} failed`);
}

function isoUs(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "");
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number >= 0, got "${v}"`);
  return n;
}

function durationFlag(v: string, name: string): number {
  try {
    const us = parseDuration(v);
    if (us <= 0) throw new Error("must be > 0");
    return us;
  } catch (e) {
    throw new UsageError(`--${name}: ${(e as Error).message}`);
  }
}

function timeFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(v) || v.length <= 10 ? v : `${v}Z`);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO date-time or µs since the epoch, got "${v}"`);
  return ms * 1000;
}

function csvMapping(flag: (n: string) => string | undefined, header: boolean): ImportOptions["csvMapping"] {
  const spec = flag("columns");
  if (spec === undefined) return undefined;
  const cols: Record<string, number | string> = {};
  for (const part of spec.split(",")) {
    const [k, v] = part.split("=");
    if (v === undefined || !["ts", "bid", "ask", "bidSize", "askSize"].includes(k)) throw new UsageError(`--columns: "${part}" is not ts|bid|ask|bidSize|askSize=<index or name>`);
    cols[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  if (cols.ts === undefined || cols.bid === undefined || cols.ask === undefined) throw new UsageError("--columns needs ts, bid and ask");
  const multiplier = flag("size-multiplier");
  return {
    ts: cols.ts,
    tsFormat: flag("ts-format") as TsFormat | undefined,
    bid: cols.bid,
    ask: cols.ask,
    bidSize: cols.bidSize,
    askSize: cols.askSize,
    header,
    delimiter: flag("delimiter"),
    sizeMultiplier: multiplier === undefined ? undefined : Number(multiplier),
  };
}
