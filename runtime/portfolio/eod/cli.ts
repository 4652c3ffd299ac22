/**
 * `kestrel report eod <deployment.yaml> --date <YYYY-MM-DD> [--json] [--journal <file>] [--out <dir>]`:
 * builds the end-of-day statement of a deployment from its journal (statement.ts), writes it as
 * `eod-<date>.json` and the settlement records as `settlements-<date>.csv` in `--out` (default
 * `reports/` beside the journal), and prints it. `kestrel report orders <deployment.yaml> [--date d]
 * [--journal f] [--out dir]` writes the MiFID-style order records (runtime/audit/order-records.ts)
 * as `orders-<date|all>.csv` and `.parquet`. Exit codes: 0 written, 1 failed, 2 bad usage.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "../../cli/args.ts";
import { loadConfig } from "../../config/load.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { deploymentInstruments } from "../../session/build.ts";
import { buildEodStatement, type EodStatement } from "./statement.ts";
import { orderEventRecords, orderRecordsCsv, writeOrderRecordsParquet } from "../../audit/order-records.ts";
import { dayStartUs } from "../settlement.ts";

/** Where the command writes. */
export interface ReportCommandIo {
  out(line: string): void;
  err(line: string): void;
}

const STD_IO: ReportCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Help of the command. */
export const REPORT_HELP = `Usage: kestrel report eod <deployment.yaml> --date <YYYY-MM-DD> [--json] [--journal <file>] [--out <dir>]

The end-of-day statement of a UTC date from the deployment's journal: positions, realised and
unrealised P&L (marked at each instrument's last fill price) and fees by currency and in the
account currency, the day's activity, one settlement record per fill with its value date (FX spot
T+2, USD/CAD and the other T+1 pairs T+1, crypto T+0; weekends skipped), the net cash per value
date and currency, and the venue reconciliation records of the day.
Writes eod-<date>.json and settlements-<date>.csv to --out (default: reports/ beside the journal).
  --json   print the statement as one JSON object

Usage: kestrel report orders <deployment.yaml> [--date <YYYY-MM-DD>] [--journal <file>] [--out <dir>]

Order records in the style of MiFID II order-record keeping: one row per order event (NEWO, REME,
CAME, CANC, REMO, EXPI, PARF, FILL) with UTC microsecond timestamps (RTS 25), the decision maker,
exact prices and quantities, transaction ids and passive/aggressive flags, for one UTC date or the
whole journal. Writes orders-<date|all>.csv and orders-<date|all>.parquet to --out.`;

/** Runs the command; returns the exit code. */
export async function runReportCommand(argv: readonly string[], io: ReportCommandIo = STD_IO): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(["date", "journal", "out"]));
  } catch (err) {
    io.err(`kestrel report: ${(err as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    io.out(REPORT_HELP);
    return 0;
  }
  const [sub, target] = args.positionals;
  const date = args.flags.get("date");
  if (sub === "orders" && target !== undefined && date !== true) return ordersCommand(target, date, args.flags, io);
  if (sub !== "eod" || target === undefined || typeof date !== "string") {
    const what = sub !== "eod" && sub !== "orders" && sub !== undefined ? `unknown subcommand "${sub}"` : target === undefined ? "missing <deployment.yaml>" : "missing --date <YYYY-MM-DD>";
    io.err(`kestrel report: ${what}\n\n${REPORT_HELP}`);
    return 2;
  }
  const loaded = loadConfig(resolve(target));
  if (!loaded.ok) {
    io.err(`kestrel report eod: ${target} is not valid:\n  ${loaded.problems.join("\n  ")}`);
    return 1;
  }
  const config = loaded.config;
  const journalFlag = args.flags.get("journal");
  const journal = typeof journalFlag === "string" ? resolve(journalFlag) : config.journal ? resolve(config.journal.path) : null;
  if (journal === null) {
    io.err(`kestrel report eod: REPORT_NO_JOURNAL: deployment=${target} reason=no journal.path and no --journal`);
    return 1;
  }
  let statement: EodStatement;
  try {
    statement = buildEodStatement({ deployment: config.name, accountCurrency: config.account.currency, instruments: deploymentInstruments(config), records: readJournal(journal).records, date });
  } catch (err) {
    io.err(`kestrel report eod: ${(err as Error).message} journal=${journal}`);
    return 1;
  }
  const outFlag = args.flags.get("out");
  const out = typeof outFlag === "string" ? resolve(outFlag) : join(dirname(journal), "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `eod-${date}.json`), `${JSON.stringify(statement, null, 2)}\n`);
  writeFileSync(join(out, `settlements-${date}.csv`), settlementsCsv(statement));
  if (args.flags.has("json")) io.out(JSON.stringify(statement));
  else io.out(statementText(statement, out));
  return 0;
}

async function ordersCommand(target: string, date: string | undefined, flags: Map<string, string | true>, io: ReportCommandIo): Promise<number> {
  const loaded = loadConfig(resolve(target));
  if (!loaded.ok) {
    io.err(`kestrel report orders: ${target} is not valid:\n  ${loaded.problems.join("\n  ")}`);
    return 1;
  }
  const config = loaded.config;
  const journalFlag = flags.get("journal");
  const journal = typeof journalFlag === "string" ? resolve(journalFlag) : config.journal ? resolve(config.journal.path) : null;
  if (journal === null) {
    io.err(`kestrel report orders: REPORT_NO_JOURNAL: deployment=${target} reason=no journal.path and no --journal`);
    return 1;
  }
  const start = date === undefined ? Number.NaN : dayStartUs(date);
  if (date !== undefined && Number.isNaN(start)) {
    io.err(`kestrel report orders: REPORT_BAD_DATE: date=${date} expected=YYYY-MM-DD`);
    return 1;
  }
  const rows = orderEventRecords(readJournal(journal).records, deploymentInstruments(config), config.name, date === undefined ? {} : { fromUs: start, toUs: start + 86_400_000_000 });
  const outFlag = flags.get("out");
  const out = typeof outFlag === "string" ? resolve(outFlag) : join(dirname(journal), "reports");
  mkdirSync(out, { recursive: true });
  const base = join(out, `orders-${date ?? "all"}`);
  writeFileSync(`${base}.csv`, orderRecordsCsv(rows));
  await writeOrderRecordsParquet(`${base}.csv`, `${base}.parquet`);
  io.out(`${rows.length} order events from ${journal}\nwritten: ${base}.csv, ${base}.parquet`);
  return 0;
}

/** The settlement records as CSV (one header line, one line per fill). */
export function settlementsCsv(s: EodStatement): string {
  const head = "fill_id,order_id,strategy,symbol,side,size,price,trade_ts,trade_date,value_date,convention,base,base_amount,quote,quote_amount,quote_decimals,fee";
  const rows = s.settlements.map((r) => [r.fillId, r.orderId, r.strategy, r.symbol, r.side, r.size, r.price, r.ts, r.tradeDate, r.valueDate, r.convention, r.base, r.baseAmount, r.quote, r.quoteAmount, r.quoteDecimals, r.fee].join(","));
  return `${[head, ...rows].join("\n")}\n`;
}

function money(v: number, decimals: number): string {
  return (v / 10 ** decimals).toFixed(decimals > 2 ? 2 : decimals);
}

/** A readable statement. */
export function statementText(s: EodStatement, out: string): string {
  const lines = [`End of day ${s.date} — ${s.deployment} (marks: ${s.marks}, account ${s.accountCurrency})`, ""];
  lines.push("Positions");
  if (s.positions.length === 0) lines.push("  (none)");
  for (const p of s.positions) lines.push(`  ${p.symbol.padEnd(10)} ${String(p.position).padStart(12)}  realised ${money(p.realised, p.decimals)} ${p.quote}  unrealised ${money(p.unrealised, p.decimals)}  fees ${money(p.fees, p.decimals)}`);
  lines.push("", "By currency (to the end of the day | the day's own)");
  for (const c of s.byCurrency) {
    const d = s.day.byCurrency.find((x) => x.currency === c.currency);
    lines.push(`  ${c.currency}  realised ${money(c.realised, c.decimals)}  unrealised ${money(c.unrealised, c.decimals)}  fees ${money(c.fees, c.decimals)}  net ${money(c.net, c.decimals)}  | day realised ${money(d?.realised ?? 0, c.decimals)} fees ${money(d?.fees ?? 0, c.decimals)}`);
  }
  const a = s.account;
  const f = (v: number | null) => (v === null ? "n/a (no rate)" : v.toFixed(2));
  lines.push(`  in ${s.accountCurrency}: realised ${f(a.realised)}  unrealised ${f(a.unrealised)}  fees ${f(a.fees)}  net ${f(a.net)}`);
  lines.push("", `Day: ${s.day.orders} orders (${s.day.refused} refused), ${s.day.fills} fills`, "", "Cash to settle");
  if (s.cash.length === 0) lines.push("  (none)");
  for (const c of s.cash) lines.push(`  ${c.valueDate}  ${c.currency}  ${money(c.amount, c.decimals)}`);
  lines.push("", `Venue reconciliation: ${s.reconciliation.length === 0 ? "no records" : s.reconciliation.map((r) => `${r.kind}${r.orderId === 0 ? "" : ` order=${r.orderId}`} ${r.action}`).join("; ")}`);
  lines.push("", `written: ${join(out, `eod-${s.date}.json`)}, ${join(out, `settlements-${s.date}.csv`)}`);
  return lines.join("\n");
}
