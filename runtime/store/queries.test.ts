import { beforeAll, afterAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { join } from "node:path";
import { EURUSD, tempFolder } from "../data/formats/test-support.ts";
import { StoreDb } from "./database.ts";
import { activityProfile, bars, realisedPnl, spreadStats, transactionCosts } from "./queries.ts";
import { TickRecorder } from "./recorder.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

const DAY = Date.UTC(2024, 0, 2) * 1000;
const S = 1_000_000;
const dir = tempFolder();
let db: StoreDb;

beforeAll(async () => {
  const path = join(dir.path, "q.duckdb");
  const rec = await TickRecorder.open({ db: path, instruments: [EURUSD], strategies: ["mm"] });
  // Quotes for bars: mids 100001, 100011, 99991 in the first second, 100002 in the next.
  rec.recordQuote(DAY + 0.1 * S, 0, 100000, 100002, 1, 1);
  rec.recordQuote(DAY + 0.5 * S, 0, 100010, 100012, 1, 1);
  rec.recordQuote(DAY + 0.9 * S, 0, 99990, 99992, 1, 1);
  rec.recordQuote(DAY + 1.2 * S, 0, 100000, 100004, 1, 1);
  rec.recordTrade(DAY + 0.2 * S, 0, 100005, 10, 1, 1);
  rec.recordTrade(DAY + 0.3 * S, 0, 100007, 30, -1, 2);
  // An order session an hour later: arrival mids 110001 then 110011.
  const H = DAY + 3600 * S;
  rec.recordQuote(H + 1000, 0, 110000, 110002, 5, 5);
  rec.recordQuote(H + 2000, 0, 110010, 110012, 5, 5);
  rec.recordOrder(H + 1500, 1, 0, 0, 1, 1, 110005, 1_000_000, 11);
  rec.recordFill(H + 1600, 1, 1, 0, 0, 1, 110002, 400_000, 100, -1);
  rec.recordFill(H + 1700, 1, 2, 0, 0, 1, 110003, 600_000, 150, -1);
  rec.recordOrder(H + 2500, 2, 0, 0, -1, 1, 110000, 1_500_000, 12);
  rec.recordFill(H + 2600, 2, 3, 0, 0, -1, 110010, 1_500_000, 300, -1);
  // Next day the remaining short 500,000 is bought back 10 ticks lower.
  rec.recordOrder(H + 86_400 * S, 3, 0, 0, 1, 1, 110000, 500_000, 13);
  rec.recordFill(H + 86_400 * S + 10, 3, 4, 0, 0, 1, 110000, 500_000, 0, 1);
  await rec.close();
  db = await StoreDb.open(path);
});

afterAll(() => {
  db.close();
  dir[Symbol.dispose]();
});

describe("queries", () => {
  test("1-second mid bars take open and close by time and high and low over the bar", async () => {
    const list = await bars(db, "EURUSD", S, { to: DAY + 2 * S });
    expect(list).toEqual([
      { start: DAY, open: 1.00001, high: 1.00011, low: 0.99991, close: 0.99991, ticks: 3, volume: null },
      { start: DAY + S, open: 1.00002, high: 1.00002, low: 1.00002, close: 1.00002, ticks: 1, volume: null },
    ]);
  });

  test("trade bars carry volume, and spread stats carry VWAP per window", async () => {
    expect(await bars(db, "EURUSD", S, { source: "trades" })).toEqual([{ start: DAY, open: 1.00005, high: 1.00007, low: 1.00005, close: 1.00007, ticks: 2, volume: 40 }]);
    const stats = await spreadStats(db, "EURUSD", S, { to: DAY + S });
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ start: DAY, quotes: 3, min_spread: 0.00002, max_spread: 0.00002, trades: 2, volume: 40 });
    expect(stats[0].vwap).toBeCloseTo(1.000065, 12);
  });

  test("the activity profile counts quotes per hour of day", async () => {
    const p = await activityProfile(db, "EURUSD");
    expect(p.map((r) => [r.time_utc, r.quotes, r.trades])).toEqual([
      ["00:00", 4, 2],
      ["01:00", 2, 0],
    ]);
  });

  test("TCA gives arrival mid, execution price, slippage in ticks, pips and money, fees and time to fill", async () => {
    const rows = await transactionCosts(db, { strategy: "mm" });
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ order_id: 1, symbol: "EURUSD", strategy: "mm", side: 1, filled: 1_000_000, fills: 2, arrival_mid: 1.10001, exec_price: 1.100026, fees: 0.0025, currency: "USD", time_to_fill_us: 200 });
    expect(rows[0].slippage_ticks).toBeCloseTo(1.6, 9);
    expect(rows[0].slippage_pips).toBeCloseTo(0.16, 9);
    expect(rows[0].slippage_money).toBeCloseTo(16, 9);
    expect(rows[1]).toMatchObject({ order_id: 2, side: -1, slippage_ticks: 1, slippage_money: 15, time_to_fill_us: 100 });
    expect(await transactionCosts(db, { strategy: "nobody" })).toEqual([]);
  });

  test("realised P&L matches fills first in, first out, exactly, by strategy, instrument and day", async () => {
    const pnl = await realisedPnl(db);
    expect(pnl.map((p) => [p.strategy, p.symbol, p.day, p.realizedUnits, p.feesUnits, p.closedSize])).toEqual([
      ["mm", "EURUSD", "2024-01-02", 3_200_000n + 4_200_000n, 550n, 1_000_000],
      ["mm", "EURUSD", "2024-01-03", 5_000_000n, 0n, 500_000],
    ]);
    expect(pnl[0]).toMatchObject({ realized: 74, fees: 0.0055, net: 73.9945, currency: "USD" });
  });

  test("an unknown instrument or a bad interval is a coded error", async () => {
    await expect(bars(db, "GBPUSD", S)).rejects.toThrow("STORE_QUERY_FAILED");
    await expect(bars(db, "EURUSD", 0)).rejects.toThrow("STORE_CONFIG_INVALID: interval=0");
  });
});
