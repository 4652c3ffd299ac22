/**
 * Writes snapshots of trading state into the journal: after a flush once `every` records were
 * journaled since the last snapshot, and once more when the journal closes (a graceful stop), so a
 * restart replays at most `every` records plus what followed the last flush. After each snapshot
 * the pointer file (`<journal>.snap`) names its offset, so a restart reads only from there. Taking a snapshot
 * allocates; it runs between events, never inside one.
 */
import type { JournalWriter } from "./journal-file.ts";
import { sealSnapshot, type SnapshotState } from "./snapshot.ts";
import { writeSnapshotPointer } from "./snapshot-pointer.ts";

/** Builds the state to snapshot: `records` journaled before it, `lastTs` the last one's time. */
export type TakeState = (records: number, lastTs: number) => SnapshotState;

/** Hangs periodic and closing snapshots on a journal writer. */
export class Snapshotter {
  /** Snapshots written since start. */
  written = 0;
  /** Told when a pointer file cannot be written (a restart then starts from the previous pointer). */
  onPointerError: ((reason: string) => void) | null = null;
  private lastAt: number;

  /** `base` is the number of records the journal held before this session (from the restore). */
  constructor(
    private readonly writer: JournalWriter,
    private readonly every: number,
    private readonly base: number,
    private readonly take: TakeState,
    private readonly lastTs: () => number,
  ) {
    this.lastAt = writer.appended;
    writer.afterFlush = () => {
      if (this.every > 0 && writer.appended - this.lastAt >= this.every) this.write();
    };
    writer.beforeClose = () => {
      if (writer.appended > this.lastAt) this.write();
    };
  }

  /** Appends a snapshot of the current state and flushes it. */
  write(): void {
    const records = this.base + this.writer.appended - this.written;
    const offset = this.writer.nextOffset;
    const record = sealSnapshot(this.take(records, this.lastTs()));
    this.writer.append(record);
    this.written++;
    this.lastAt = this.writer.appended;
    this.writer.flush();
    // A snapshot still waiting in memory (the disk refuses writes) gets no pointer yet: the previous one stays valid.
    if (this.writer.stalled !== null) return;
    try {
      writeSnapshotPointer(this.writer.path, offset, record.digest);
    } catch (err) {
      this.onPointerError?.(`SNAPSHOT_POINTER_FAILED: file=${this.writer.path}.snap code=${(err as NodeJS.ErrnoException).code ?? "EIO"} offset=${offset}; a restart reads from the previous pointer`);
    }
  }
}
