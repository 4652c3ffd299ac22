/**
 * Reading a journal for a restart: find the last snapshot that checks out and decode only the
 * records after it. The pointer file beside the journal names the last snapshot's offset: then only
 * snapshot + tail are read. Without a usable pointer, snapshot frames are found by hopping frame lengths and looking at each
 * payload's first bytes (no decoding, no checksum of the history before the snapshot); from the
 * chosen snapshot on, every frame's checksum is checked as in readJournal, so a torn tail is still
 * found and cut. A snapshot whose digest or shape is wrong is skipped with a reason (the caller
 * alerts) and the previous one is tried; with none left, the whole journal is replayed — unless the
 * journal was compacted (its history is gone), which is JOURNAL_CORRUPT.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { KestrelError } from "../errors/codes.ts";
import { checkHeader, FRAME_HEAD_BYTES, JOURNAL_HEADER_BYTES, readFrames } from "./journal-file.ts";
import type { JournalRecord, SnapshotRecord } from "./records.ts";
import { checkSnapshot, type SnapshotFit } from "./snapshot.ts";
import { readSnapshotPointer } from "./snapshot-pointer.ts";

/** What a restart replays: the snapshot it starts from (or none) and the records after it. */
export interface RestorePlan {
  readonly snapshot: SnapshotRecord | null;
  readonly tail: JournalRecord[];
  /** Byte offset just past the last good frame. */
  readonly goodLength: number;
  readonly tornTail: string | null;
  /** Snapshots that were skipped, each with its offset and reason. */
  readonly rejected: string[];
}

// A snapshot payload starts with a fixmap header, then "t" (a1 74), then "snapshot" (a8 ...).
const SNAPSHOT_PREFIX = Uint8Array.from([0xa1, 0x74, 0xa8, ...new TextEncoder().encode("snapshot")]);

/** True when the frame at `off` of `buf` holds a snapshot record (judged by its first bytes). */
export function isSnapshotFrame(buf: Uint8Array, off: number): boolean {
  const p = off + FRAME_HEAD_BYTES;
  if (p + 1 + SNAPSHOT_PREFIX.length > buf.length || (buf[p]! & 0xf0) !== 0x80) return false;
  for (let k = 0; k < SNAPSHOT_PREFIX.length; k++) if (buf[p + 1 + k] !== SNAPSHOT_PREFIX[k]) return false;
  return true;
}

/** Offsets of the frames that look like snapshots, found by hopping frame lengths. */
export function snapshotOffsets(bytes: Uint8Array): number[] {
  // A plain Uint8Array view: indexing a Buffer is several times slower in this loop.
  const buf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: number[] = [];
  let off = JOURNAL_HEADER_BYTES;
  while (off + FRAME_HEAD_BYTES <= buf.length) {
    const end = off + FRAME_HEAD_BYTES + view.getUint32(off, true);
    if (end > buf.length) break;
    if (isSnapshotFrame(buf, off)) out.push(off);
    off = end;
  }
  return out;
}

/**
 * Reads `path` for a restart (see the module comment); `fit` is what a snapshot must agree with;
 * `useSnapshots` false replays every record (a deployment whose state snapshots do not cover yet).
 */
export function readForRestore(path: string, fit: SnapshotFit, useSnapshots = true): RestorePlan {
  const empty = { snapshot: null, tail: [], goodLength: 0, rejected: [] };
  if (!existsSync(path)) return { ...empty, tornTail: null };
  const fast = useSnapshots ? readFromPointer(path, fit) : null;
  if (fast !== null) return fast;
  const buf = readFileSync(path);
  if (buf.length === 0) return { ...empty, tornTail: null };
  if (buf.length < JOURNAL_HEADER_BYTES) return { ...empty, tornTail: `header is ${buf.length} bytes, expected ${JOURNAL_HEADER_BYTES}` };
  checkHeader(buf, path);
  const offsets = useSnapshots ? snapshotOffsets(buf) : [];
  const rejected: string[] = [];
  let compacted = false;
  for (let k = offsets.length - 1; k >= 0; k--) {
    const off = offsets[k]!;
    // Corruption after this snapshot is corruption of the journal whichever snapshot is used: it throws.
    const read = readFrames(buf, path, off);
    const first = read.records[0];
    if (first === undefined || first.t !== "snapshot") {
      rejected.push(`offset=${off} reason=torn snapshot frame`);
      continue;
    }
    if (off === JOURNAL_HEADER_BYTES && first.compacted) compacted = true;
    const bad = checkSnapshot(first, fit);
    if (bad !== null) {
      rejected.push(`offset=${off} ${bad}`);
      continue;
    }
    return { snapshot: first, tail: read.records.slice(1), goodLength: read.goodLength, tornTail: read.tornTail, rejected };
  }
  if (compacted) {
    throw new KestrelError("JOURNAL_CORRUPT", `file=${path} reason=compacted journal without a usable snapshot ${rejected.join("; ")}`);
  }
  const all = readFrames(buf, path, JOURNAL_HEADER_BYTES);
  // Snapshots in a full replay carry nothing new: only the records between them count.
  return { snapshot: null, tail: all.records.filter((r) => r.t !== "snapshot"), goodLength: all.goodLength, tornTail: all.tornTail, rejected };
}

/**
 * Reads only from the snapshot the pointer file names (see snapshot-pointer.ts); null when there is
 * no pointer or what it names is not a good snapshot with its digest (the caller scans instead).
 */
function readFromPointer(path: string, fit: SnapshotFit): RestorePlan | null {
  const ptr = readSnapshotPointer(path);
  if (ptr === null) return null;
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (ptr.offset < JOURNAL_HEADER_BYTES || ptr.offset + FRAME_HEAD_BYTES > size) return null;
    const header = Buffer.alloc(JOURNAL_HEADER_BYTES);
    readSync(fd, header, 0, JOURNAL_HEADER_BYTES, 0);
    checkHeader(header, path);
    const buf = Buffer.alloc(size - ptr.offset);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, ptr.offset + got);
      if (n === 0) return null;
      got += n;
    }
    if (!isSnapshotFrame(buf, 0)) return null;
    const read = readFrames(buf, path, 0);
    const first = read.records[0];
    if (first === undefined || first.t !== "snapshot" || first.digest !== ptr.digest || checkSnapshot(first, fit) !== null) return null;
    const tornTail = read.tornTail === null ? null : `after snapshot at offset=${ptr.offset}: ${read.tornTail}`;
    return { snapshot: first, tail: read.records.slice(1), goodLength: ptr.offset + read.goodLength, tornTail, rejected: [] };
  } finally {
    closeSync(fd);
  }
}
