/**
 * Verifies an audit log: every line parses, sequence numbers run 1, 2, 3... (a gap is a dropped
 * record, a step back a reordered one), each record's hash matches its content (an edit) and its
 * `prev` the hash of the line before (an edit, drop or reorder upstream), the last line is complete,
 * and the file reaches the seq and hash of its head file (records cut off the end). Reports the
 * first bad record (1-based line) and why.
 */
import { existsSync, readFileSync } from "node:fs";
import { GENESIS, recordHash, type AuditRecord } from "./audit-record.ts";
import { headPath } from "./audit-log.ts";

/** The result `kestrel audit verify --json` prints. */
export interface AuditVerdict {
  ok: boolean;
  records: number;
  firstBadRecord?: number;
  reason?: string;
}

/** Verifies the audit log at `path`. */
export function verifyAudit(path: string): AuditVerdict {
  if (!existsSync(path)) return { ok: false, records: 0, firstBadRecord: 1, reason: `AUDIT_NOT_FOUND: file=${path}` };
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const torn = lines.pop() !== "";
  let prev = GENESIS;
  let records = 0;
  const bad = (n: number, reason: string): AuditVerdict => ({ ok: false, records, firstBadRecord: n, reason });
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let r: AuditRecord;
    try {
      r = JSON.parse(lines[i]!) as AuditRecord;
    } catch {
      return bad(n, `AUDIT_RECORD_INVALID: line=${n} reason=not JSON`);
    }
    if (r.seq !== n) {
      const why = typeof r.seq === "number" && r.seq > n && !nextIs(lines[i + 1], n) ? "dropped (a gap in seq)" : "reordered (seq out of order)";
      return bad(n, `AUDIT_SEQ_BROKEN: line=${n} seq=${String(r.seq)} expected=${n} reason=${why}`);
    }
    if (r.prev !== prev) return bad(n, `AUDIT_CHAIN_BROKEN: line=${n} reason=prev does not match the hash of record ${n - 1}`);
    if (recordHash(r.prev, r.seq, r.ts, r.kind, r.data) !== r.hash) return bad(n, `AUDIT_HASH_MISMATCH: line=${n} kind=${r.kind} reason=content edited`);
    prev = r.hash;
    records = n;
  }
  if (torn) return bad(lines.length + 1, `AUDIT_TRUNCATED: line=${lines.length + 1} reason=last record cut mid-line`);
  const head = headPath(path);
  if (existsSync(head)) {
    const h = JSON.parse(readFileSync(head, "utf8")) as { seq: number; hash: string };
    if (h.seq > records) return bad(records + 1, `AUDIT_TRUNCATED: records=${records} head_seq=${h.seq} reason=records cut off the end`);
    if (h.seq === records && h.hash !== prev) return bad(records, `AUDIT_HEAD_MISMATCH: seq=${h.seq} reason=last record differs from the head`);
  }
  return { ok: true, records };
}

/** True when `line` is a record with sequence number `seq`. */
function nextIs(line: string | undefined, seq: number): boolean {
  try {
    return line !== undefined && (JSON.parse(line) as AuditRecord).seq === seq;
  } catch {
    return false;
  }
}
