import { afterEach, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JournalWriter, readJournal } from "./journal-file.ts";
import type { JournalRecord } from "./records.ts";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "kestrel-journal-"));
  dirs.push(d);
  return join(d, "j.bin");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (i: number): JournalRecord => ({ t: "cancel", orderId: i, ts: 1_000 + i });

test("records written and flushed read back in order", () => {
  const path = tmp();
  const w = new JournalWriter(path, "never", 0);
  for (let i = 1; i <= 100; i++) w.append(rec(i));
  w.close();
  const got = readJournal(path);
  expect(got.tornTail).toBeNull();
  expect(got.records.map((r) => (r as { orderId: number }).orderId)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
});

test("a torn last frame is reported and cut off when the journal is reopened", () => {
  const path = tmp();
  const w = new JournalWriter(path, "always", 0);
  for (let i = 1; i <= 10; i++) w.append(rec(i));
  w.close();
  const full = readFileSync(path).length;
  truncateSync(path, full - 3);
  const got = readJournal(path);
  expect(got.records.length).toBe(9);
  expect(got.tornTail).toContain("cut");
  const w2 = new JournalWriter(path, "always", got.goodLength);
  w2.append(rec(11));
  w2.close();
  expect(readJournal(path).records.map((r) => (r as { orderId: number }).orderId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
});

test("a corrupt frame in the middle is an error, not silently dropped", () => {
  const path = tmp();
  const w = new JournalWriter(path, "never", 0);
  for (let i = 1; i <= 5; i++) w.append(rec(i));
  w.close();
  const bytes = readFileSync(path);
  bytes[20] = bytes[20]! ^ 0xff; // inside the first frame's payload
  writeFileSync(path, bytes);
  expect(() => readJournal(path)).toThrow(/JOURNAL_CORRUPT: .*checksum mismatch/);
});

test("a file that is not a journal is refused", () => {
  const path = tmp();
  appendFileSync(path, "hello world, not a journal");
  expect(() => readJournal(path)).toThrow(/JOURNAL_CORRUPT/);
});
