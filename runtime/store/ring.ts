/**
 * The memory the recorder (producer: the event loop) shares with its writer worker (consumer:
 * DuckDB's Appender). Each recorded table is a channel: a ring of `slots` batch buffers of
 * `rows` rows each, column by column (struct of arrays), so a full batch is one DuckDB data
 * chunk copied as-is. BIGINT and TIMESTAMP values are two little-endian 32-bit words.
 *
 * ```
 * control: Int32Array over a SharedArrayBuffer
 *   [0] DOORBELL   bumped by the producer after it publishes; the worker waits on it
 *   [1] CLOSING    1 once the producer is closing
 *   [2] FLUSH_REQ  flush requests made     [3] FLUSH_ACK  flush requests done
 *   [4] FAILED     1 once an append failed
 *   channel c at CHANNEL_BASE + c * channelWords(slots):
 *     +0 HEAD batches published   +1 TAIL batches appended (the producer waits on it)
 *     +2 SPILL_WRITTEN            +3 SPILL_READ
 *     +4 .. +4+slots-1  row count of each slot's batch
 * data: one SharedArrayBuffer per channel
 *   slot s at s * slotBytes; column j of the slot at rows * (sum of the widths of columns < j)
 * metrics: Float64Array over a SharedArrayBuffer, per channel c at 2c:
 *   [2c] rows appended   [2c+1] ts of the last row appended (µs)
 * spill file (per channel): records of 8 bytes (row count, padding) + slotBytes, in order
 * ```
 */
import { KIND_WIDTH, type RecordedTable } from "./schema.ts";

export const DOORBELL = 0;
export const CLOSING = 1;
export const FLUSH_REQ = 2;
export const FLUSH_ACK = 3;
export const FAILED = 4;
export const CHANNEL_BASE = 8;
export const HEAD = 0;
export const TAIL = 1;
export const SPILL_WRITTEN = 2;
export const SPILL_READ = 3;
export const ROW_COUNTS = 4;

/** Words of the control array per channel. */
export function channelWords(slots: number): number {
  return ROW_COUNTS + slots;
}

/** Byte layout of one channel's batches. */
export interface BatchLayout {
  readonly rows: number;
  readonly slots: number;
  /** Byte offset of each column inside a slot. */
  readonly columnOffsets: readonly number[];
  /** Bytes of one value of each column. */
  readonly columnWidths: readonly number[];
  readonly slotBytes: number;
}

/** Computes the layout of a table's batches. */
export function batchLayout(table: RecordedTable, rows: number, slots: number): BatchLayout {
  const columnOffsets: number[] = [];
  const columnWidths: number[] = [];
  let offset = 0;
  for (const [, kind] of table.columns) {
    columnOffsets.push(offset);
    columnWidths.push(KIND_WIDTH[kind]);
    offset += rows * KIND_WIDTH[kind];
  }
  return { rows, slots, columnOffsets, columnWidths, slotBytes: offset };
}

/** Bytes of one spill record: a row-count header then a slot's bytes. */
export function spillRecordBytes(layout: BatchLayout): number {
  return 8 + layout.slotBytes;
}

/** Everything the worker needs to attach to one channel. */
export interface ChannelShare {
  readonly table: RecordedTable;
  readonly layout: BatchLayout;
  readonly data: SharedArrayBuffer;
  readonly spillPath: string;
}
