/**
 * The audit log's record format (see README.md): one JSON object per line,
 * `{ seq, ts, kind, data, prev, hash }`, where `hash` is the SHA-256 of `prev + "\n" + ` the JSON of
 * `{ seq, ts, kind, data }` and `prev` is the previous record's hash (64 zeros for the first). Also
 * how journal records become audit records: orders (with their risk verdict as a record of its own),
 * execution reports (a replace is an amend), cancels, operator and safety controls, limit changes.
 */
import type { JournalRecord } from "../journal/records.ts";

/** Kinds of audit records. */
export type AuditKind = "session" | "order" | "risk" | "report" | "amend" | "cancel" | "operator" | "limit-change" | "quarantine" | "parent" | "reconcile";

/** One audit record as written. */
export interface AuditRecord {
  readonly seq: number;
  readonly ts: number;
  readonly kind: AuditKind;
  readonly data: unknown;
  readonly prev: string;
  readonly hash: string;
}

/** The `prev` of the first record. */
export const GENESIS = "0".repeat(64);

/** The hash a record with these fields must carry. */
export function recordHash(prev: string, seq: number, ts: number, kind: string, data: unknown): string {
  return new Bun.CryptoHasher("sha256").update(`${prev}\n${JSON.stringify({ seq, ts, kind, data })}`).digest("hex");
}

/** The audit entries (kind, ts, data) a journal record stands for; snapshots have none. */
export function auditEntries(r: JournalRecord): [AuditKind, number, unknown][] {
  switch (r.t) {
    case "order": {
      const { t: _t, ...order } = r;
      const verdict = { orderId: r.id, strategy: r.strategy, verdict: r.rejected === "" ? "pass" : "refuse", reason: r.rejected };
      return [["risk", r.ts, verdict], ["order", r.ts, order]];
    }
    case "report":
      return [[r.report.kind === "replaced" ? "amend" : "report", r.report.ts, { ...r.report, fillId: r.fillId }]];
    case "cancel":
      return [["cancel", r.ts, { orderId: r.orderId }]];
    case "control": {
      if (r.kind === "limits") return [["limit-change", r.ts, { by: r.subject, change: JSON.parse(r.reason) as unknown }]];
      if (r.kind === "rule-limit") return [["limit-change", r.ts, { by: `rule:${r.subject}`, change: JSON.parse(r.reason) as unknown }]];
      if (r.kind === "quarantine") return [["quarantine", r.ts, { strategy: r.subject, failure: r.reason }]];
      return [["operator", r.ts, { action: r.kind, subject: r.subject, reason: r.reason }]];
    }
    case "parent": {
      // A parent order (algo) command; an amend of a parent is an amend.
      const { t: _t, ...parent } = r;
      return [[r.kind === "amend" ? "amend" : "parent", r.ts, parent]];
    }
    case "reconcile": {
      const { t: _t, ...diff } = r;
      return [["reconcile", r.ts, diff]];
    }
    case "snapshot":
      return [];
  }
}
