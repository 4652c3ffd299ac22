/**
 * Parent TCA in the store: at the end of a recorded session each parent's TCA row goes to
 * `parent_tca` and each child to `parent_children` (a rerun of the same deployment replaces its
 * rows), so `kestrel data tca --parents` and `--parent <id>` answer from the store like the other
 * `kestrel data` questions, with the children's fills joined from the `fills` table.
 */
import { StoreDb, type Row } from "../../store/database.ts";
import type { ParentTca } from "./parent-tca.ts";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS parent_tca (session VARCHAR NOT NULL, id BIGINT NOT NULL, algo VARCHAR, strategy VARCHAR, symbol VARCHAR, side INTEGER, quantity BIGINT, filled BIGINT, status VARCHAR,
     arrival_price DOUBLE, avg_price DOUBLE, shortfall_bps DOUBLE, vwap_benchmark DOUBLE, benchmark_basis VARCHAR, vwap_slippage_bps DOUBLE, participation DOUBLE, fees DOUBLE, spread_paid_bps DOUBLE,
     children INTEGER, fills INTEGER, start_ts TIMESTAMP, end_ts TIMESTAMP)`,
  `CREATE TABLE IF NOT EXISTS parent_children (session VARCHAR NOT NULL, parent_id BIGINT NOT NULL, order_id BIGINT NOT NULL)`,
];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const n = (x: number | null) => (x === null || !Number.isFinite(x) ? "NULL" : String(x));

/** Writes a session's parents (replacing that session's earlier rows). */
export async function writeParentTca(path: string, session: string, rows: readonly ParentTca[], children: ReadonlyMap<number, readonly number[]>): Promise<void> {
  const db = await StoreDb.open(path);
  try {
    for (const s of SCHEMA) await db.run(s);
    await db.run(`DELETE FROM parent_tca WHERE session = ${q(session)}`);
    await db.run(`DELETE FROM parent_children WHERE session = ${q(session)}`);
    for (const r of rows) {
      await db.run(
        `INSERT INTO parent_tca VALUES (${q(session)}, ${r.id}, ${q(r.algo)}, ${q(r.strategy)}, ${q(r.symbol)}, ${r.side}, ${r.quantity}, ${r.filled}, ${q(r.status)}, ${n(r.arrivalPrice)}, ${n(r.avgPrice)}, ${n(r.shortfallBps)}, ${n(r.vwapBenchmark)}, ${q(r.benchmarkBasis)}, ${n(r.vwapSlippageBps)}, ${n(r.participation)}, ${n(r.fees)}, ${n(r.spreadPaidBps)}, ${r.children}, ${r.fills}, make_timestamp(${r.startTs}), make_timestamp(${r.endTs}))`,
      );
      const kids = children.get(r.id) ?? [];
      if (kids.length > 0) await db.run(`INSERT INTO parent_children VALUES ${kids.map((k) => `(${q(session)}, ${r.id}, ${k})`).join(", ")}`);
    }
  } finally {
    db.close();
  }
}

/** Every parent in a store (newest session rows as written), or one parent with `id`. */
export async function readParentTca(db: StoreDb, id?: number): Promise<Row[]> {
  for (const s of SCHEMA) await db.run(s);
  return db.all(`SELECT session, id, algo, strategy, symbol, side, quantity, filled, status, arrival_price, avg_price, shortfall_bps, vwap_benchmark, benchmark_basis, vwap_slippage_bps, participation, fees, spread_paid_bps, children, fills, epoch_us(start_ts) AS start_ts, epoch_us(end_ts) AS end_ts
    FROM parent_tca${id === undefined ? "" : ` WHERE id = ${Math.floor(id)}`} ORDER BY session, id`);
}

/** The fills of one parent's children with their venue, in time order. */
export async function parentChildFills(db: StoreDb, id: number): Promise<Row[]> {
  return db.all(`SELECT epoch_us(f.ts) AS ts, f.order_id, i.symbol, i.venue, f.side, f.price / pow(10, i.price_decimals) AS price, f.size / pow(10, i.size_decimals) AS size,
      f.fee / pow(10, i.price_decimals + i.size_decimals) AS fee, f.liquidity
    FROM parent_children c JOIN fills f ON f.order_id = c.order_id JOIN instruments i ON i.id = f.instrument_id
    WHERE c.parent_id = ${Math.floor(id)} ORDER BY f.ts, f.fill_id`);
}

/** Mid quotes of the parent's venues over its life (for the chart), at most `max` points. */
export async function parentMids(db: StoreDb, id: number, max = 2000): Promise<Row[]> {
  return db.all(`WITH p AS (SELECT start_ts, end_ts, symbol FROM parent_tca WHERE id = ${Math.floor(id)} LIMIT 1),
      ins AS (SELECT i.* FROM instruments i, p WHERE i.symbol = p.symbol OR split_part(i.symbol, '@', 1) = p.symbol),
      qs AS (SELECT epoch_us(q.ts) AS ts, ins.venue, (q.bid + q.ask) / 2 / pow(10, ins.price_decimals) AS mid, row_number() OVER (ORDER BY q.ts) AS k, count(*) OVER () AS total
        FROM quotes q JOIN ins ON ins.id = q.instrument_id, p WHERE q.ts BETWEEN p.start_ts AND p.end_ts)
    SELECT ts, venue, mid FROM qs WHERE k % greatest(1, total // ${max}) = 0 ORDER BY ts`);
}
