/**
 * Parent orders and algorithms in a real session (synthetic market, sim venue, real journal
 * file): a strategy hands a TWAP parent over; the parent's fills, average price and state derive
 * from its children; a restart in the middle of the parent restores it from the journal's
 * snapshot and tail and resumes it without sending any slice twice; cancel and amend of a parent reach its children;
 * an unknown algorithm or bad params give a rejected parent with the reason; an algorithm that
 * throws ends only its own parent.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import type { ParentRecord } from "../../journal/records.ts";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";
import { parentOfTag } from "../parents/parent-order.ts";

const USER = resolve(import.meta.dir, "fixtures/algo-user.ts");
const dir = tempDir("kestrel-algos-");
/** The synthetic market's start in test-session.ts. */
const START = Date.parse("2024-01-08T07:00:00Z") * 1000;
afterAll(() => dir.dispose());

const EXECUTION = `execution:
  algos:
    - { name: twap, plugin: twap, params: { durationSeconds: 200, slices: 10, style: take } }
    - { name: iceberg, plugin: iceberg, params: { displaySize: 100000, sizeVariance: 0.3 } }
`;
const user = (algo: string, extra = "") => `  - { name: user, plugin: ${JSON.stringify(USER)}, isolate: false, instruments: [EURUSD], params: { algo: ${algo}, quantity: 1000000, startAfterQuotes: 200${extra} } }`;

describe("parents in a session", () => {
  test("a TWAP parent derives fills and state from its children and ends filled", async () => {
    const s = await sessionFromYaml(dir.path, syntheticYaml(user("twap"), { seconds: 400, extra: EXECUTION }));
    runBacktest(s);
    await s.close();
    const parents = [...s.algos!.parents.all()];
    expect(parents.length).toBe(1);
    const p = parents[0]!;
    expect(p.status).toBe("filled");
    const kids = p.children.map((id) => s.core.oms.get(id)!);
    expect(kids.length).toBeGreaterThanOrEqual(10);
    expect(kids.every((k) => parentOfTag(k.tag) === p.id && k.strategy === "user")).toBe(true);
    const filled = kids.reduce((a, k) => a + k.filled, 0);
    expect(filled).toBe(1_000_000);
    expect(p.filled).toBe(filled);
    expect(p.avgPrice).toBeCloseTo(kids.reduce((a, k) => a + k.notionalFilled, 0) / filled, 9);
    expect(s.core.portfolio.positionOf("user", p.spec.instrument)).toBe(1_000_000);
    // Slices follow the schedule: nothing before its step, at most one child per step.
    const notes = kids.map((k) => /slice=(\d+)\/10/.exec(k.tag)![1]);
    expect(new Set(notes).size).toBe(notes.length);
    const tca = s.algos!.tca(p.id)!;
    expect(tca.filled).toBe(1_000_000);
    expect(tca.children).toBe(kids.length);
    expect(tca.arrivalPrice).toBeGreaterThan(0);
    expect(Number.isFinite(tca.shortfallBps)).toBe(true);
  }, 60_000);

  test("a restart in the middle of a parent resumes it from the journal without a duplicate child", async () => {
    const journal = join(dir.path, "restart.journal");
    const yaml = syntheticYaml(user("twap"), { seconds: 400, extra: EXECUTION });
    const a = await sessionFromYaml(dir.path, yaml, { journalPath: journal });
    a.core.resubmitOpen();
    a.core.host.start();
    // Run until the middle of the parent's schedule (the parent starts after 200 quotes, ~1 s in).
    a.loop.runUntil(START + 90_000_000);
    a.journal!.flush();
    const pa = [...a.algos!.parents.all()][0]!;
    expect(pa.status === "working" || pa.status === "partially-filled").toBe(true);
    expect(pa.filled).toBeGreaterThan(0);
    expect(pa.filled).toBeLessThan(1_000_000);
    const before = pa.children.length;
    const lastChildBefore = Math.max(...pa.children);
    a.journal!.close();
    a.loop.close();
    await a.close();

    // The graceful stop wrote a snapshot with the parent in it: the restart reads it and the tail.
    const b = await sessionFromYaml(dir.path, yaml, { journalPath: journal });
    expect(b.restored).toBeGreaterThan(0);
    expect(b.restoredFromSnapshot).toBe(true);
    const pb = b.algos!.parents.get(pa.id)!;
    expect(pb).toBeDefined();
    expect(pb.children.length).toBe(before);
    expect(pb.filled).toBe(pa.filled);
    expect(pb.avgPrice).toBe(pa.avgPrice);
    expect(pb.fees).toBe(pa.fees);
    expect(pb.status).toBe(pa.status);
    runBacktest(b);
    await b.close();
    expect(pb.status).toBe("filled");
    expect(pb.filled).toBe(1_000_000);
    // Children finished before the snapshot are in the journal (the OMS keeps open ones across it).
    const records = readJournal(journal).records;
    const kids = records.filter((r) => r.t === "order" && parentOfTag(r.tag) === pb.id) as { id: number; tag: string }[];
    expect(kids.map((k) => k.id)).toEqual(pb.children);
    expect(kids.filter((k) => k.id > lastChildBefore).length).toBeGreaterThan(0);
    // No slice was sent twice, and the parent never overfilled.
    const notes = kids.map((k) => /slice=(\d+)\/10/.exec(k.tag)![1]);
    expect(new Set(notes).size).toBe(notes.length);
    const ids = new Set(kids.map((k) => k.id));
    expect(records.reduce((x, r) => x + (r.t === "report" && r.report.kind === "fill" && ids.has(r.report.orderId) ? r.report.size : 0), 0)).toBe(1_000_000);
    expect(b.core.portfolio.positionOf("user", pb.spec.instrument)).toBe(1_000_000);
    // Only one parent: the strategy's own restart did not create another.
    expect([...b.algos!.parents.all()].length).toBe(1);
    const recs = readJournal(journal).records.filter((r): r is ParentRecord => r.t === "parent");
    expect(recs.filter((r) => r.kind === "new").length).toBe(1);
  }, 60_000);

  test("a crash mid-TWAP after a periodic snapshot: snapshot + tail restore the parent as a full replay does, and it resumes without a duplicate slice", async () => {
    const journal = join(dir.path, "crash.journal");
    const yaml = syntheticYaml(user("twap"), { seconds: 400, extra: `${EXECUTION}journal: { path: ${journal}, fsync: never, snapshotEvery: 7 }\n` });
    const a = await sessionFromYaml(dir.path, yaml, { journalPath: journal });
    a.core.resubmitOpen();
    a.core.host.start();
    // Run past the middle of the schedule until the journal ends in records after a periodic snapshot.
    let t = START + 100_000_000;
    do {
      t += 2_000_000;
      a.loop.runUntil(t);
      a.journal!.flush();
    } while (readJournal(journal).records.at(-1)!.t === "snapshot" || !readJournal(journal).records.slice(readJournal(journal).records.map((r) => r.t).lastIndexOf("snapshot")).some((r) => r.t === "order"));
    // A crash: no closing snapshot; the records after the last periodic one are the tail.
    a.loop.close();
    const records = readJournal(journal).records;
    const lastSnap = records.map((r) => r.t).lastIndexOf("snapshot");
    expect(lastSnap).toBeGreaterThan(0);
    expect(records.slice(lastSnap + 1).some((r) => r.t === "order")).toBe(true);
    const pa = [...a.algos!.parents.all()][0]!;
    expect(pa.filled).toBeGreaterThan(0);
    expect(pa.filled).toBeLessThan(1_000_000);

    // The reference: the same history without its snapshots, replayed in full.
    const plain = join(dir.path, "crash-plain.journal");
    const { JournalWriter } = await import("../../journal/journal-file.ts");
    const w = new JournalWriter(plain, "never", 0);
    for (const r of records) if (r.t !== "snapshot") w.append(r);
    w.close();
    const full = await sessionFromYaml(dir.path, yaml.replace(journal, plain), { journalPath: plain });
    const fromSnap = await sessionFromYaml(dir.path, yaml, { journalPath: journal });
    expect(full.restoredFromSnapshot).toBe(false);
    expect(fromSnap.restoredFromSnapshot).toBe(true);
    const view = (p: typeof pa) => ({ id: p.id, status: p.status, filled: p.filled, avg: p.avgPrice, fees: p.fees, children: [...p.children], working: p.working, open: p.openChildren, quantity: p.quantity });
    expect(view(fromSnap.algos!.parents.get(pa.id)!)).toEqual(view(full.algos!.parents.get(pa.id)!));
    expect(view(fromSnap.algos!.parents.get(pa.id)!)).toEqual(view(pa));
    full.loop.close();
    await full.close();

    const pb = fromSnap.algos!.parents.get(pa.id)!;
    runBacktest(fromSnap);
    await fromSnap.close();
    expect(pb.status).toBe("filled");
    const after = readJournal(journal).records;
    const kids = after.filter((r) => r.t === "order" && parentOfTag(r.tag) === pb.id) as { id: number; tag: string }[];
    const notes = kids.map((k) => /slice=(\d+)\/10/.exec(k.tag)![1]);
    expect(new Set(notes).size).toBe(notes.length);
    expect(fromSnap.core.portfolio.positionOf("user", pb.spec.instrument)).toBe(1_000_000);
  }, 60_000);

  test("cancel and amend of a parent reach its children; pause keeps them", async () => {
    const s = await sessionFromYaml(dir.path, syntheticYaml(user("iceberg", ", limitTicks: -20"), { seconds: 60, extra: EXECUTION }));
    s.core.resubmitOpen();
    s.core.host.start();
    s.loop.runUntil(START + 5_000_000);
    const p = [...s.algos!.parents.all()][0]!;
    expect(p.status).toBe("working");
    const first = s.core.oms.get(p.children[0]!)!;
    expect(first.status).toBe("working");
    expect(first.price).toBe(p.limitPrice);
    // Shown size is drawn within ±30% of the display size.
    expect(first.size).toBeGreaterThanOrEqual(70_000);
    expect(first.size).toBeLessThanOrEqual(130_000);

    expect(s.algos!.setPaused(p.id, true, "ops")).toBe(true);
    expect(p.status).toBe("paused");
    expect(first.status).toBe("working");
    expect(s.algos!.setPaused(p.id, false, "ops")).toBe(true);

    const newLimit = p.limitPrice - 5 * p.spec.side;
    expect(s.algos!.amend(p.id, { limitPrice: newLimit }, "ops")).toBe("");
    s.loop.runUntil(s.loop.clock.now() + 2_000_000);
    expect(first.status).toBe("canceled");
    const second = s.core.oms.get(p.children.at(-1)!)!;
    expect(second.id).not.toBe(first.id);
    expect(second.price).toBe(newLimit);
    expect(second.status).toBe("working");

    expect(s.algos!.amend(p.id, { quantity: 0 }, "ops")).toContain("ALGO_PARAMS_INVALID");
    expect(s.algos!.cancel(p.id, "ops")).toBe(true);
    expect(p.status).toBe("pending-cancel");
    s.loop.runUntil(s.loop.clock.now() + 1_000_000);
    expect(second.status).toBe("canceled");
    expect(p.status).toBe("canceled");
    expect(s.algos!.cancel(p.id, "ops")).toBe(false);
    s.loop.close();
    await s.close();
  }, 60_000);

  test("unknown algorithm and bad params give a rejected parent with the reason", async () => {
    const s = await sessionFromYaml(dir.path, syntheticYaml(`${user("vwap")}\n${user("twap", ", params: { slices: 0 }").replace("name: user", "name: user2")}`, { seconds: 30, extra: EXECUTION }));
    runBacktest(s);
    await s.close();
    const ps = [...s.algos!.parents.all()];
    expect(ps.length).toBe(2);
    expect(ps[0]!.status).toBe("rejected");
    expect(ps[0]!.reason).toBe("ALGO_UNKNOWN: algo=vwap known=twap,iceberg");
    expect(ps[1]!.status).toBe("rejected");
    expect(ps[1]!.reason).toContain("ALGO_PARAMS_INVALID: algo=twap params.slices: expected integer >= 1, got 0");
    expect(ps.every((p) => p.children.length === 0)).toBe(true);
  }, 60_000);
});
