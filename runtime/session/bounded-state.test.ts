/**
 * Bounded state in long sessions: finished orders leave the OMS's memory once more than its
 * retention finished after them, however many orders the session makes; the venue's and the
 * multi-venue router's per-order maps hold only open orders; the journal's order index grows by one
 * block per `stride` orders; and an order no longer in memory is read back from the journal through
 * the index (same status, fills and price as the session last reported it) without decoding the
 * whole file — also from a journal written by an earlier run (the index scans that part once).
 * Counts, not times.
 */
import { afterAll, expect, test } from "bun:test";
import type { OrderView } from "../../plugins/sdk/orders.ts";
import { readJournal } from "../journal/journal-file.ts";
import { JournalOrderIndex, orderFromRecords } from "../journal/order-index.ts";
import { explainOrder } from "../audit/explain.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-bounded-");
afterAll(() => tmp.dispose());

const RETAIN = 60;
const STRATEGIES = `  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD, GBPUSD], params: { requoteTicks: 1, minQuoteLifeUs: 50000 } }
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }`;

test("a long session keeps its order maps bounded and reads dropped orders back from the journal", async () => {
  const journal = `${tmp.path}/bounded.journal`;
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 200, extra: `journal: { path: ${journal}, fsync: never }` }), { store: false });
  const { loop, core } = s;
  core.oms.retainFinished = RETAIN;
  // The last view the session reported of every order (what a lookup must give back).
  const last = new Map<number, OrderView>();
  core.listeners = { ...core.listeners, order: (o) => void last.set(o.id, { ...o }) };
  core.resubmitOpen();
  core.host.start();
  let maxHeld = 0;
  let maxOpen = 0;
  while (!loop.exhausted) {
    loop.runUntil(Infinity, 5_000);
    s.journal!.flush();
    maxHeld = Math.max(maxHeld, core.oms.size);
    maxOpen = Math.max(maxOpen, core.oms.openCount);
    expect(core.oms.size).toBeLessThanOrEqual(RETAIN + core.oms.openCount);
  }
  core.host.stop();
  loop.runUntil(Infinity);
  s.journal!.flush();

  console.log(`orders=${core.oms.created} evicted=${core.oms.evicted} records=${s.journal!.appended}`);
  // Long enough that nearly every order left memory.
  expect(core.oms.created).toBeGreaterThan(20 * RETAIN);
  expect(core.oms.evicted).toBeGreaterThan(core.oms.created - RETAIN - maxOpen - 1);
  expect(maxHeld).toBeLessThanOrEqual(RETAIN + maxOpen);
  const index = s.journal!.index;
  expect(index.blocks).toBeLessThanOrEqual(Math.ceil(core.oms.created / 256) + 2);

  const all = readJournal(journal).records;
  const firstId = 1;
  expect(core.oms.get(firstId)).toBeUndefined();
  expect(core.oms.forgotten(firstId)).toBe(true);
  // Every 97th dropped order, and the first and last of them, read back equal to what the session reported.
  const ids = [...last.keys()].filter((id) => core.oms.get(id) === undefined);
  const sample = [ids[0]!, ...ids.filter((_, i) => i % 211 === 0), ids.at(-1)!];
  const before = index.decodedFrames;
  for (const id of sample) {
    const found = index.lookup(id);
    expect(found).not.toBeNull();
    const o = orderFromRecords(found!);
    const want = last.get(id)!;
    expect({ id: o.id, status: o.status, filled: o.filled, price: o.price, size: o.size, strategy: o.strategy, reason: o.reason }).toEqual({
      id: want.id,
      status: want.status,
      filled: want.filled,
      price: want.price,
      size: want.size,
      strategy: want.strategy,
      reason: want.reason,
    });
    // The explanation from the index equals the one from the whole journal (a few of them: each reads everything).
    if (id % 5 !== 0) continue;
    const fromIndex = explainOrder([...(found!.parent === null ? [] : [found!.parent]), found!.order, ...found!.records], id, null);
    expect(fromIndex).toEqual(explainOrder(all, id, null));
  }
  // Each lookup decoded a few hundred frames at most, not the journal.
  expect((index.decodedFrames - before) / sample.length).toBeLessThan(all.length / 20);
  expect(index.lookup(core.oms.orderIds.current + 1000)).toBeNull();

  // A later run's index starts after this run's records: it finds them by scanning that part once.
  const fileEnd = Bun.file(journal).size;
  const later = new JournalOrderIndex(journal, fileEnd);
  expect(later.blocks).toBe(0);
  const again = later.lookup(ids[0]!);
  expect(again?.order.id).toBe(ids[0]!);
  expect(orderFromRecords(again!).status).toBe(last.get(ids[0]!)!.status);
  expect(later.blocks).toBeGreaterThan(0);
  await s.close();
}, 180_000);
