/**
 * Bounded state in long sessions: finished orders leave the OMS's memory once more than its
 * retention finished after them, however many orders the session makes; the venue's and the
 * multi-venue router's per-order maps hold only open orders; the journal's order index grows by one
 * block per `stride` orders; and an order no longer in memory is read back from the journal through
 * the index (same status, fills and price as the session last reported it) without decoding the
 * whole file — also from a journal written by an earlier run (the index scans that part once).
 * Alerts and the sim venue's own memory (state file) are bounded too. Counts, not times.
 */
import { afterAll, expect, test } from "bun:test";
import type { OrderView } from "../../plugins/sdk/orders.ts";
import { readJournal } from "../journal/journal-file.ts";
import { JournalOrderIndex, orderFromRecords } from "../journal/order-index.ts";
import { explainOrder } from "../audit/explain.ts";
import { Alerts } from "../kernel/alerts.ts";
import { readFileSync } from "node:fs";
import { SimStateFile } from "../../plugins/venues/sim/state-file.ts";
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

test("alerts about ever new subjects (one per order) keep at most twice the newest `keep`", () => {
  const alerts = new Alerts(100);
  for (let i = 1; i <= 1_000; i++) alerts.raise(i, "RECONCILE_MISSING_ORDER", "warning", `order ${i}`, `order=${i}`);
  expect(alerts.all().length).toBeLessThan(200);
  expect(alerts.all().length).toBeGreaterThanOrEqual(100);
  expect(alerts.all().at(-1)!.subject).toBe("order 1000");
  expect(alerts.dropped + alerts.all().length).toBe(1_000);
  // A recent open alert is still de-duplicated; a dropped one can be raised again.
  expect(alerts.raise(2_000, "RECONCILE_MISSING_ORDER", "warning", "order 999", "again").id).toBe(999);
  expect(alerts.raise(2_001, "RECONCILE_MISSING_ORDER", "warning", "order 1", "again").id).toBe(1_001);
});

test("the sim venue's memory and state file stay bounded over many orders, and reload to the same positions and working orders", () => {
  const path = `${tmp.path}/venue-state.jsonl`;
  const state = new SimStateFile(path, 50, 500);
  let net = 0;
  for (let id = 1; id <= 3_000; id++) {
    const side = id % 3 === 0 ? -1 : 1;
    state.order({ id, symbol: "EURUSD", side, type: "limit", tif: "GTC", price: 108_000 + (id % 7), stopPrice: 0, size: 1_000, postOnly: false, triggered: false, expireTs: 0 });
    if (id % 10 === 0) continue; // stays working
    state.fill(id, { price: 108_000, size: id % 4 === 0 ? 400 : 1_000, ts: id, fee: 0, liquidity: "maker" });
    net += side * (id % 4 === 0 ? 400 : 1_000);
    if (id % 4 === 0) state.end(id, "canceled");
    expect(state.orders.size).toBeLessThanOrEqual(100 + 300);
  }
  expect(state.positions.get("EURUSD")).toBe(net);
  expect(state.working().length).toBe(300);
  const lines = readFileSync(path, "utf8").split("\n").length;
  expect(lines).toBeLessThan(500 + 2 * (100 + 300) + 10);
  const reloaded = new SimStateFile(path, 50, 500);
  expect(reloaded.positions.get("EURUSD")).toBe(net);
  expect(reloaded.working().map((o) => o.id)).toEqual(state.working().map((o) => o.id));
  // The newest finished orders are still known with their fills and end state.
  expect(reloaded.orders.get(2_999)?.state).toBe("filled");
  expect(reloaded.orders.get(2_996)?.state).toBe("canceled");
  expect(SimStateFile.filled(reloaded.orders.get(2_996)!)).toBe(400);
  expect(reloaded.orders.get(1)).toBeUndefined();
});
