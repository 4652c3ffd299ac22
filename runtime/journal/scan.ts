/**
 * Reads a journal file frame by frame without stopping at the first problem, for `kestrel journal`:
 * every frame with its offset, whether its CRC-32 matches and the record it holds; a torn last
 * frame; corrupt frames in the middle; and the integrity checks (duplicate order ids, duplicate
 * fill ids). Unlike `readJournal` (start-up), nothing here throws on a bad file: problems are data.
 */
import { readFileSync } from "node:fs";
import { decode } from "@msgpack/msgpack";
import { FRAME_HEAD, HEADER, MAGIC, VERSION } from "./journal-file.ts";
import type { JournalRecord } from "./records.ts";

/** One frame of a journal. */
export interface JournalFrame {
  readonly offset: number;
  /** Payload bytes. */
  readonly length: number;
  readonly crcOk: boolean;
  /** The decoded record; null when the CRC failed or the payload did not decode. */
  readonly record: JournalRecord | null;
}

/** What a scan of a journal found. */
export interface JournalScan {
  readonly bytes: number;
  /** Null when the header is good; otherwise why not. */
  readonly headerProblem: string | null;
  readonly frames: readonly JournalFrame[];
  /** Set when the last frame is cut or fails its checksum (a crash during a write). */
  readonly tornTail: string | null;
  /** Bad frames followed by more data: corruption, not a torn write. */
  readonly corrupt: readonly string[];
}

/** Scans a journal file's bytes. */
export function scanJournalBytes(buf: Uint8Array): JournalScan {
  const frames: JournalFrame[] = [];
  const corrupt: string[] = [];
  if (buf.length === 0) return { bytes: 0, headerProblem: null, frames, tornTail: null, corrupt };
  if (buf.length < HEADER) return { bytes: buf.length, headerProblem: null, frames, tornTail: `header is ${buf.length} bytes, expected ${HEADER}`, corrupt };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return { bytes: buf.length, headerProblem: "offset=0 reason=not a Kestrel journal (bad magic)", frames, tornTail: null, corrupt };
  const version = view.getUint32(4, true);
  if (version !== VERSION) return { bytes: buf.length, headerProblem: `version=${version} expected=${VERSION}`, frames, tornTail: null, corrupt };
  let tornTail: string | null = null;
  let off = HEADER;
  while (off < buf.length) {
    const remaining = buf.length - off;
    if (remaining < FRAME_HEAD) {
      tornTail = `offset=${off} reason=partial frame header (${remaining} bytes)`;
      break;
    }
    const len = view.getUint32(off, true);
    const end = off + FRAME_HEAD + len;
    if (end > buf.length) {
      tornTail = `offset=${off} reason=frame of ${len} bytes cut at ${remaining - FRAME_HEAD}`;
      break;
    }
    const payload = buf.subarray(off + FRAME_HEAD, end);
    const crcOk = Bun.hash.crc32(payload) === view.getUint32(off + 4, true);
    let record: JournalRecord | null = null;
    if (crcOk) {
      try {
        record = decode(payload) as JournalRecord;
      } catch (e) {
        corrupt.push(`offset=${off} reason=payload does not decode (${(e as Error).message})`);
      }
    } else if (end === buf.length) tornTail = `offset=${off} reason=checksum mismatch in last frame`;
    else corrupt.push(`offset=${off} reason=checksum mismatch with ${buf.length - end} bytes after it`);
    frames.push({ offset: off, length: len, crcOk, record });
    off = end;
  }
  return { bytes: buf.length, headerProblem: null, frames, tornTail, corrupt };
}

/** Scans a journal file. */
export function scanJournal(path: string): JournalScan {
  return scanJournalBytes(readFileSync(path));
}

/** The result of `kestrel journal verify --json`: exactly these fields. */
export interface VerifyResult {
  ok: boolean;
  records: number;
  orders: number;
  fills: number;
  /** Order records whose id an earlier order record already had. */
  duplicateOrderIds: number;
  /** Fill reports whose fill id an earlier fill report already had. */
  duplicateFillIds: number;
  tornTail: boolean;
}

/** Checks a scan: CRCs, torn tail, duplicate order and fill ids; the problems as lines. */
export function verifyScan(scan: JournalScan): { result: VerifyResult; problems: string[] } {
  const problems: string[] = [];
  if (scan.headerProblem !== null) problems.push(`JOURNAL_CORRUPT: ${scan.headerProblem}`);
  for (const c of scan.corrupt) problems.push(`JOURNAL_CORRUPT: ${c}`);
  if (scan.tornTail !== null) problems.push(`JOURNAL_TORN_TAIL: ${scan.tornTail}`);
  const orderIds = new Set<number>();
  const fillIds = new Set<number>();
  let records = 0;
  let orders = 0;
  let fills = 0;
  let duplicateOrderIds = 0;
  let duplicateFillIds = 0;
  for (const f of scan.frames) {
    const r = f.record;
    if (r === null) continue;
    records++;
    if (r.t === "order") {
      orders++;
      if (orderIds.has(r.id)) {
        duplicateOrderIds++;
        problems.push(`JOURNAL_DUPLICATE_ORDER_ID: offset=${f.offset} orderId=${r.id}`);
      }
      orderIds.add(r.id);
    } else if (r.t === "report" && r.report.kind === "fill") {
      fills++;
      if (r.fillId > 0) {
        if (fillIds.has(r.fillId)) {
          duplicateFillIds++;
          problems.push(`JOURNAL_DUPLICATE_FILL_ID: offset=${f.offset} fillId=${r.fillId} orderId=${r.report.orderId}`);
        }
        fillIds.add(r.fillId);
      }
    }
  }
  const ok = problems.length === 0;
  return { result: { ok, records, orders, fills, duplicateOrderIds, duplicateFillIds, tornTail: scan.tornTail !== null }, problems };
}
