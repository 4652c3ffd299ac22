/**
 * Snapshots of trading state: a restart from the last snapshot plus the records after it rebuilds
 * the same state as a restart that replays the whole journal — open orders, fills, positions, lots,
 * P&L, kill switch, limits, quarantines and the next ids — also when the tail after the snapshot was
 * torn by a crash; a snapshot that fails its digest is skipped with an alert and the journal is
 * replayed in full; `kestrel journal compact` keeps a journal that restarts to the same state.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { JournalWriter, readJournal } from "../journal/journal-file.ts";
import type { JournalRecord, SnapshotRecord } from "../journal/records.ts";
import { snapshotOffsets } from "../journal/restore-read.ts";
import { readSnapshotPointer } from "../journal/snapshot-pointer.ts";
import { runJournalCommand } from "../journal/cli.ts";
import type { Session } from "./build.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-snapshot-");
afterAll(() => tmp.dispose());

const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }
  - { name: bad, plugin: ${resolve(import.meta.dir, "fixtures/throwing-strategy.ts")}, instruments: [GBPUSD], params: { throwOnQuote: 400 } }`;

const yaml = (journal: string, every: number) =>
  syntheticYaml(STRATEGIES, { seconds: 900, extra: `journal: { path: ${journal}, fsync: never, snapshotEvery: ${every} }` });

const ORIGINAL = join(tmp.path, "original.journal");

/** Runs a session in steps with operator actions between them, and stops it without a closing snapshot. */
async function trade(): Promise<void> {
  const s = await sessionFromYaml(tmp.path, yaml(ORIGINAL, 150), { store: false });
  const { loop, core } = s;
  core.resubmitOpen();
  core.host.start();
  let step = 0;
  while (!loop.exhausted) {
    loop.runUntil(Infinity, 20_000);
    s.journal!.flush();
    step++;
    if (step === 3) core.applyLimits({ ...core.risk.config, maxPosition: 800_000 }, { EURUSD: { maxPosition: 300_000 } }, "tester");
    if (step === 5) core.setPaused("obi", true, "tester");
    if (step === 4) {
      // An operator's position and a resting order far from the touch: state that outlives the run.
      const bid = core.books.books[0]!.bid;
      core.submit("manual", { instrument: 0, side: 1, type: "market", size: 100_000 });
      core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 300, size: 50_000, tif: "GTC" });
    }
  }
  // The kill switch at the end: every open order is pending-cancel when the process dies.
  core.engageKill("test halt", "tester");
  s.journal!.flush();
  // A crash: no closing snapshot, whatever was journaled stays (after a periodic snapshot, a tail).
  s.journal!.afterFlush = null;
  core.setPaused("mm", true, "tester");
  s.journal!.flush();
  loop.close();
}

/** What a restart rebuilt, in comparable form. */
function state(s: Session) {
  const { core } = s;
  const p = core.portfolio;
  return {
    open: [...core.oms.openOrders()].map((o) => o.toJSON()),
    lastOrderId: core.oms.orderIds.current,
    lastFillId: core.oms.fillIds.current,
    created: core.oms.created,
    refused: core.oms.refused,
    fills: p.fillCount,
    positions: s.instruments.map((i) => [p.position(i.id), p.realised(i.id), p.fees(i.id), p.signedCost(i.id), p.lots(i.id)]),
    kill: [core.risk.killSwitch, core.risk.killReason],
    limits: [core.risk.config, core.risk.limits],
    strategies: core.host.slots.map((x) => [x.name, x.state]),
    now: core.now(),
  };
}

async function restart(journal: string): Promise<Session> {
  const s = await sessionFromYaml(tmp.path, yaml(journal, 150), { store: false });
  s.loop.close();
  return s;
}

/** Writes `records` as a new journal through the real writer. */
function writeJournal(path: string, records: readonly JournalRecord[]): void {
  const w = new JournalWriter(path, "never", 0);
  for (const r of records) w.append(r);
  w.close();
}

let full: ReturnType<typeof state>;

beforeAll(async () => {
  await trade();
  const records = readJournal(ORIGINAL).records;
  // The reference: the same history with no snapshot in it, replayed from the first record.
  const plain = join(tmp.path, "plain.journal");
  writeJournal(plain, records.filter((r) => r.t !== "snapshot"));
  const s = await restart(plain);
  expect(s.restoredFromSnapshot).toBe(false);
  full = state(s);
}, 120_000);

test("the session journaled periodic snapshots, and the state it reached is not trivial", () => {
  const records = readJournal(ORIGINAL).records;
  const snaps = records.filter((r): r is SnapshotRecord => r.t === "snapshot");
  expect(snaps.length).toBeGreaterThan(2);
  // Records follow the last snapshot: a restart has a tail to replay.
  expect(records.at(-1)!.t).not.toBe("snapshot");
  expect(full.fills).toBeGreaterThan(10);
  expect(full.kill[0]).toBe(true);
  expect(full.strategies).toContainEqual(["bad", "quarantined"]);
  expect(full.strategies).toContainEqual(["obi", "paused"]);
  expect(full.strategies).toContainEqual(["mm", "paused"]);
  expect((full.limits[0] as { maxPosition: number }).maxPosition).toBe(800_000);
  expect(full.positions.some((x) => x[0] !== 0)).toBe(true);
  expect(full.open.length).toBeGreaterThan(0);
});

test("a restart from the last snapshot and its tail equals a restart from the full journal", async () => {
  // Without the pointer file: the journal is scanned for its last snapshot.
  const copy = join(tmp.path, "copy.journal");
  writeFileSync(copy, readFileSync(ORIGINAL));
  const s = await restart(copy);
  expect(s.restoredFromSnapshot).toBe(true);
  expect(state(s)).toEqual(full);
  // With it (the session wrote one): only snapshot + tail are read, to the same state.
  const ptr = readSnapshotPointer(ORIGINAL)!;
  expect(ptr.offset).toBe(snapshotOffsets(readFileSync(ORIGINAL)).at(-1)!);
  const withPointer = join(tmp.path, "pointer.journal");
  writeFileSync(withPointer, readFileSync(ORIGINAL));
  writeFileSync(`${withPointer}.snap`, readFileSync(`${ORIGINAL}.snap`));
  const p = await restart(withPointer);
  expect(p.restoredFromSnapshot).toBe(true);
  expect(state(p)).toEqual(full);
  // A stale pointer (wrong offset or digest) is ignored: the scan finds the snapshot.
  const stale = join(tmp.path, "stale.journal");
  writeFileSync(stale, readFileSync(ORIGINAL));
  writeFileSync(`${stale}.snap`, JSON.stringify({ offset: ptr.offset + 3, digest: ptr.digest }));
  const q = await restart(stale);
  expect(q.restoredFromSnapshot).toBe(true);
  expect(state(q)).toEqual(full);
}, 60_000);

test("with a torn tail after the snapshot, both restarts cut it and agree", async () => {
  const bytes = readFileSync(ORIGINAL);
  const torn = bytes.subarray(0, bytes.length - 5);
  const a = join(tmp.path, "torn-snap.journal");
  writeFileSync(a, torn);
  // The reference for the torn file: its good records without snapshots.
  const kept = readJournal(a);
  expect(kept.tornTail).not.toBeNull();
  expect(snapshotOffsets(torn).at(-1)!).toBeLessThan(kept.goodLength);
  const b = join(tmp.path, "torn-plain.journal");
  writeJournal(b, kept.records.filter((r) => r.t !== "snapshot"));
  const fromSnap = await restart(a);
  const fromFull = await restart(b);
  expect(fromSnap.restoredFromSnapshot).toBe(true);
  expect(fromSnap.journalTornTail).not.toBeNull();
  expect(state(fromSnap)).toEqual(state(fromFull));
  expect(state(fromFull)).not.toEqual(full); // the torn record mattered (its time at least)
}, 60_000);

test("a snapshot whose content does not match its digest is skipped with an alert; the journal is replayed in full", async () => {
  const records = readJournal(ORIGINAL).records;
  const last = records.findLastIndex((r) => r.t === "snapshot");
  const snap = records[last] as SnapshotRecord;
  // Written through the real writer (valid frame checksums), but the state was altered after sealing.
  const altered = { ...snap, state: { ...snap.state, lastOrderId: snap.state.lastOrderId + 1000 } };
  // Every earlier snapshot is altered too, so nothing but a full replay can restore.
  const tampered = records.map((r, i) => (r.t === "snapshot" ? (i === last ? altered : { ...r, digest: "0".repeat(64) }) : r));
  const path = join(tmp.path, "bad-snapshot.journal");
  writeJournal(path, tampered as JournalRecord[]);
  const s = await restart(path);
  expect(s.restoredFromSnapshot).toBe(false);
  const alerts = s.core.alerts.all().filter((a) => a.code === "JOURNAL_SNAPSHOT_INVALID");
  expect(alerts.length).toBeGreaterThan(0);
  expect(alerts.map((a) => a.message).join("\n")).toContain(`digest=`);
  expect(alerts.every((a) => a.severity === "critical")).toBe(true);
  expect(state(s)).toEqual(full);
}, 60_000);

test("kestrel journal compact rewrites the journal as snapshot + tail; it restarts to the same state and is smaller", async () => {
  const out = join(tmp.path, "compact.journal");
  const lines: string[] = [];
  const code = await runJournalCommand(["compact", ORIGINAL, "--out", out], { out: (t) => lines.push(t), err: (t) => lines.push(t) });
  expect(code).toBe(0);
  expect(lines.join("\n")).toMatch(/compacted .* records kept/);
  const compacted = readJournal(out).records;
  expect(compacted[0]!.t).toBe("snapshot");
  expect((compacted[0] as SnapshotRecord).compacted).toBe(true);
  expect(compacted.slice(1).some((r) => r.t === "snapshot")).toBe(false);
  expect(readFileSync(out).length).toBeLessThan(readFileSync(ORIGINAL).length);
  const s = await restart(out);
  expect(s.restoredFromSnapshot).toBe(true);
  expect(state(s)).toEqual(full);
  // A compacted journal whose only snapshot is bad cannot be replayed: refused, not guessed.
  const bad = join(tmp.path, "compact-bad.journal");
  writeJournal(bad, [{ ...(compacted[0] as SnapshotRecord), digest: "0".repeat(64) }, ...compacted.slice(1)]);
  await expect(restart(bad)).rejects.toThrow(/JOURNAL_CORRUPT: .*compacted journal without a usable snapshot/);
  // A journal without any snapshot is refused by compact with a clear line.
  const plain = join(tmp.path, "plain.journal");
  const errs: string[] = [];
  expect(await runJournalCommand(["compact", plain], { out: () => {}, err: (t) => errs.push(t) })).toBe(1);
  expect(errs.join("\n")).toContain("JOURNAL_NO_SNAPSHOT");
}, 60_000);

test("a graceful stop ends the journal with a snapshot, and the next start restores from it", async () => {
  const path = join(tmp.path, "graceful.journal");
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 60, extra: `journal: { path: ${path}, fsync: never }` }), { store: false });
  const { runBacktest } = await import("./backtest.ts");
  runBacktest(s);
  const records = readJournal(path).records;
  expect(records.at(-1)!.t).toBe("snapshot");
  expect(records.filter((r) => r.t === "snapshot").length).toBe(1); // default period (100 000 records) not reached
  const again = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 60, extra: `journal: { path: ${path}, fsync: never }` }), { store: false });
  again.loop.close();
  expect(again.restoredFromSnapshot).toBe(true);
  expect(again.restored).toBe(records.length - 1);
  expect(again.core.oms.fillIds.current).toBe(s.core.oms.fillIds.current);
  expect(again.core.portfolio.realised(0)).toBe(s.core.portfolio.realised(0));
}, 60_000);
