/**
 * The hash-chained audit log writer. The trading core's journal sink hands it each journal record
 * by reference (`note`, no allocation beyond a slot in a reused array); `flush` — called between
 * events, at most every `batchMs`, and at close — turns the batch into chained JSON lines, writes
 * them, fsyncs, then rewrites the head file (`<path>.head`: the last seq and hash, replaced
 * atomically) that lets `kestrel audit verify` see records cut off the end. On open it continues
 * the chain from the file's last record; a torn last line (a crash mid-write) is cut and reported.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { JournalRecord } from "../journal/records.ts";
import { auditEntries, GENESIS, recordHash, type AuditKind, type AuditRecord } from "./audit-record.ts";

/** The head file beside an audit log. */
export function headPath(path: string): string {
  return `${path}.head`;
}

/** Appends audit records in fsynced batches. */
export class AuditLog {
  private readonly fd: number;
  private position: number;
  private seq = 0;
  private prev = GENESIS;
  private pending: JournalRecord[] = new Array(1024);
  private count = 0;
  private extra: [AuditKind, number, unknown][] = [];
  private lastFlush = 0;
  private closed = false;
  /** Set when a torn last line was cut at open. */
  readonly tornTail: string | null = null;
  /** Records written since open. */
  written = 0;
  /** Why writes fail now (disk full...), or null; chained lines wait in memory and are retried at the next flush. */
  stalled: string | null = null;
  /** Told once when a write fails, and when writes succeed again. */
  onStall: ((reason: string) => void) | null = null;
  onResume: (() => void) | null = null;
  private held: Buffer[] = [];
  private heldLines = 0;
  private headStale = false;

  constructor(
    readonly path: string,
    private readonly batchMs = 50,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, existsSync(path) ? "r+" : "w+");
    const size = statSync(path).size;
    this.position = size;
    if (size > 0) {
      // The last complete line carries the chain's end; anything after it is a torn write.
      const span = Math.min(size, 1 << 20);
      const buf = Buffer.alloc(span);
      readSync(this.fd, buf, 0, span, size - span);
      const text = buf.toString("utf8");
      const end = text.lastIndexOf("\n");
      if (end < text.length - 1) {
        this.tornTail = `offset=${size - span + end + 1} bytes=${text.length - end - 1}`;
        this.position = size - span + end + 1;
        ftruncateSync(this.fd, this.position);
      }
      const start = text.lastIndexOf("\n", end - 1) + 1;
      if (end > 0) {
        const last = JSON.parse(text.slice(start, end)) as AuditRecord;
        this.seq = last.seq;
        this.prev = last.hash;
      }
    }
  }

  /** Notes a journal record for the next batch (hot path: stores a reference only). */
  note(record: JournalRecord): void {
    if (this.count === this.pending.length) this.pending.length *= 2;
    this.pending[this.count++] = record;
  }

  /** Adds an entry that is not a journal record (the session record at start). */
  add(kind: AuditKind, ts: number, data: unknown): void {
    this.extra.push([kind, ts, data]);
  }

  /** Writes the batch if `batchMs` passed since the last write (between events). */
  maybeFlush(): void {
    if (performance.now() - this.lastFlush >= this.batchMs) this.flush();
  }

  /** Writes everything noted as chained lines, fsyncs, and updates the head file. */
  flush(): void {
    this.lastFlush = performance.now();
    if (this.count === 0 && this.extra.length === 0) return;
    const lines: string[] = [];
    const push = (kind: AuditKind, ts: number, data: unknown) => {
      const seq = ++this.seq;
      const hash = recordHash(this.prev, seq, ts, kind, data);
      lines.push(JSON.stringify({ seq, ts, kind, data, prev: this.prev, hash }));
      this.prev = hash;
    };
    for (const [kind, ts, data] of this.extra) push(kind, ts, data);
    this.extra = [];
    for (let i = 0; i < this.count; i++) {
      for (const [kind, ts, data] of auditEntries(this.pending[i]!)) push(kind, ts, data);
      this.pending[i] = undefined as never;
    }
    this.count = 0;
    if (lines.length > 0) {
      this.held.push(Buffer.from(`${lines.join("\n")}\n`));
      this.heldLines += lines.length;
    }
    if (this.held.length === 0 && !this.headStale) return;
    try {
      if (this.held.length > 0) {
        const bytes = Buffer.concat(this.held);
        let off = 0;
        try {
          while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, this.position + off);
        } catch (err) {
          // No partial line stays behind: the file ends on its last whole record.
          ftruncateSync(this.fd, this.position);
          throw err;
        }
        this.position += bytes.length;
        fsyncSync(this.fd);
        this.written += this.heldLines;
        this.held = [];
        this.heldLines = 0;
      }
      this.headStale = true;
      const head = headPath(this.path);
      writeFileSync(`${head}.tmp`, `${JSON.stringify({ seq: this.seq, hash: this.prev })}\n`);
      renameSync(`${head}.tmp`, head);
      this.headStale = false;
    } catch (err) {
      if (this.stalled === null) {
        this.stalled = `AUDIT_WRITE_FAILED: file=${this.path} code=${(err as NodeJS.ErrnoException).code ?? "EIO"} held_records=${this.heldLines}`;
        this.onStall?.(this.stalled);
      }
      return;
    }
    if (this.stalled !== null) {
      this.stalled = null;
      this.onResume?.();
    }
  }

  /** Flushes and closes (a second close does nothing). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
    if (this.stalled !== null) throw new Error(`${this.stalled} reason=closed while writes fail: the held audit records are not on disk`);
  }
}
