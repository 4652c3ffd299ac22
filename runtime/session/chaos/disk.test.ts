/**
 * Chaos: the journal's disk. (a) A paper session journals onto a small tmpfs the test mounts; the
 * disk is filled up under it: the session engages the kill switch and alerts, the file on disk
 * ends on a whole frame (no corrupt frame), the records are held in memory, and when space
 * returns the writes resume, the kill switch is released and every record is on disk. (b) A slow
 * disk (every fsync delayed): no record is lost and the slow fsyncs are alerted.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, openSync, closeSync, rmSync, statSync, writeSync, fsyncSync } from "node:fs";
import { join } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import { verifyAudit } from "../../audit/verify.ts";
import { startRealtime } from "../realtime.ts";
import { sessionFromYaml, tempDir } from "../test-session.ts";
import { chaosYaml } from "./chaos.ts";
import { until } from "../../testing/until.ts";

const tmp = tempDir("kestrel-chaos-disk-");
const disk = join(tmp.path, "disk");
mkdirSync(disk);
/** Whether this machine lets the test mount a tmpfs (root, or a user namespace that allows it). */
const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk], { stderr: "pipe" }).exitCode === 0;
// Where a tmpfs cannot be mounted the disk is made "full" at the journal's write call instead (ENOSPC
// from the injected write, the same error the kernel gives): the journal's handling is tested either way.
if (!mounted) console.warn("journal disk full: mounting a tmpfs is not permitted here; the journal's writes fail with an injected ENOSPC instead");
/** Set while the simulated disk is full (only where no tmpfs could be mounted). */
let simulatedFull = false;
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", "-l", disk]);
  tmp.dispose();
});

/** The chaos deployment with its journal (and its audit log, beside it) in `dir`, its venue memory beside the test. */
function yaml(dir: string, fsync: string): string {
  return chaosYaml(dir, 5)
    .replace(`stateFile: ${join(dir, "venue.jsonl")}`, `stateFile: ${join(tmp.path, `venue-${fsync}.jsonl`)}`)
    .replace("fsync: batch", `fsync: ${fsync}`);
}

/** Where no tmpfs could be mounted: the session's journal writes fail with ENOSPC while `simulatedFull` is set. */
function failWritesWhileFull(s: Awaited<ReturnType<typeof sessionFromYaml>>): void {
  const real = s.journal!.writeFile;
  s.journal!.writeFile = (fd, buf, off, len, pos) => {
    if (simulatedFull) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    return real(fd, buf, off, len, pos);
  };
}

/** Writes zeros into `path` until the filesystem refuses (ENOSPC); returns the bytes written. */
function fillUp(path: string): number {
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(4096);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    fsyncSync(fd);
    closeSync(fd);
  }
  return n;
}

test("the journal's disk fills up: kill switch and alert, no corrupt frame, records held, and all written once space returns", async () => {
  const s = await sessionFromYaml(tmp.path, yaml(disk, "batch"), { store: false });
  const journalPath = join(disk, "chaos.journal");
  if (!mounted) failWritesWhileFull(s);
  const run = startRealtime(s, { speed: 20 });
  let failure: Error | null = null;
  try {
    await until("the session journaling", () => (s.journal?.appended ?? 0) > 200);
    const filler = join(disk, "filler");
    if (mounted) expect(fillUp(filler)).toBeGreaterThan(0);
    else simulatedFull = true;
    await until("the kill switch engaged by the journal", () => s.core.killEngaged && s.journal!.stalled !== null);
    const failed = s.core.alerts.all().find((a) => a.code === "JOURNAL_WRITE_FAILED");
    expect(failed?.severity).toBe("critical");
    expect(failed?.message).toContain("code=ENOSPC");
    expect(s.core.alerts.all().some((a) => a.code === "KILL_SWITCH" && a.message.includes("JOURNAL_WRITE_FAILED"))).toBe(true);
    // What is on disk ends on a whole frame: a reader finds no torn or corrupt tail.
    const onDisk = readJournal(journalPath);
    expect(onDisk.tornTail).toBeNull();
    expect(onDisk.goodLength).toBe(statSync(journalPath).size);
    // The session goes on (market data; the kill switch and its cancels journaled) with the records held in memory.
    await Bun.sleep(300);
    expect(s.journal!.pending).toBe(true);
    expect(readJournal(journalPath).records.length).toBeLessThan(s.journal!.appended);
    // Space returns: the writes resume, the kill switch is released, nothing was lost.
    if (mounted) rmSync(filler);
    else simulatedFull = false;
    await until("the journal resumed", () => s.journal!.stalled === null && !s.core.killEngaged);
    expect(s.core.alerts.all().some((a) => a.code === "JOURNAL_RESUMED")).toBe(true);
  } catch (err) {
    // What the session itself reported (a loop stopped by an exception raises KERNEL with its stack).
    const critical = s.core.alerts.all().filter((a) => a.severity === "critical").map((a) => `${a.code}: ${a.message.slice(0, 600)}`);
    failure = new Error(`${(err as Error).message}; critical alerts: ${critical.join(" | ") || "none"}`);
  } finally {
    run.stop();
    // A stop while the disk is still full rejects (held records not on disk): the first failure is the one reported.
    await run.done.catch((err: unknown) => void (failure ??= err as Error));
    s.loop.close();
  }
  if (failure !== null) throw failure;
  const after = readJournal(journalPath);
  expect(after.tornTail).toBeNull();
  expect(after.records.length).toBe(s.journal!.appended);
  const kills = after.records.filter((r) => r.t === "control" && (r.kind === "kill" || r.kind === "release"));
  expect(kills.map((r) => (r.t === "control" ? `${r.kind}:${r.subject}` : ""))).toEqual(["kill:journal", "release:journal"]);
  const ids = after.records.filter((r) => r.t === "order").map((r) => (r.t === "order" ? r.id : 0));
  expect(new Set(ids).size).toBe(ids.length);
  // The audit log on the same disk held its records too: its chain verifies whole.
  const audit = verifyAudit(s.audit!.path);
  expect(audit.reason ?? "").toBe("");
  expect(audit.ok).toBe(true);
  expect(audit.records).toBe(s.audit!.written);
}, 120_000);

test("a slow disk (every fsync delayed 30 ms): no record lost, the slow fsyncs alerted", async () => {
  const dir = join(tmp.path, "slow");
  mkdirSync(dir);
  const s = await sessionFromYaml(tmp.path, yaml(dir, "always"), { store: false });
  const writer = s.journal!;
  writer.slowFsyncMs = 20;
  writer.syncFile = (fd) => {
    // The disk answers late: the thread waits as it would in fsync.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
    fsyncSync(fd);
  };
  const run = startRealtime(s, { speed: 20 });
  try {
    await until("the session journaling through slow fsyncs", () => writer.appended > 300 && writer.slowFsyncs > 5);
  } finally {
    run.stop();
    await run.done;
    s.journal?.close();
    s.loop.close();
  }
  const slow = s.core.alerts.all().find((a) => a.code === "JOURNAL_SLOW_FSYNC");
  expect(slow?.severity).toBe("warning");
  expect(slow?.message).toMatch(/fsync took \d+ ms/);
  const after = readJournal(join(dir, "chaos.journal"));
  expect(after.tornTail).toBeNull();
  expect(after.records.length).toBe(writer.appended);
}, 120_000);

test("a session stopped while its journal's disk is still full ends with the one line saying so, not a hang", async () => {
  const dir = join(disk, "stop-full");
  mkdirSync(dir);
  const s = await sessionFromYaml(tmp.path, yaml(dir, "batch"), { store: false });
  if (!mounted) failWritesWhileFull(s);
  const run = startRealtime(s, { speed: 20 });
  const filler = join(disk, "filler-stop");
  let ended: unknown = null;
  try {
    await until("the session journaling", () => (s.journal?.appended ?? 0) > 200);
    if (mounted) fillUp(filler);
    else simulatedFull = true;
    await until("the kill switch engaged by the journal", () => s.core.killEngaged && s.journal!.stalled !== null);
    run.stop();
    ended = await run.done.then(() => "resolved", (err: unknown) => err);
  } finally {
    if (mounted) rmSync(filler, { force: true });
    else simulatedFull = false;
    s.loop.close();
  }
  expect(ended).toBeInstanceOf(Error);
  expect((ended as Error).message).toMatch(/^(JOURNAL_IO|AUDIT_WRITE_FAILED): .*reason=closed while writes fail/);
}, 120_000);
