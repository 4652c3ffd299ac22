/**
 * The questions people ask of a session, as functions over a store file: OHLCV bars at any
 * interval, VWAP and spread statistics per window, the intraday activity profile, transaction
 * cost analysis per order, and realised P&L by strategy, instrument and day. Prices come back in
 * decimals for people; exact integers (ticks, units, money units) are kept where they are the
 * point (P&L, slippage in money).
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { Row, StoreDb } from "./database.ts";
import { StoreError } from "./store-error.ts";

/** A time range in µs since the epoch; either end may be open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

async function instrumentOf(db: StoreDb, symbol: string): Promise<Instrument> {
  const inst = await db.instrument(symbol);
  if (inst === undefined) throw new StoreError("STORE_QUERY_FAILED", { db: db.path, instrument: symbol, cause: "not in the instruments table" });
  return inst;
}

function rangeSql(range: TimeRange, alias = ""): string {
  const ts = alias === "" ? "ts" : `${alias}.ts`;
  let sql = "";
  if (range.from !== undefined) sql += ` AND ${ts} >= make_timestamp(${Math.trunc(range.from)})`;
  if (range.to !== undefined) sql += ` AND ${ts} < make_timestamp(${Math.trunc(range.to)})`;
  return sql;
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new StoreError("STORE_CONFIG_INVALID", { [name]: v, expected: "a whole number of µs > 0" });
  return v;
}

/** One OHLCV bar: `start` in µs, prices in decimals, `volume` the traded size in decimals (null for quote bars). */
export interface Bar {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  ticks: number;
  volume: number | null;
}

/** OHLCV bars of the mid (from quotes) or of trade prices, at any interval in µs. */
export async function bars(db: StoreDb, symbol: string, intervalUs: number, options: TimeRange & { source?: "quotes" | "trades" } = {}): Promise<Bar[]> {
  const inst = await instrumentOf(db, symbol);
  const us = positive("interval", intervalUs);
  const trades = options.source === "trades";
  const px = trades ? "price" : "(bid + ask) / 2";
  const scale = 10 ** inst.priceDecimals;
  const rows = await db.all(`
    SELECT epoch_us(time_bucket(to_microseconds(${us}::BIGINT), ts)) AS start,
           arg_min(${px}, (ts, rowid)) AS open, max(${px}) AS high, min(${px}) AS low, arg_max(${px}, (ts, rowid)) AS close,
           count(*) AS ticks, ${trades ? "sum(size)" : "NULL"} AS volume
    FROM ${trades ? "trades" : "quotes"}
    WHERE instrument_id = ${inst.id}${rangeSql(options)}
    GROUP BY 1 ORDER BY 1`);
  const sizeScale = 10 ** inst.sizeDecimals;
  return rows.map((r) => ({
    start: Number(r.start),
    open: Number(r.open) / scale,
    high: Number(r.high) / scale,
    low: Number(r.low) / scale,
    close: Number(r.close) / scale,
    ticks: Number(r.ticks),
    volume: r.volume === null ? null : Number(r.volume) / sizeScale,
  }));
}

/** Spread statistics (decimals) from quotes and VWAP from trades, per window of `windowUs`. */
export async function spreadStats(db: StoreDb, symbol: string, windowUs: number, range: TimeRange = {}): Promise<Row[]> {
  const inst = await instrumentOf(db, symbol);
  const us = positive("window", windowUs);
  const scale = `pow(10, ${inst.priceDecimals})`;
  return db.all(`
    WITH q AS (
      SELECT epoch_us(time_bucket(to_microseconds(${us}::BIGINT), ts)) AS start, count(*) AS quotes,
             avg(ask - bid) / ${scale} AS avg_spread, min(ask - bid) / ${scale} AS min_spread, max(ask - bid) / ${scale} AS max_spread,
             quantile_cont(ask - bid, 0.5) / ${scale} AS median_spread, avg((bid + ask) / 2) / ${scale} AS avg_mid
      FROM quotes WHERE instrument_id = ${inst.id}${rangeSql(range)} GROUP BY 1),
    t AS (
      SELECT epoch_us(time_bucket(to_microseconds(${us}::BIGINT), ts)) AS start, count(*) AS trades,
             sum(size) / pow(10, ${inst.sizeDecimals}) AS volume, sum(price::HUGEINT * size) / sum(size) / ${scale} AS vwap
      FROM trades WHERE instrument_id = ${inst.id}${rangeSql(range)} GROUP BY 1)
    SELECT coalesce(q.start, t.start) AS start, coalesce(q.quotes, 0) AS quotes, q.avg_spread, q.min_spread, q.max_spread, q.median_spread, q.avg_mid,
           coalesce(t.trades, 0) AS trades, t.volume, t.vwap
    FROM q FULL OUTER JOIN t ON q.start = t.start ORDER BY 1`);
}

/** Activity by time of day (UTC), averaged over the days present: quotes, trades, volume and spread per bucket. */
export async function activityProfile(db: StoreDb, symbol: string, bucketUs = 3_600_000_000, range: TimeRange = {}): Promise<Row[]> {
  const inst = await instrumentOf(db, symbol);
  const us = positive("bucket", bucketUs);
  return db.all(`
    WITH q AS (
      SELECT (epoch_us(ts) % 86400000000) // ${us} * ${us} AS offset_us, count(*) AS quotes, count(DISTINCT CAST(ts AS DATE)) AS days,
             avg(ask - bid) / pow(10, ${inst.priceDecimals}) AS avg_spread
      FROM quotes WHERE instrument_id = ${inst.id}${rangeSql(range)} GROUP BY 1),
    t AS (
      SELECT (epoch_us(ts) % 86400000000) // ${us} * ${us} AS offset_us, count(*) AS trades, sum(size) / pow(10, ${inst.sizeDecimals}) AS volume
      FROM trades WHERE instrument_id = ${inst.id}${rangeSql(range)} GROUP BY 1)
    SELECT coalesce(q.offset_us, t.offset_us) AS offset_us, strftime(make_timestamp(coalesce(q.offset_us, t.offset_us)), '%H:%M') AS time_utc,
           coalesce(q.quotes, 0) AS quotes, coalesce(q.days, 0) AS days, q.quotes / greatest(q.days, 1) AS quotes_per_day, q.avg_spread,
           coalesce(t.trades, 0) AS trades, t.volume
    FROM q FULL OUTER JOIN t ON q.offset_us = t.offset_us ORDER BY 1`);
}

/**
 * Transaction-cost analysis per order: arrival mid (the last quote at or before the order),
 * average execution price, slippage against arrival in ticks, pips and money (positive = cost),
 * fees, filled size and time from order to last fill.
 */
export async function transactionCosts(db: StoreDb, options: TimeRange & { strategy?: string } = {}): Promise<Row[]> {
  const strategy = options.strategy === undefined ? "" : ` AND s.name = '${options.strategy.replace(/'/g, "''")}'`;
  return db.all(`
    WITH f AS (
      SELECT order_id, sum(size) AS filled, sum(price::HUGEINT * size) AS notional, sum(fee) AS fees, max(ts) AS last_fill, count(*) AS fills
      FROM fills GROUP BY order_id),
    a AS (
      SELECT o.order_id, (q.bid + q.ask) / 2 AS arrival_mid
      FROM orders o ASOF LEFT JOIN quotes q ON q.instrument_id = o.instrument_id AND q.ts <= o.ts)
    SELECT o.order_id, epoch_us(o.ts) AS ts, i.symbol, coalesce(s.name, CAST(o.strategy_id AS VARCHAR)) AS strategy, o.side,
           o.size / pow(10, i.size_decimals) AS size, coalesce(f.filled, 0) / pow(10, i.size_decimals) AS filled, coalesce(f.fills, 0) AS fills,
           a.arrival_mid / pow(10, i.price_decimals) AS arrival_mid,
           f.notional / f.filled / pow(10, i.price_decimals) AS exec_price,
           o.side * (f.notional / f.filled - a.arrival_mid) AS slippage_ticks,
           o.side * (f.notional / f.filled - a.arrival_mid) / (CASE WHEN i.price_decimals IN (3, 5) THEN 10 ELSE 1 END) AS slippage_pips,
           o.side * (f.notional - a.arrival_mid * f.filled) / pow(10, i.price_decimals + i.size_decimals) AS slippage_money,
           coalesce(f.fees, 0) / pow(10, i.price_decimals + i.size_decimals) AS fees,
           i.quote AS currency,
           epoch_us(f.last_fill) - epoch_us(o.ts) AS time_to_fill_us
    FROM orders o JOIN instruments i ON i.id = o.instrument_id
    LEFT JOIN strategies s ON s.id = o.strategy_id
    LEFT JOIN f ON f.order_id = o.order_id
    LEFT JOIN a ON a.order_id = o.order_id
    WHERE true${rangeSql(options, "o")}${strategy}
    ORDER BY o.ts, o.order_id`);
}

/** Realised P&L of one strategy on one instrument on one UTC day, in exact money units and in decimals. */
export interface RealisedPnl {
  strategy: string;
  symbol: string;
  day: string;
  /** Realised gross P&L in money units (10^-(priceDecimals+sizeDecimals) of the quote currency). */
  realizedUnits: bigint;
  feesUnits: bigint;
  realized: number;
  fees: number;
  net: number;
  currency: string;
  closedSize: number;
}

/** Realised P&L by strategy, instrument and day, matching fills first in, first out, in exact integers. */
export async function realisedPnl(db: StoreDb, range: TimeRange = {}): Promise<RealisedPnl[]> {
  const fills = await db.all(`
    SELECT epoch_us(f.ts) AS ts, strftime(f.ts, '%Y-%m-%d') AS day, coalesce(s.name, CAST(f.strategy_id AS VARCHAR)) AS strategy, i.symbol,
           i.price_decimals + i.size_decimals AS money_decimals, i.quote, f.side, f.price, f.size, f.fee
    FROM fills f JOIN instruments i ON i.id = f.instrument_id LEFT JOIN strategies s ON s.id = f.strategy_id
    WHERE true${rangeSql(range, "f")} ORDER BY f.ts, f.rowid`);
  const lots = new Map<string, { side: number; price: number; size: number }[]>();
  const out = new Map<string, RealisedPnl & { decimals: number }>();
  for (const f of fills) {
    const book = `${f.strategy}\u0000${f.symbol}`;
    const key = `${book}\u0000${f.day}`;
    let day = out.get(key);
    if (day === undefined) {
      day = { strategy: String(f.strategy), symbol: String(f.symbol), day: String(f.day), realizedUnits: 0n, feesUnits: 0n, realized: 0, fees: 0, net: 0, currency: String(f.quote), closedSize: 0, decimals: Number(f.money_decimals) };
      out.set(key, day);
    }
    day.feesUnits += BigInt(f.fee as number);
    let open = lots.get(book);
    if (open === undefined) lots.set(book, (open = []));
    const side = Number(f.side);
    const price = Number(f.price);
    let left = Number(f.size);
    while (left > 0 && open.length > 0 && open[0].side !== side) {
      const lot = open[0];
      const m = Math.min(lot.size, left);
      // A long lot closed by a sell earns exit - entry; a short lot closed by a buy earns entry - exit.
      day.realizedUnits += BigInt(lot.side) * BigInt(price - lot.price) * BigInt(m);
      day.closedSize += m;
      lot.size -= m;
      left -= m;
      if (lot.size === 0) open.shift();
    }
    if (left > 0) open.push({ side, price, size: left });
  }
  return [...out.values()]
    .sort((a, b) => (a.day + a.strategy + a.symbol < b.day + b.strategy + b.symbol ? -1 : 1))
    .map(({ decimals, ...d }) => {
      const scale = 10 ** decimals;
      const realized = Number(d.realizedUnits) / scale;
      const fees = Number(d.feesUnits) / scale;
      return { ...d, realized, fees, net: realized - fees };
    });
}
