/**
 * Removes segment files left by a process that no longer exists (killed with SIGKILL, or crashed in
 * native code before its exit handlers ran). A segment's owner is the CLIENT_PID word of its
 * header (written by `Segment.create`); for a file whose header is not (yet) valid, the pid in its
 * name (`kestrel-<name>-<pid>[-<n>]`). A file whose owner is alive, or whose owner cannot be told,
 * is left alone.
 */
import { closeSync, openSync, readdirSync, readSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { MAGIC, Offset } from "./layout.ts";

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid that owns a segment file, or null when it cannot be told. */
export function segmentOwner(path: string, name: string): number | null {
  const head = new Uint8Array(Offset.CLIENT_PID + 4);
  let n = 0;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const view = new DataView(head.buffer);
  if (n === head.length && view.getUint32(Offset.MAGIC, true) === MAGIC) {
    const pid = view.getInt32(Offset.CLIENT_PID, true);
    if (pid > 0) return pid;
  }
  const m = /^kestrel-[a-z0-9]+-(\d+)(?:-\d+)?$/.exec(name);
  return m === null ? null : Number(m[1]);
}

/** Removes `kestrel-*` segment files in `dir` whose owner process is gone; returns the removed paths. */
export function removeStaleSegments(dir = "/dev/shm"): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith("kestrel-")) continue;
    const path = join(dir, name);
    const owner = segmentOwner(path, name);
    if (owner === null || owner === process.pid || processAlive(owner)) continue;
    try {
      unlinkSync(path);
      removed.push(path);
    } catch {
      // Removed by someone else meanwhile, or not ours to remove.
    }
  }
  return removed;
}
