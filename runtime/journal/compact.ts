/**
 * `kestrel journal compact <file> [--out <file>]`: rewrites a journal as its last good snapshot
 * (marked `compacted`: nothing before it exists any more) followed by the records after it, copied
 * byte for byte. The snapshot must pass its digest and every frame after it its checksum; a torn
 * last frame is left out and reported. Without --out the file is replaced atomically (a temporary
 * file beside it, fsynced, then renamed). A journal without a good snapshot is refused
 * (JOURNAL_NO_SNAPSHOT): a session writes one periodically and when it stops gracefully.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "../cli/args.ts";
import { checkHeader, JournalWriter, JOURNAL_HEADER_BYTES, readFrames } from "./journal-file.ts";
import type { SnapshotRecord } from "./records.ts";
import { snapshotOffsets } from "./restore-read.ts";
import { checkSnapshot } from "./snapshot.ts";
import { writeSnapshotPointer } from "./snapshot-pointer.ts";

/** Where a journal command writes. */
export interface CompactIo {
  out(line: string): void;
  err(line: string): void;
}

/** Help of the subcommand. */
export const COMPACT_HELP = `Usage: kestrel journal compact <file> [--out <file>]

Rewrites a journal as its last good snapshot followed by the records after it (a restart reads
the same state, faster). Without --out the file is replaced in place (atomically).`;

/** What compacting found and wrote. */
export interface CompactResult {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Records in the history before the snapshot (now only in the snapshot). */
  readonly dropped: number;
  /** Records kept after the snapshot. */
  readonly kept: number;
  readonly tornTail: string | null;
}

/** Compacts `file` into `out` (may be the same path). Throws JOURNAL_NO_SNAPSHOT / JOURNAL_CORRUPT. */
export function compactJournal(file: string, out: string): CompactResult {
  const buf = readFileSync(file);
  checkHeader(buf, file);
  const offsets = snapshotOffsets(buf);
  const reasons: string[] = [];
  for (let k = offsets.length - 1; k >= 0; k--) {
    const read = readFrames(buf, file, offsets[k]!);
    const snap = read.records[0];
    if (snap === undefined || snap.t !== "snapshot") continue;
    const bad = checkSnapshot(snap, { symbols: null });
    if (bad !== null) {
      reasons.push(`offset=${offsets[k]} ${bad}`);
      continue;
    }
    // The tail's bytes start after the snapshot's frame.
    const tailStart = offsets[k]! + 8 + new DataView(buf.buffer, buf.byteOffset).getUint32(offsets[k]!, true);
    const tmp = `${resolve(out)}.compacting`;
    const w = new JournalWriter(tmp, "never", 0);
    w.append({ ...(snap as SnapshotRecord), compacted: true });
    w.close();
    const fd = openSync(tmp, "r+");
    let pos = statSync(tmp).size;
    let off = tailStart;
    while (off < read.goodLength) {
      const n = writeSync(fd, buf, off, read.goodLength - off, pos);
      off += n;
      pos += n;
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, out);
    writeSnapshotPointer(out, JOURNAL_HEADER_BYTES, snap.digest);
    return { bytesBefore: buf.length, bytesAfter: pos, dropped: snap.state.records, kept: read.records.length - 1, tornTail: read.tornTail };
  }
  throw Object.assign(new Error(`JOURNAL_NO_SNAPSHOT: file=${file} snapshots=${offsets.length}${reasons.length > 0 ? ` rejected=${reasons.join("; ")}` : ""}`), { code: "JOURNAL_NO_SNAPSHOT" });
}

/** Runs `kestrel journal compact`; returns the exit code. */
export async function runCompact(argv: readonly string[], io: CompactIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(["out"]));
  } catch (err) {
    io.err(`kestrel journal compact: ${(err as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    io.out(COMPACT_HELP);
    return 0;
  }
  const file = args.positionals[0];
  if (file === undefined) {
    io.err(`kestrel journal compact: missing <file>\n\n${COMPACT_HELP}`);
    return 2;
  }
  if (!existsSync(file)) {
    io.err(`kestrel journal compact: JOURNAL_NOT_FOUND: file=${file}`);
    return 1;
  }
  const outFlag = args.flags.get("out");
  const out = typeof outFlag === "string" ? outFlag : file;
  try {
    const r = compactJournal(file, out);
    io.out(`compacted ${file} -> ${out}: ${r.bytesBefore} -> ${r.bytesAfter} bytes, ${r.dropped} records folded into the snapshot, ${r.kept} records kept`);
    if (r.tornTail !== null) io.err(`kestrel journal compact: JOURNAL_TORN_TAIL: left out a torn last frame: ${r.tornTail}`);
    return 0;
  } catch (err) {
    io.err(`kestrel journal compact: ${(err as Error).message}`);
    return 1;
  }
}
