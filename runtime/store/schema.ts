/**
 * The store's tables and views. Prices and sizes are BIGINT integers in the instrument's ticks
 * and units, money is BIGINT in units of 10^-(priceDecimals + sizeDecimals) of the quote
 * currency, and `ts` is a TIMESTAMP (DuckDB keeps it as integer microseconds since the epoch,
 * the runtime's own time unit). The `*_dec` views join the instruments table and present
 * decimals for people; queries meant to be exact read the tables.
 */

/** Physical type of a recorded column, and how many bytes one value takes in a batch buffer. */
export type ColumnKind = "ts" | "i64" | "i32";

/** Bytes per value of each column kind. */
export const KIND_WIDTH: Record<ColumnKind, number> = { ts: 8, i64: 8, i32: 4 };

const SQL_TYPE: Record<ColumnKind, string> = { ts: "TIMESTAMP", i64: "BIGINT", i32: "INTEGER" };

/** A table the recorder appends to: its columns in order, with their kinds. */
export interface RecordedTable {
  readonly name: string;
  readonly columns: readonly (readonly [name: string, kind: ColumnKind])[];
}

/** Top of book. */
export const QUOTES: RecordedTable = {
  name: "quotes",
  columns: [["ts", "ts"], ["instrument_id", "i32"], ["bid", "i64"], ["ask", "i64"], ["bid_size", "i64"], ["ask_size", "i64"]],
};

/** Market trades; `aggressor` 1 buyer, -1 seller, 0 unknown. */
export const TRADES: RecordedTable = {
  name: "trades",
  columns: [["ts", "ts"], ["instrument_id", "i32"], ["price", "i64"], ["size", "i64"], ["aggressor", "i32"], ["trade_id", "i64"]],
};

/** Book levels: diffs (`snapshot` 0; size 0 removes the level) and snapshots (`snapshot` 1); `side` 1 bid, -1 ask; `level` 0 = best in snapshots, -1 in diffs. */
export const BOOK_LEVELS: RecordedTable = {
  name: "book_levels",
  columns: [["ts", "ts"], ["instrument_id", "i32"], ["update_id", "i64"], ["snapshot", "i32"], ["side", "i32"], ["level", "i32"], ["price", "i64"], ["size", "i64"]],
};

/** New orders, with the ids of the strategy and the event that caused them; `side` 1 buy, -1 sell. */
export const ORDERS: RecordedTable = {
  name: "orders",
  columns: [["ts", "ts"], ["order_id", "i64"], ["instrument_id", "i32"], ["strategy_id", "i32"], ["side", "i32"], ["order_type", "i32"], ["price", "i64"], ["size", "i64"], ["cause_event_id", "i64"]],
};

/** Order state changes; `state` is an `ORDER_STATE_CODE`, `reason` a `labels.id` (0 = none). */
export const ORDER_STATES: RecordedTable = {
  name: "order_states",
  columns: [["ts", "ts"], ["order_id", "i64"], ["state", "i32"], ["filled_size", "i64"], ["reason", "i32"]],
};

/** Executions; `fee` in money units; `liquidity` 1 maker, -1 taker, 0 unknown. */
export const FILLS: RecordedTable = {
  name: "fills",
  columns: [["ts", "ts"], ["order_id", "i64"], ["fill_id", "i64"], ["instrument_id", "i32"], ["strategy_id", "i32"], ["side", "i32"], ["price", "i64"], ["size", "i64"], ["fee", "i64"], ["liquidity", "i32"]],
};

/** Position and P&L marks per strategy and instrument; P&L in money units. */
export const MARKS: RecordedTable = {
  name: "marks",
  columns: [["ts", "ts"], ["instrument_id", "i32"], ["strategy_id", "i32"], ["position", "i64"], ["mark_price", "i64"], ["realized_pnl", "i64"], ["unrealized_pnl", "i64"]],
};

/** Every table the recorder writes, in a fixed order (the worker's channel index). */
export const RECORDED_TABLES: readonly RecordedTable[] = [QUOTES, TRADES, BOOK_LEVELS, ORDERS, ORDER_STATES, FILLS, MARKS];

/** Order state codes as recorded in `order_states.state`, by the SDK's `OrderStatus` names. */
export const ORDER_STATE_CODE = { pending: 1, working: 2, "partially-filled": 3, filled: 4, canceled: 5, rejected: 6, expired: 7, "pending-cancel": 8 } as const;

/** Order type codes as recorded in `orders.order_type`. */
export const ORDER_TYPE_CODE = { market: 1, limit: 2, stop: 3, "stop-limit": 4 } as const;

/** Returns the CREATE TABLE statement of a recorded table. */
export function createTableSql(table: RecordedTable): string {
  return `CREATE TABLE IF NOT EXISTS ${table.name} (${table.columns.map(([n, k]) => `${n} ${SQL_TYPE[k]} NOT NULL`).join(", ")})`;
}

const DEC = (col: string, decimals: string) => `${col} / pow(10, ${decimals}) AS ${col.slice(col.indexOf(".") + 1)}`;

/** Every statement that creates the schema; each is idempotent. */
export function schemaSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS instruments (id INTEGER PRIMARY KEY, symbol VARCHAR NOT NULL, venue VARCHAR NOT NULL, base VARCHAR NOT NULL, quote VARCHAR NOT NULL, price_decimals INTEGER NOT NULL, size_decimals INTEGER NOT NULL, lot_size BIGINT NOT NULL, min_size BIGINT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS strategies (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS labels (id INTEGER PRIMARY KEY, text VARCHAR NOT NULL)`,
    ...RECORDED_TABLES.map(createTableSql),
    `CREATE OR REPLACE VIEW quotes_dec AS SELECT q.ts, i.symbol, ${DEC("q.bid", "i.price_decimals")}, ${DEC("q.ask", "i.price_decimals")}, ${DEC("q.bid_size", "i.size_decimals")}, ${DEC("q.ask_size", "i.size_decimals")} FROM quotes q JOIN instruments i ON i.id = q.instrument_id`,
    `CREATE OR REPLACE VIEW trades_dec AS SELECT t.ts, i.symbol, ${DEC("t.price", "i.price_decimals")}, ${DEC("t.size", "i.size_decimals")}, t.aggressor, t.trade_id FROM trades t JOIN instruments i ON i.id = t.instrument_id`,
    `CREATE OR REPLACE VIEW fills_dec AS SELECT f.ts, f.order_id, f.fill_id, i.symbol, f.strategy_id, f.side, ${DEC("f.price", "i.price_decimals")}, ${DEC("f.size", "i.size_decimals")}, ${DEC("f.fee", "i.price_decimals + i.size_decimals")}, f.liquidity FROM fills f JOIN instruments i ON i.id = f.instrument_id`,
    `CREATE OR REPLACE VIEW orders_dec AS SELECT o.ts, o.order_id, i.symbol, o.strategy_id, o.side, o.order_type, ${DEC("o.price", "i.price_decimals")}, ${DEC("o.size", "i.size_decimals")}, o.cause_event_id FROM orders o JOIN instruments i ON i.id = o.instrument_id`,
    `CREATE OR REPLACE VIEW marks_dec AS SELECT m.ts, i.symbol, m.strategy_id, ${DEC("m.position", "i.size_decimals")}, ${DEC("m.mark_price", "i.price_decimals")}, ${DEC("m.realized_pnl", "i.price_decimals + i.size_decimals")}, ${DEC("m.unrealized_pnl", "i.price_decimals + i.size_decimals")} FROM marks m JOIN instruments i ON i.id = m.instrument_id`,
  ];
}
