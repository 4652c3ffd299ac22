import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EURUSD, tempFolder, testInstrument } from "../data/formats/test-support.ts";
import { StoreDb } from "./database.ts";
import { TickRecorder, type LagAlert } from "./recorder.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

const BTC = testInstrument("BTCUSDT", 2, 8, 1);

async function readBack<T>(path: string, fn: (db: StoreDb) => Promise<T>): Promise<T> {
  const db = await StoreDb.open(path);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

describe("TickRecorder", () => {
  test("every kind of record reads back exactly, including values past 2^32 and negative money", async () => {
    using dir = tempFolder();
    const path = join(dir.path, "s.duckdb");
    const rec = await TickRecorder.open({ db: path, instruments: [EURUSD, BTC], strategies: ["mm", "trend"] });
    const ts = 1549238400994123;
    rec.recordQuote(ts, 0, 114543, 114545, 2_060_000, 1_000_000);
    rec.recordTrade(ts + 1, 1, 6_183_763, 378_826_000_000, -1, 3_735_683_259);
    rec.recordBookSnapshot(ts + 2, 1, 50_093_239_218, 2, [6_183_763, 6_183_762, 1], [5, 6, 7], [6_183_764], [8]);
    rec.recordBookLevel(ts + 3, 1, 50_093_239_224, false, -1, -1, 6_183_764, 0);
    rec.recordOrder(ts + 4, 9_007_199_254_740_000, 0, 1, 1, 2, 114544, 1_000_000, 77);
    rec.recordOrderState(ts + 5, 9_007_199_254_740_000, 4, 1_000_000, 0);
    rec.recordFill(ts + 6, 9_007_199_254_740_000, 5, 0, 1, 1, 114544, 1_000_000, -2_500_000, -1);
    rec.recordMark(ts + 7, 0, 1, -1_000_000, 114540, -4_000_000_000_000, 123);
    await rec.close();
    await readBack(path, async (db) => {
      expect(await db.all("SELECT * FROM quotes")).toEqual([{ ts, instrument_id: 0, bid: 114543, ask: 114545, bid_size: 2_060_000, ask_size: 1_000_000 }]);
      expect(await db.all("SELECT * FROM trades")).toEqual([{ ts: ts + 1, instrument_id: 1, price: 6_183_763, size: 378_826_000_000, aggressor: -1, trade_id: 3_735_683_259 }]);
      expect(await db.all("SELECT side, level, price, size, snapshot FROM book_levels ORDER BY rowid")).toEqual([
        { side: 1, level: 0, price: 6_183_763, size: 5, snapshot: 1 },
        { side: 1, level: 1, price: 6_183_762, size: 6, snapshot: 1 },
        { side: -1, level: 0, price: 6_183_764, size: 8, snapshot: 1 },
        { side: -1, level: -1, price: 6_183_764, size: 0, snapshot: 0 },
      ]);
      expect(await db.all("SELECT order_id, strategy_id, side, order_type, price, size, cause_event_id FROM orders")).toEqual([
        { order_id: 9_007_199_254_740_000, strategy_id: 1, side: 1, order_type: 2, price: 114544, size: 1_000_000, cause_event_id: 77 },
      ]);
      expect(await db.all("SELECT state, filled_size FROM order_states")).toEqual([{ state: 4, filled_size: 1_000_000 }]);
      expect(await db.all("SELECT fee, liquidity FROM fills")).toEqual([{ fee: -2_500_000, liquidity: -1 }]);
      expect(await db.all("SELECT position, realized_pnl, unrealized_pnl FROM marks")).toEqual([{ position: -1_000_000, realized_pnl: -4_000_000_000_000, unrealized_pnl: 123 }]);
      expect(await db.all("SELECT symbol, bid, ask FROM quotes_dec")).toEqual([{ symbol: "EURUSD", bid: 1.14543, ask: 1.14545 }]);
      expect(await db.all("SELECT name FROM strategies ORDER BY id")).toEqual([{ name: "mm" }, { name: "trend" }]);
    });
  });

  test("a quiet market reaches the file by time: rows in a partial batch are appended within the flush interval, and the lag is a lag", async () => {
    using dir = tempFolder();
    const path = join(dir.path, "s.duckdb");
    const rec = await TickRecorder.open({ db: path, instruments: [EURUSD], flushIntervalMs: 50 });
    const t0 = 1_549_238_400_000_000;
    for (let i = 0; i < 5; i++) rec.recordQuote(t0 + i * 20_000, 0, 114543, 114545, 1, 1);
    const waiting = rec.stats().quotes;
    expect([waiting.recorded, waiting.appended, waiting.lagRows]).toEqual([5, 0, 5]);
    // Event time from the first waiting row to the last, not an absolute timestamp.
    expect(waiting.lagUs).toBe(80_000);
    const deadline = Date.now() + 15_000;
    while (rec.stats().quotes.appended < 5 && Date.now() < deadline) await Bun.sleep(10);
    const s = rec.stats().quotes;
    expect([s.recorded, s.appended, s.lagRows, s.lagUs]).toEqual([5, 5, 0, 0]);
    rec.recordQuote(t0 + 500_000, 0, 114543, 114545, 1, 1);
    expect(rec.stats().quotes.lagUs).toBe(500_000 - 80_000);
    await rec.close();
    await readBack(path, async (db) => expect(await db.all("SELECT count(*) AS n FROM quotes")).toEqual([{ n: 6 }]));
  });

  test("with flushIntervalMs 0 only full batches are handed off", async () => {
    using dir = tempFolder();
    const rec = await TickRecorder.open({ db: join(dir.path, "s.duckdb"), instruments: [EURUSD], flushIntervalMs: 0, batchRows: 8 });
    for (let i = 0; i < 12; i++) rec.recordQuote(1_000_000 + i, 0, 1, 3, 1, 1);
    const deadline = Date.now() + 15_000;
    while (rec.stats().quotes.appended < 8 && Date.now() < deadline) await Bun.sleep(10);
    await Bun.sleep(200);
    expect(rec.stats().quotes.appended).toBe(8);
    await rec.close();
    await expect(TickRecorder.open({ db: join(dir.path, "t.duckdb"), instruments: [EURUSD], flushIntervalMs: -1 })).rejects.toMatchObject({ code: "STORE_CONFIG_INVALID" });
  });

  test("with the block policy a burst far larger than the queue is kept whole and in order", async () => {
    using dir = tempFolder();
    const path = join(dir.path, "s.duckdb");
    const alerts: LagAlert[] = [];
    const rec = await TickRecorder.open({ db: path, instruments: [EURUSD], policy: "block", batchRows: 64, queueBatches: 2, onLagAlert: (a) => alerts.push(a) });
    const n = 50_000;
    for (let i = 0; i < n; i++) rec.recordQuote(1_000_000 + i, 0, i, i + 2, 1, 1);
    await rec.flush();
    const s = rec.stats().quotes;
    expect([s.recorded, s.appended, s.dropped, s.lagRows]).toEqual([n, n, 0, 0]);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]).toMatchObject({ code: "STORE_LAG", table: "quotes" });
    await rec.close();
    await readBack(path, async (db) => {
      expect(await db.all("SELECT count(*) AS n, sum(bid) AS s, count(*) FILTER (WHERE epoch_us(ts) - 1000000 <> rowid) AS misplaced FROM quotes")).toEqual([{ n, s: (n * (n - 1)) / 2, misplaced: 0 }]);
    });
  });

  test("with the drop policy the loss is counted and what was kept is in the file", async () => {
    using dir = tempFolder();
    const path = join(dir.path, "s.duckdb");
    const rec = await TickRecorder.open({ db: path, instruments: [EURUSD], policy: "drop", batchRows: 8, queueBatches: 2 });
    const n = 400_000;
    for (let i = 0; i < n; i++) rec.recordQuote(i, 0, i, i, 0, 0);
    await rec.close();
    const s = rec.stats().quotes;
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.recorded).toBe(n);
    expect(s.appended + s.dropped).toBe(n);
    await readBack(path, async (db) => expect(await db.all("SELECT count(*) AS n FROM quotes")).toEqual([{ n: s.appended }]));
  });

  test("with the spill policy nothing is lost, order holds and the spill file is removed", async () => {
    using dir = tempFolder();
    const path = join(dir.path, "s.duckdb");
    const rec = await TickRecorder.open({ db: path, instruments: [EURUSD], policy: "spill", batchRows: 8, queueBatches: 2, spillDir: dir.path });
    const n = 200_000;
    for (let i = 0; i < n; i++) rec.recordQuote(i, 0, i, i, 0, 0);
    const spilled = rec.stats().quotes.spilled;
    await rec.close();
    expect(spilled).toBeGreaterThan(0);
    expect(rec.stats().quotes).toMatchObject({ recorded: n, appended: n, dropped: 0 });
    expect(readdirSync(dir.path).filter((f) => f.startsWith("kestrel-spill"))).toEqual([]);
    await readBack(path, async (db) => {
      expect(await db.all("SELECT count(*) AS n, count(*) FILTER (WHERE epoch_us(ts) <> rowid) AS misplaced FROM quotes")).toEqual([{ n, misplaced: 0 }]);
    });
  });

  test("a bad configuration is refused before anything starts", async () => {
    using dir = tempFolder();
    const db = join(dir.path, "s.duckdb");
    await expect(TickRecorder.open({ db, instruments: [], queueBatches: 3 })).rejects.toThrow("STORE_CONFIG_INVALID: queueBatches=3");
    await expect(TickRecorder.open({ db, instruments: [], policy: "lose" as never })).rejects.toThrow("policy=lose");
    expect(existsSync(db)).toBe(false);
  });

  test("a file that cannot be opened fails with STORE_OPEN_FAILED naming it", async () => {
    using dir = tempFolder();
    const db = join(dir.path, "missing-folder", "s.duckdb");
    await expect(TickRecorder.open({ db, instruments: [] })).rejects.toThrow(`STORE_OPEN_FAILED: db=${db}`);
  });
});
