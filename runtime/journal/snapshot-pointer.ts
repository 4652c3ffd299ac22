/**
 * The snapshot pointer: a small file beside the journal (`<journal>.snap`, JSON `{ offset, digest }`)
 * naming where the last snapshot frame starts, so a restart reads the journal from there instead of
 * the whole file. It is a hint, never trusted: the frame it names must be a snapshot with that
 * digest, or the restart falls back to scanning the journal. Replaced atomically (write + rename).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** Path of the pointer of a journal. */
export function pointerPath(journal: string): string {
  return `${journal}.snap`;
}

/** Records that the snapshot with `digest` starts at byte `offset` of `journal`. */
export function writeSnapshotPointer(journal: string, offset: number, digest: string): void {
  const p = pointerPath(journal);
  writeFileSync(`${p}.tmp`, `${JSON.stringify({ offset, digest })}\n`);
  renameSync(`${p}.tmp`, p);
}

/** The pointer of `journal`, or null when there is none or it does not parse. */
export function readSnapshotPointer(journal: string): { offset: number; digest: string } | null {
  const p = pointerPath(journal);
  if (!existsSync(p)) return null;
  try {
    const v = JSON.parse(readFileSync(p, "utf8")) as { offset: unknown; digest: unknown };
    return Number.isSafeInteger(v.offset) && typeof v.digest === "string" ? { offset: v.offset as number, digest: v.digest } : null;
  } catch {
    return null;
  }
}
