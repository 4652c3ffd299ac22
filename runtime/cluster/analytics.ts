/**
 * Analytics over every shard: each shard's mirrored journal (the truth, wherever the shard ran)
 * becomes Parquet partitions `<dir>/orders/shard=<name>/data.parquet` and
 * `<dir>/fills/shard=<name>/data.parquet` (integer prices, sizes and fees as journaled, the
 * instrument by symbol), which DuckDB reads as one table with hive partitioning: `shard` is a column.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { readMirror } from "./journal-mirror.ts";
import { retrying } from "./retry.ts";
import type { Topology } from "./topology.ts";

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

const ORDER_COLUMNS = "{id: 'BIGINT', strategy: 'VARCHAR', instrument: 'VARCHAR', side: 'INTEGER', type: 'VARCHAR', tif: 'VARCHAR', price: 'BIGINT', size: 'BIGINT', ts: 'BIGINT'}";
const FILL_COLUMNS = "{fill_id: 'BIGINT', order_id: 'BIGINT', strategy: 'VARCHAR', instrument: 'VARCHAR', side: 'INTEGER', price: 'BIGINT', size: 'BIGINT', fee: 'BIGINT', liquidity: 'VARCHAR', ts: 'BIGINT'}";

/** Rows written per shard. */
export interface ShardExport {
  shard: string;
  orders: number;
  fills: number;
}

/** Writes every shard's orders and fills from its mirrored journal as hive-partitioned Parquet under `dir`. */
export async function exportShardParquet(opts: { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; shards: readonly string[]; instruments: readonly Instrument[]; dir: string }): Promise<ShardExport[]> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const out: ShardExport[] = [];
  try {
    for (const shard of opts.shards) {
      const { records } = await retrying("read mirror", () => readMirror(opts.js, opts.jsm, opts.topology, shard));
      const orders: string[] = [];
      const fills: string[] = [];
      const byId = new Map<number, { strategy: string; instrument: string; side: number }>();
      for (const r of records) {
        if (r.t === "order") {
          const instrument = opts.instruments[r.instrument]?.symbol ?? String(r.instrument);
          byId.set(r.id, { strategy: r.strategy, instrument, side: r.side });
          orders.push(JSON.stringify({ id: r.id, strategy: r.strategy, instrument, side: r.side, type: r.type, tif: r.tif, price: r.price, size: r.size, ts: r.ts }));
        } else if (r.t === "report" && r.report.kind === "fill" && r.fillId > 0) {
          const o = byId.get(r.report.orderId);
          fills.push(JSON.stringify({ fill_id: r.fillId, order_id: r.report.orderId, strategy: o?.strategy ?? "", instrument: o?.instrument ?? "", side: o?.side ?? 0, price: r.report.price, size: r.report.size, fee: r.report.fee, liquidity: r.report.liquidity, ts: r.report.ts }));
        }
      }
      for (const [table, rows, columns] of [["orders", orders, ORDER_COLUMNS], ["fills", fills, FILL_COLUMNS]] as const) {
        const part = join(opts.dir, table, `shard=${shard}`);
        rmSync(part, { recursive: true, force: true });
        mkdirSync(part, { recursive: true });
        const tmp = join(part, "rows.jsonl");
        writeFileSync(tmp, rows.length === 0 ? "" : `${rows.join("\n")}\n`);
        await con.run(`COPY (SELECT * FROM read_json(${sqlText(tmp)}, format = 'newline_delimited', columns = ${columns})) TO ${sqlText(join(part, "data.parquet"))} (FORMAT parquet)`);
        rmSync(tmp);
      }
      out.push({ shard, orders: orders.length, fills: fills.length });
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return out;
}

/** Runs SQL over the exported partitions: `orders` and `fills` are views over every shard's Parquet (hive partitioning). */
export async function queryShardParquet(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    for (const table of ["orders", "fills"]) {
      await con.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet(${sqlText(join(dir, table, "*", "*.parquet"))}, hive_partitioning = true)`);
    }
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
