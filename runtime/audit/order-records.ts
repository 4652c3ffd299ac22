/**
 * Order records in the style of MiFID II order-record keeping (RTS 24 fields, RTS 25 clock
 * granularity): one row per event in an order's life — new, replace, cancel request, cancel,
 * rejection (by our risk checks or the venue), expiry, partial fill, fill — read from the journal,
 * with UTC timestamps to the microsecond (the journal's resolution), the decision maker (strategy
 * and plugin version, or the operator), prices and quantities as exact decimal text in the
 * instrument's units, the fill's transaction id and passive/aggressive indicator. Written as CSV,
 * and as Parquet through DuckDB.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { JournalRecord, OrderRecord } from "../journal/records.ts";
import { parentOfTag } from "../execution/parents/parent-order.ts";

/** One order event as a record. */
export interface OrderEventRecord {
  readonly seq: number;
  /** UTC, ISO 8601 with six fractional digits (RTS 25: 1 µs granularity). */
  readonly event_time: string;
  readonly event_time_us: number;
  /** RTS 24 order event type: NEWO, REME, CAME (cancel asked), CANC, REMO (rejected), EXPI, PARF, FILL. */
  readonly event_type: string;
  readonly order_id: number;
  readonly parent_order_id: number | null;
  readonly deployment: string;
  readonly venue: string;
  readonly instrument: string;
  readonly currency: string;
  /** BUYI or SELL. */
  readonly side: string;
  /** LMTO, MAKT, STOP, STLI. */
  readonly order_type: string;
  /** GTCV, IOCV, FOKV, DAVY, GTDV. */
  readonly validity: string;
  readonly limit_price: string;
  readonly stop_price: string;
  readonly initial_quantity: string;
  readonly remaining_quantity: string;
  readonly executed_quantity: string;
  readonly transaction_price: string;
  readonly transaction_quantity: string;
  readonly transaction_id: number | null;
  /** PASV or AGRE for fills. */
  readonly liquidity: string;
  readonly fee: string;
  /** The algorithm (strategy@version) or the person (manual) who decided. */
  readonly decision_maker: string;
  readonly model_version: string;
  readonly reason: string;
}

/** The columns, in file order. */
export const ORDER_RECORD_COLUMNS: readonly (keyof OrderEventRecord)[] = [
  "seq", "event_time", "event_time_us", "event_type", "order_id", "parent_order_id", "deployment", "venue", "instrument", "currency", "side",
  "order_type", "validity", "limit_price", "stop_price", "initial_quantity", "remaining_quantity", "executed_quantity", "transaction_price",
  "transaction_quantity", "transaction_id", "liquidity", "fee", "decision_maker", "model_version", "reason",
];

const ORDER_TYPE: Record<string, string> = { limit: "LMTO", market: "MAKT", stop: "STOP", "stop-limit": "STLI" };
const VALIDITY: Record<string, string> = { GTC: "GTCV", IOC: "IOCV", FOK: "FOKV", DAY: "DAVY", GTD: "GTDV" };

/** UTC ISO 8601 with microseconds of a time in µs since the epoch. */
export function isoMicrosUtc(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, "0")}Z`;
}

/** Exact decimal text of an integer in units of 10^-decimals. */
export function decimalText(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const neg = units < 0;
  const digits = String(Math.abs(units)).padStart(decimals + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** The order event records of a journal, optionally only those in [fromUs, toUs). */
export function orderEventRecords(records: readonly JournalRecord[], instruments: readonly Instrument[], deployment: string, range: { fromUs?: number; toUs?: number } = {}): OrderEventRecord[] {
  const out: OrderEventRecord[] = [];
  const orders = new Map<number, { r: OrderRecord; size: number; filled: number }>();
  const from = range.fromUs ?? -Infinity;
  const to = range.toUs ?? Infinity;
  const push = (o: { r: OrderRecord; size: number; filled: number }, ts: number, type: string, extra: Partial<OrderEventRecord> = {}) => {
    if (ts < from || ts >= to) return;
    const r = o.r;
    const inst = instruments[r.instrument];
    const pd = inst?.priceDecimals ?? 0;
    const sd = inst?.sizeDecimals ?? 0;
    const parent = parentOfTag(r.tag);
    out.push({
      seq: out.length + 1,
      event_time: isoMicrosUtc(ts),
      event_time_us: ts,
      event_type: type,
      order_id: r.id,
      parent_order_id: parent === 0 ? null : parent,
      deployment,
      venue: inst?.venue ?? "",
      instrument: inst?.symbol ?? `#${r.instrument}`,
      currency: inst?.quote ?? "",
      side: r.side === 1 ? "BUYI" : "SELL",
      order_type: ORDER_TYPE[r.type] ?? r.type,
      validity: VALIDITY[r.tif] ?? r.tif,
      limit_price: r.price > 0 ? decimalText(r.price, pd) : "",
      stop_price: r.stopPrice > 0 ? decimalText(r.stopPrice, pd) : "",
      initial_quantity: decimalText(r.size, sd),
      remaining_quantity: decimalText(o.size - o.filled, sd),
      executed_quantity: decimalText(o.filled, sd),
      transaction_price: "",
      transaction_quantity: "",
      transaction_id: null,
      liquidity: "",
      fee: "",
      decision_maker: r.strategy === "manual" ? "manual" : `${r.strategy}@${r.version}`,
      model_version: r.model ?? "",
      reason: "",
      ...extra,
    });
  };
  for (const r of records) {
    if (r.t === "order") {
      const o = { r, size: r.size, filled: 0 };
      orders.set(r.id, o);
      push(o, r.ts, "NEWO");
      if (r.rejected !== "") push(o, r.ts, "REMO", { reason: r.rejected, remaining_quantity: "0" });
    } else if (r.t === "cancel") {
      const o = orders.get(r.orderId);
      if (o !== undefined) push(o, r.ts, "CAME");
    } else if (r.t === "report") {
      const rep = r.report;
      const o = orders.get(rep.orderId);
      if (o === undefined) continue;
      const inst = instruments[o.r.instrument];
      const pd = inst?.priceDecimals ?? 0;
      const sd = inst?.sizeDecimals ?? 0;
      switch (rep.kind) {
        case "fill":
          o.filled += rep.size;
          push(o, rep.ts, o.filled >= o.size ? "FILL" : "PARF", {
            transaction_price: decimalText(rep.price, pd), transaction_quantity: decimalText(rep.size, sd), transaction_id: r.fillId,
            liquidity: rep.liquidity === "maker" ? "PASV" : "AGRE", fee: decimalText(rep.fee, pd + sd),
          });
          break;
        case "replaced":
          o.size = o.filled + rep.size;
          push(o, rep.ts, "REME", { limit_price: decimalText(rep.price, pd) });
          break;
        case "canceled":
          push(o, rep.ts, "CANC", { reason: rep.reason, remaining_quantity: "0" });
          break;
        case "rejected":
          push(o, rep.ts, "REMO", { reason: rep.reason, remaining_quantity: "0" });
          break;
        case "expired":
          push(o, rep.ts, "EXPI", { remaining_quantity: "0" });
          break;
        default:
          break;
      }
    }
  }
  return out;
}

/** The records as CSV (RFC 4180 quoting), with a header line. */
export function orderRecordsCsv(rows: readonly OrderEventRecord[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [ORDER_RECORD_COLUMNS.join(",")];
  for (const r of rows) lines.push(ORDER_RECORD_COLUMNS.map((c) => cell(r[c])).join(","));
  return `${lines.join("\n")}\n`;
}

/** Writes the records as a Parquet file through DuckDB (from the CSV, every column typed explicitly). */
export async function writeOrderRecordsParquet(csvPath: string, parquetPath: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const types: Record<string, string> = { seq: "BIGINT", event_time_us: "BIGINT", order_id: "BIGINT", parent_order_id: "BIGINT", transaction_id: "BIGINT" };
  const columns = ORDER_RECORD_COLUMNS.map((c) => `'${c}': '${types[c] ?? "VARCHAR"}'`).join(", ");
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  try {
    await connection.run(
      `COPY (SELECT * REPLACE (CAST(event_time AS TIMESTAMP) AS event_time) FROM read_csv(${q(csvPath)}, header = true, columns = {${columns}}, quote = '"', escape = '"')) TO ${q(parquetPath)} (FORMAT parquet)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
