/**
 * The recorder's writer thread: it waits on the shared doorbell, copies each published batch
 * into a DuckDB data chunk (one memcpy per column) and appends it through the table's
 * Appender, then advances the ring's tail so that the producer can reuse the slot. Spilled
 * batches are read back in order once the ring is empty. Flush requests make the appended rows
 * visible; an append failure is reported once and the batches are still consumed so the
 * producer never waits on a dead writer.
 */
import { DuckDBDataChunk, BIGINT, INTEGER, TIMESTAMP, type DuckDBAppender, type DuckDBType } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import { closeSync, existsSync, openSync, readSync, rmSync } from "node:fs";
import { StoreDb } from "./database.ts";
import { CHANNEL_BASE, CLOSING, DOORBELL, FAILED, FLUSH_ACK, FLUSH_REQ, HEAD, ROW_COUNTS, SPILL_READ, SPILL_WRITTEN, TAIL, channelWords, spillRecordBytes, type ChannelShare } from "./ring.ts";
import type { ColumnKind } from "./schema.ts";

declare const self: Worker;

/**
 * DuckDB settings of the recording thread. The buffer pool is small (appends need little; the
 * default, 80% of RAM, only caches pages). DuckDB's allocator keeps freed memory in per-thread
 * caches until 128 MB by default, outside the buffer pool: a long session's RSS crept up by that
 * much, so freed memory goes back to the system from 8 MB on (bench/recorder-memory.ts).
 */
const RECORDER_SETTINGS: Record<string, string> = {
  memory_limit: "32MB",
  allocator_flush_threshold: "8MB",
  allocator_bulk_deallocation_flush_threshold: "8MB",
  allocator_background_threads: "true",
};
/**
 * Wall-clock interval between CHECKPOINTs, ms: appended rows move from the write-ahead log's
 * in-memory row groups into the file's blocks, which the small buffer pool can evict.
 */
const CHECKPOINT_MS = 5_000;

/**
 * Rows an appender may hold before they are committed to the table. DuckDB's Appender keeps
 * appended rows in its own collection, outside the buffer pool, until a flush or its own large
 * row threshold, and a session never asks for a flush; bounded here by count and by time.
 */
const APPENDER_FLUSH_ROWS = 16_384;
/** Longest wall-clock time appended rows wait in an appender before the writer commits them, ms. */
const APPENDER_FLUSH_MS = 1_000;

const TYPES: Record<ColumnKind, DuckDBType> = { ts: TIMESTAMP, i64: BIGINT, i32: INTEGER };

interface Setup {
  db: string;
  control: SharedArrayBuffer;
  metrics: SharedArrayBuffer;
  shares: ChannelShare[];
  instruments: [];
  strategies: string[];
}

interface Sink {
  share: ChannelShare;
  base: number;
  appender: DuckDBAppender;
  chunk: DuckDBDataChunk;
  spillFd: number;
  spillBuf: Uint8Array;
  tsWords: Int32Array;
  spillTs: Int32Array;
  /** Rows appended since the appender's last flush. */
  pending: number;
}

self.onmessage = (ev: MessageEvent<Setup>) => {
  run(ev.data).catch((e) => self.postMessage({ type: "error", message: (e as Error).message }));
};

async function run(setup: Setup): Promise<void> {
  const control = new Int32Array(setup.control);
  const metrics = new Float64Array(setup.metrics);
  // A recorder only appends: a small buffer pool keeps the session's memory flat as the file grows.
  const db = await StoreDb.open(setup.db, RECORDER_SETTINGS);
  await db.registerInstruments(setup.instruments);
  if (setup.strategies.length > 0) await db.registerStrategies(setup.strategies);
  const sinks: Sink[] = [];
  for (let i = 0; i < setup.shares.length; i++) {
    const share = setup.shares[i];
    const spillBuf = new Uint8Array(spillRecordBytes(share.layout));
    sinks.push({
      share,
      base: CHANNEL_BASE + i * channelWords(share.layout.slots),
      appender: await db.connection.createAppender(share.table.name),
      chunk: DuckDBDataChunk.create(share.table.columns.map(([, k]) => TYPES[k])),
      spillFd: -1,
      spillBuf,
      tsWords: new Int32Array(share.data),
      spillTs: new Int32Array(spillBuf.buffer, 8),
      pending: 0,
    });
  }
  self.postMessage({ type: "ready" });
  let failed: string | null = null;
  let lastFlush = Date.now();
  let lastCheckpoint = lastFlush;
  const flushSink = (sink: Sink): void => {
    if (failed !== null || sink.pending === 0) return;
    try {
      sink.appender.flushSync();
      sink.pending = 0;
    } catch (e) {
      failed = `flushing ${sink.share.table.name}: ${(e as Error).message}`;
      Atomics.store(control, FAILED, 1);
      self.postMessage({ type: "error", message: failed });
    }
  };
  const append = (sink: Sink, i: number, buffer: ArrayBufferLike, offset: number, rows: number, tsWords: Int32Array, tsBase: number): void => {
    if (failed !== null) return;
    try {
      const raw = sink.chunk.chunk;
      duckdb.data_chunk_reset(raw);
      const layout = sink.share.layout;
      for (let j = 0; j < layout.columnOffsets.length; j++) {
        duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, j), 0, buffer as ArrayBuffer, offset + layout.columnOffsets[j], rows * layout.columnWidths[j]);
      }
      duckdb.data_chunk_set_size(raw, rows);
      sink.appender.appendDataChunk(sink.chunk);
      sink.pending += rows;
      metrics[2 * i] += rows;
      // The ts column is first: its last row's two words.
      const w = tsBase + ((rows - 1) << 1);
      metrics[2 * i + 1] = (tsWords[w] >>> 0) + tsWords[w + 1] * 4294967296;
    } catch (e) {
      failed = `appending to ${sink.share.table.name}: ${(e as Error).message}`;
      Atomics.store(control, FAILED, 1);
      self.postMessage({ type: "error", message: failed });
      return;
    }
    if (sink.pending >= APPENDER_FLUSH_ROWS) flushSink(sink);
  };

  for (;;) {
    const bell = Atomics.load(control, DOORBELL);
    let worked = false;
    for (let i = 0; i < sinks.length; i++) {
      const s = sinks[i];
      const layout = s.share.layout;
      let tail = Atomics.load(control, s.base + TAIL);
      const head = Atomics.load(control, s.base + HEAD);
      while (tail < head) {
        const slot = tail & (layout.slots - 1);
        const rows = control[s.base + ROW_COUNTS + slot];
        append(s, i, s.share.data, slot * layout.slotBytes, rows, s.tsWords, (slot * layout.slotBytes) >> 2);
        Atomics.store(control, s.base + TAIL, ++tail);
        Atomics.notify(control, s.base + TAIL);
        worked = true;
      }
      const spillRead = Atomics.load(control, s.base + SPILL_READ);
      if (spillRead < Atomics.load(control, s.base + SPILL_WRITTEN)) {
        // A batch committed to the ring after `head` was read above was committed before this spill
        // record (the loop spills only while the ring is full or a spill is pending, and HEAD is
        // stored before SPILL_WRITTEN): append the ring up to date first, or rows land out of order.
        if (Atomics.load(control, s.base + HEAD) !== tail) {
          worked = true;
          continue;
        }
        if (s.spillFd < 0) s.spillFd = openSync(s.share.spillPath, "r");
        const bytes = s.spillBuf.length;
        readSync(s.spillFd, s.spillBuf, 0, bytes, spillRead * bytes);
        const rows = new DataView(s.spillBuf.buffer).getUint32(0, true);
        append(s, i, s.spillBuf.buffer, 8, rows, s.spillTs, 0);
        Atomics.store(control, s.base + SPILL_READ, spillRead + 1);
        worked = true;
      }
    }
    const now = Date.now();
    if (now - lastFlush >= APPENDER_FLUSH_MS) {
      lastFlush = now;
      for (const s of sinks) flushSink(s);
    }
    if (now - lastCheckpoint >= CHECKPOINT_MS) {
      lastCheckpoint = now;
      for (const s of sinks) flushSink(s);
      if (failed === null) {
        try {
          await db.connection.run("CHECKPOINT");
        } catch (e) {
          failed = `checkpointing: ${(e as Error).message}`;
          Atomics.store(control, FAILED, 1);
          self.postMessage({ type: "error", message: failed });
        }
      }
    }
    if (worked) continue;
    const req = Atomics.load(control, FLUSH_REQ);
    if (req !== Atomics.load(control, FLUSH_ACK)) {
      for (const s of sinks) flushSink(s);
      Atomics.store(control, FLUSH_ACK, req);
      self.postMessage({ type: "flushed", req });
      continue;
    }
    if (Atomics.load(control, CLOSING) !== 0) break;
    Atomics.wait(control, DOORBELL, bell, 250);
  }
  for (const s of sinks) {
    try {
      s.appender.closeSync();
    } catch {
      // Already reported by the failed append or flush.
    }
    if (s.spillFd >= 0) closeSync(s.spillFd);
    if (existsSync(s.share.spillPath)) rmSync(s.share.spillPath, { force: true });
  }
  db.close();
  self.postMessage({ type: "closed" });
}
