/**
 * End-of-day statements from a real session's journal: a backtest trades EURUSD, USDCAD and USDJPY
 * across a UTC midnight (Thursday into Friday); `kestrel report eod` for each day writes the JSON
 * and CSV files, the two days' settlement records are exactly the journal's fills with their value
 * dates (EURUSD T+2 over the weekend, USDCAD T+1), the days' own realised P&L and fees add up to the
 * cumulative figures, and the second day's positions and P&L equal the session's portfolio.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import { runBacktest } from "../../session/backtest.ts";
import type { Session } from "../../session/build.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";
import { settlementConvention, valueDate } from "../settlement.ts";
import { runReportCommand } from "./cli.ts";
import type { EodStatement } from "./statement.ts";

const tmp = tempDir("kestrel-eod-");
afterAll(() => tmp.dispose());
const JOURNAL = join(tmp.path, "eod.journal");
const TAKER = resolve(import.meta.dir, "../../session/fixtures/taker-strategy.ts");
let session: Session;
let config: string;

beforeAll(async () => {
  const yaml = syntheticYaml(`  - { name: taker, plugin: ${TAKER}, instruments: [EURUSD, USDCAD, USDJPY], params: { every: 400, size: 10000 } }`, {
    pairs: "EURUSD, USDCAD, USDJPY",
    seconds: 600,
    extra: `journal: { path: ${JOURNAL}, fsync: never }`,
  }).replace('start: "2024-01-08T07:00:00Z"', 'start: "2024-01-11T23:55:00Z"');
  session = await sessionFromYaml(tmp.path, yaml, { store: false });
  runBacktest(session);
  config = join(tmp.path, "deployment.yaml");
}, 60_000);

async function report(date: string): Promise<EodStatement> {
  const out: string[] = [];
  const code = await runReportCommand(["eod", config, "--date", date, "--json", "--out", join(tmp.path, "reports")], { out: (l) => out.push(l), err: (l) => out.push(l) });
  expect(code).toBe(0);
  return JSON.parse(out[0]!) as EodStatement;
}

test("value dates: FX spot T+2 over weekends, USD/CAD T+1, crypto T+0", () => {
  expect(settlementConvention("EUR", "USD")).toBe("T+2");
  expect(settlementConvention("USD", "CAD")).toBe("T+1");
  expect(settlementConvention("BTC", "USDT")).toBe("T+0");
  expect(valueDate("2024-01-08", "T+2")).toBe("2024-01-10");
  expect(valueDate("2024-01-11", "T+2")).toBe("2024-01-15");
  expect(valueDate("2024-01-12", "T+1")).toBe("2024-01-15");
  expect(valueDate("2024-01-13", "T+0")).toBe("2024-01-13");
});

test("two days' statements hold every fill once, with its value date, and add up to the session's portfolio", async () => {
  const thu = await report("2024-01-11");
  const fri = await report("2024-01-12");
  expect(existsSync(join(tmp.path, "reports", "eod-2024-01-12.json"))).toBe(true);
  const csv = readFileSync(join(tmp.path, "reports", "settlements-2024-01-11.csv"), "utf8").trim().split("\n");
  expect(csv.length).toBe(thu.settlements.length + 1);

  const fills = readJournal(JOURNAL).records.filter((r) => r.t === "report" && r.report.kind === "fill");
  expect(thu.settlements.length).toBeGreaterThan(0);
  expect(fri.settlements.length).toBeGreaterThan(0);
  expect([...thu.settlements, ...fri.settlements].map((s) => s.fillId)).toEqual(fills.map((r) => (r as { fillId: number }).fillId));
  const valueDates = (s: EodStatement, symbol: string) => [...new Set(s.settlements.filter((x) => x.symbol === symbol).map((x) => x.valueDate))];
  expect(valueDates(thu, "EURUSD")).toEqual(["2024-01-15"]);
  expect(valueDates(thu, "USDCAD")).toEqual(["2024-01-12"]);
  expect(valueDates(fri, "EURUSD")).toEqual(["2024-01-16"]);
  expect(valueDates(fri, "USDCAD")).toEqual(["2024-01-15"]);

  // The day's own realised P&L and fees add up to the cumulative figures.
  for (const c of fri.byCurrency) {
    const a = thu.day.byCurrency.find((x) => x.currency === c.currency)!;
    const b = fri.day.byCurrency.find((x) => x.currency === c.currency)!;
    expect(a.realised + b.realised).toBe(c.realised);
    expect(a.fees + b.fees).toBe(c.fees);
  }
  // The last day's positions, realised P&L and fees are the session's.
  const p = session.core.portfolio;
  for (const inst of session.instruments) {
    const row = fri.positions.find((x) => x.symbol === inst.symbol);
    expect(row?.position ?? 0).toBe(p.position(inst.id));
    expect(row?.realised ?? 0).toBe(p.realised(inst.id));
    expect(row?.fees ?? 0).toBe(p.fees(inst.id));
  }
  // Cash per value date is the sum of the settlement amounts.
  // USD is the quote of EURUSD (10^-5) and the base of USDCAD, USDJPY (whole units): one total at 10^-5.
  const usdOn = (s: EodStatement, d: string) =>
    s.settlements.filter((x) => x.valueDate === d).reduce((n, x) => n + (x.quote === "USD" ? x.quoteAmount : 0) + (x.base === "USD" ? x.baseAmount * 100_000 : 0), 0);
  for (const d of ["2024-01-12", "2024-01-15"]) {
    const usd = thu.cash.filter((c) => c.valueDate === d && c.currency === "USD");
    expect(usd.length).toBe(1);
    expect(usd[0]!.decimals).toBe(5);
    expect(usd[0]!.amount).toBe(usdOn(thu, d));
  }
  expect(fri.account.net).not.toBeNull();
});

test("a day without activity has no settlements and the previous day's positions; a bad date is one clear line", async () => {
  const sat = await report("2024-01-13");
  expect(sat.settlements).toEqual([]);
  expect(sat.day.fills).toBe(0);
  const fri = await report("2024-01-12");
  expect(sat.positions.map((x) => [x.symbol, x.position])).toEqual(fri.positions.map((x) => [x.symbol, x.position]));
  const err: string[] = [];
  expect(await runReportCommand(["eod", config, "--date", "2024-02-30"], { out: () => {}, err: (l) => err.push(l) })).toBe(1);
  expect(err).toEqual([expect.stringMatching(/^kestrel report eod: REPORT_BAD_DATE: date=2024-02-30/)]);
});

test("order records (MiFID-style) of the session: every event with microsecond UTC time, every fill once, the same rows in CSV and Parquet", async () => {
  const out: string[] = [];
  const dir = join(tmp.path, "orders");
  expect(await runReportCommand(["orders", config, "--out", dir], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
  const csv = readFileSync(join(dir, "orders-all.csv"), "utf8").trim().split("\n");
  const head = csv[0]!.split(",");
  const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [head[i]!, v])));
  const records = readJournal(JOURNAL).records;
  const fillIds = records.flatMap((r) => (r.t === "report" && r.report.kind === "fill" ? [r.fillId] : []));
  const orderIds = records.flatMap((r) => (r.t === "order" ? [r.id] : []));
  expect(rows.filter((r) => r.event_type === "NEWO").map((r) => Number(r.order_id))).toEqual(orderIds);
  expect(rows.filter((r) => r.event_type === "FILL" || r.event_type === "PARF").map((r) => Number(r.transaction_id))).toEqual(fillIds);
  expect(new Set(rows.map((r) => r.event_type))).toEqual(new Set(["NEWO", "FILL", "PARF", "CANC"].filter((t) => rows.some((r) => r.event_type === t))));
  for (const r of rows) {
    // RTS 25: UTC to the microsecond, the same instant as the integer column.
    expect(r.event_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Date.parse(r.event_time!) * 1000 + Number(r.event_time!.slice(23, 26))).toBe(Number(r.event_time_us));
    expect(r.decision_maker).toBe("taker@1.0.0");
  }
  // The last event of each order carries what was executed, as the journal's fills add up.
  const executed = new Map<number, string>();
  for (const r of rows) executed.set(Number(r.order_id), r.executed_quantity!);
  for (const o of session.core.oms.all()) if (executed.has(o.id)) expect(Number(executed.get(o.id))).toBe(o.filled);

  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const p = (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE epoch_us(event_time) = event_time_us)::INTEGER AS same, sum(transaction_quantity::BIGINT)::BIGINT AS qty FROM read_parquet('${join(dir, "orders-all.parquet")}')`)).getRowObjects()[0]!;
  c.closeSync();
  db.closeSync();
  expect(Number(p.n)).toBe(rows.length);
  expect(Number(p.same)).toBe(rows.length);
  expect(Number(p.qty)).toBe(rows.reduce((n, r) => n + (r.transaction_quantity === "" ? 0 : Number(r.transaction_quantity)), 0));
});
