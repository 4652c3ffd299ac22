/**
 * The journal file: an append-only sequence of msgpack frames after an 8-byte header.
 *
 * ```
 *  0      4          8
 *  +------+----------+------------------------------------------------+
 *  | KJNL | version  | frame | frame | ...                            |
 *  +------+----------+------------------------------------------------+
 *  frame: | length u32 LE | crc32 u32 LE of payload | payload (msgpack) |
 * ```
 *
 * A crash can leave a torn last frame; reading stops there and reports it, and opening the file
 * for append cuts it off. A bad frame followed by more data is corruption, not a torn write: it is
 * reported and the file is not touched.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { decode, Encoder } from "@msgpack/msgpack";
import { KestrelError } from "../errors/codes.ts";
import type { JournalRecord } from "./records.ts";
import { JournalOrderIndex } from "./order-index.ts";

/** File magic, "KJNL" little-endian. */
export const MAGIC = 0x4c4e4a4b;
/** Format version. */
export const VERSION = 1;
/** Bytes of the file header. */
export const HEADER = 8;
/** Bytes of a frame's head: length and CRC-32. */
export const FRAME_HEAD = 8;

/** When the journal calls fsync: after every flush, at most every `batchMs`, or never (the OS decides). */
export type FsyncPolicy = "always" | "batch" | "never";

/** What reading a journal found. */
export interface JournalContents {
  readonly records: JournalRecord[];
  /** Byte offset just past the last good frame. */
  readonly goodLength: number;
  /** Set when a torn last frame was found (and will be cut off on append). */
  readonly tornTail: string | null;
}

/** Reads every good record of a journal file (an absent file is an empty journal). */
export function readJournal(path: string): JournalContents {
  if (!existsSync(path)) return { records: [], goodLength: 0, tornTail: null };
  const buf = readFileSync(path);
  if (buf.length === 0) return { records: [], goodLength: 0, tornTail: null };
  if (buf.length < HEADER) return { records: [], goodLength: 0, tornTail: `header is ${buf.length} bytes, expected ${HEADER}` };
  checkHeader(buf, path);
  return readFrames(buf, path, HEADER);
}

/** Throws JOURNAL_CORRUPT unless `buf` starts with a journal header of this version. */
export function checkHeader(buf: Uint8Array, path: string): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new KestrelError("JOURNAL_CORRUPT", `file=${path} offset=0 reason=not a Kestrel journal`);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new KestrelError("JOURNAL_CORRUPT", `file=${path} version=${version} expected=${VERSION}`);
}

/** Decodes the frames of a journal image from byte `start` (a frame boundary), checking each checksum. */
export function readFrames(buf: Uint8Array, path: string, start: number): JournalContents {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: JournalRecord[] = [];
  let off = start;
  while (off < buf.length) {
    const remaining = buf.length - off;
    if (remaining < FRAME_HEAD) return { records, goodLength: off, tornTail: `offset=${off} reason=partial frame header (${remaining} bytes)` };
    const len = view.getUint32(off, true);
    const crc = view.getUint32(off + 4, true);
    const end = off + FRAME_HEAD + len;
    if (end > buf.length) return { records, goodLength: off, tornTail: `offset=${off} reason=frame of ${len} bytes cut at ${remaining - FRAME_HEAD}` };
    const payload = buf.subarray(off + FRAME_HEAD, end);
    if (Bun.hash.crc32(payload) !== crc) {
      if (end === buf.length) return { records, goodLength: off, tornTail: `offset=${off} reason=checksum mismatch in last frame` };
      throw new KestrelError("JOURNAL_CORRUPT", `file=${path} offset=${off} reason=checksum mismatch with ${buf.length - end} bytes after it`);
    }
    records.push(decode(payload) as JournalRecord);
    off = end;
  }
  return { records, goodLength: off, tornTail: null };
}

/** Size of the file header and of a frame's head (length + checksum), bytes. */
export const JOURNAL_HEADER_BYTES = HEADER;
export const FRAME_HEAD_BYTES = FRAME_HEAD;

/** Appends records; buffered until flush(), which the loop calls after each event that wrote. */
export class JournalWriter {
  private readonly fd: number;
  private readonly encoder = new Encoder();
  private buf = new Uint8Array(1 << 16);
  private used = 0;
  private lastSync = 0;
  /** Records appended since open. */
  appended = 0;
  /** Called after each flush that wrote something (the periodic snapshot hangs here). */
  afterFlush: (() => void) | null = null;
  /** Where this writer's order and parent records are (explanations, lookups of orders the OMS dropped). */
  readonly index: JournalOrderIndex;
  /** Called first thing in close(), while appending still works (the final snapshot). */
  beforeClose: (() => void) | null = null;
  /**
   * Called once when a write fails (disk full, quota, I/O error): the file is cut back to its last
   * whole frame and the records stay buffered; flush() retries every `retryMs` until one succeeds.
   */
  onStall: ((reason: string) => void) | null = null;
  /** Called when a write succeeds again after a stall (every buffered record is then on disk). */
  onResume: ((stalledMs: number) => void) | null = null;
  /** Called after an fsync that took `slowFsyncMs` or more (a slow disk). */
  onSlowFsync: ((ms: number) => void) | null = null;
  slowFsyncMs = 100;
  /** Fsyncs that took `slowFsyncMs` or more since open. */
  slowFsyncs = 0;
  retryMs = 100;
  /** Makes the file durable; replaceable so tests can slow the disk down. */
  syncFile: (fd: number) => void = fsyncSync;
  /** Writes bytes at a position (as `fs.writeSync`); replaceable so tests can fail the disk where they cannot fill one. */
  writeFile: (fd: number, buf: Uint8Array, offset: number, length: number, position: number) => number = writeSync;
  /** Why writes fail now, or null while they succeed. */
  stalled: string | null = null;
  private stalledAt = 0;
  private retryAt = 0;

  constructor(
    readonly path: string,
    readonly fsync: FsyncPolicy,
    goodLength: number,
    private readonly batchMs = 50,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, existsSync(path) ? "r+" : "w+");
    // Cut a torn tail (or write a fresh header).
    if (goodLength < HEADER) {
      ftruncateSync(this.fd, 0);
      const h = new Uint8Array(HEADER);
      const v = new DataView(h.buffer);
      v.setUint32(0, MAGIC, true);
      v.setUint32(4, VERSION, true);
      writeSync(this.fd, h, 0, HEADER, 0);
      this.position = HEADER;
    } else {
      ftruncateSync(this.fd, goodLength);
      this.position = goodLength;
    }
    fsyncSync(this.fd);
    this.index = new JournalOrderIndex(path, this.position);
  }

  private position: number;

  private closed = false;

  /** Adds a record to the buffer; after close() it is an error (the record would be lost). */
  append(record: JournalRecord): void {
    if (this.closed) throw new KestrelError("JOURNAL_IO", `file=${this.path} reason=append after close`);
    if (record.t === "order" || record.t === "parent") this.index.note(record, this.position + this.used);
    const payload = this.encoder.encode(record);
    const need = this.used + FRAME_HEAD + payload.length;
    if (need > this.buf.length) {
      const bigger = new Uint8Array(Math.max(need, this.buf.length * 2));
      bigger.set(this.buf.subarray(0, this.used));
      this.buf = bigger;
    }
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.used, FRAME_HEAD);
    v.setUint32(0, payload.length, true);
    v.setUint32(4, Bun.hash.crc32(payload), true);
    this.buf.set(payload, this.used + FRAME_HEAD);
    this.used = need;
    this.appended++;
  }

  /** File offset at which the next appended record's frame will start. */
  get nextOffset(): number {
    return this.position + this.used;
  }

  /** True when records wait in the buffer. */
  get pending(): boolean {
    return this.used > 0;
  }

  /**
   * Writes buffered records to the file and fsyncs per policy. A failed write never leaves a
   * partial frame: the file is cut back to the last whole one, the records stay buffered and
   * `onStall` is told; later calls retry (at most every `retryMs`, or now when `force`).
   */
  flush(force = false): void {
    if (this.used === 0) return;
    if (this.stalled !== null && !force && performance.now() < this.retryAt) return;
    let off = 0;
    try {
      while (off < this.used) off += this.writeFile(this.fd, this.buf, off, this.used - off, this.position + off);
    } catch (err) {
      this.retryAt = performance.now() + this.retryMs;
      const code = (err as NodeJS.ErrnoException).code ?? "EIO";
      let cut = "";
      try {
        ftruncateSync(this.fd, this.position);
      } catch (e) {
        cut = ` cut_failed=${(e as NodeJS.ErrnoException).code ?? "EIO"}`;
      }
      if (this.stalled === null) {
        this.stalled = `JOURNAL_WRITE_FAILED: file=${this.path} code=${code} buffered_bytes=${this.used}${cut}`;
        this.stalledAt = performance.now();
        this.onStall?.(this.stalled);
      }
      return;
    }
    this.position += this.used;
    this.used = 0;
    const t0 = performance.now();
    let synced = false;
    if (this.fsync === "always") {
      this.syncFile(this.fd);
      synced = true;
    } else if (this.fsync === "batch") {
      if (t0 - this.lastSync >= this.batchMs) {
        this.syncFile(this.fd);
        this.lastSync = t0;
        synced = true;
      }
    }
    if (synced) {
      const ms = performance.now() - t0;
      if (ms >= this.slowFsyncMs) {
        this.slowFsyncs++;
        this.onSlowFsync?.(ms);
      }
    }
    if (this.stalled !== null) {
      // A write after a stall is synced whatever the policy: the records held back are durable now.
      if (!synced) this.syncFile(this.fd);
      this.stalled = null;
      this.onResume?.(performance.now() - this.stalledAt);
    }
    this.afterFlush?.();
  }

  /** Flushes, fsyncs and closes (a second close does nothing). */
  close(): void {
    if (this.closed) return;
    this.beforeClose?.();
    this.afterFlush = null;
    this.closed = true;
    this.flush(true);
    const lost = this.stalled;
    fsyncSync(this.fd);
    closeSync(this.fd);
    if (lost !== null) throw new KestrelError("JOURNAL_IO", `${lost} reason=closed while writes fail: the buffered records are not on disk`);
  }
}
