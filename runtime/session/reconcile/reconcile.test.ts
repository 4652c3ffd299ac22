/**
 * Start-up reconciliation with a venue that keeps its own memory (the sim venue's state file),
 * through real restarts of a paper session: a journal that lost its last records to a crash is
 * brought level with the venue (missed fills applied, orders the venue finished finished, orders
 * it holds adopted or cancelled per policy), every difference alerted and journaled, and a second
 * restart finds nothing to do; an order journaled but never sent is cancelled or sent per policy.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import type { ReconcileRecord } from "../../journal/records.ts";
import type { SimVenue } from "../../../plugins/venues/sim/sim-venue.ts";
import { SimStateFile } from "../../../plugins/venues/sim/state-file.ts";
import type { Session } from "../build.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../test-session.ts";

const tmp = tempDir("kestrel-reconcile-");
afterAll(() => tmp.dispose());

const STRATEGIES = `  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, GBPUSD] }`;

function yaml(name: string, policy: string): string {
  return syntheticYaml(STRATEGIES, {
    pairs: "EURUSD, GBPUSD",
    seconds: 600,
    extra: `journal: { path: ${join(tmp.path, `${name}.journal`)}, fsync: never, snapshotEvery: 0 }\nreconcile: ${policy}`,
  })
    .replace("mode: backtest", "mode: paper")
    .replace("params: { orderLatencyUs: 100, reportLatencyUs: 100, jitterUs: 30 }", `params: { orderLatencyUs: 100, reportLatencyUs: 100, jitterUs: 30, stateFile: ${join(tmp.path, `${name}.venue.jsonl`)} }`);
}

async function open(name: string, policy: string): Promise<Session> {
  return sessionFromYaml(tmp.path, yaml(name, policy), { store: false });
}

function venueOf(s: Session): SimStateFile {
  return (s.core.venue as SimVenue).state!;
}

/** Runs the loop `steps` times `events` market events, flushing the journal after each, as the paced runner does. */
function run(s: Session, steps: number, events = 2_000): void {
  for (let i = 0; i < steps && !s.loop.exhausted; i++) {
    s.loop.runUntil(Infinity, events);
    s.journal!.flush();
  }
}

/** The restarted session's open orders agree with what the venue holds working, and its positions with the venue's. */
function expectLevel(s: Session): void {
  const venue = venueOf(s);
  const working = new Map(venue.working().map((o) => [o.id, SimStateFile.filled(o)]));
  const open = new Map([...s.core.oms.openOrders()].map((o) => [o.id, o.filled]));
  expect(open).toEqual(working);
  for (const i of s.instruments) expect(s.core.portfolio.position(i.id)).toBe(venue.positions.get(i.symbol) ?? 0);
}

test("a journal that lost its tail in a crash is brought level with the venue at restart, and a second restart finds nothing", async () => {
  const a = await open("tail", "{ missing: cancel, unknown: adopt }");
  expect(a.reconciled).not.toBeNull();
  expect(a.reconciled!.differences).toBe(0);
  a.core.resubmitOpen();
  a.core.host.start();
  run(a, 10);
  // Operator orders at the touch: they rest at the venue and fill after the crash point below.
  for (const i of a.instruments) {
    const book = a.core.books.books[i.id]!;
    a.core.submit("manual", { instrument: i.id, side: 1, type: "limit", price: book.bid, size: 200_000, tif: "GTC" });
    a.core.submit("manual", { instrument: i.id, side: -1, type: "limit", price: book.ask, size: 200_000, tif: "GTC" });
  }
  a.journal!.flush();
  // What reached the disk before the crash: the journal up to here. The session goes on trading
  // (the venue writes its memory as things happen there), then dies before its journal holds more.
  const kept = statSync(a.journal!.path).size;
  const fillsKept = a.core.portfolio.fillCount;
  run(a, 10);
  expect(a.core.portfolio.fillCount).toBeGreaterThan(fillsKept);
  a.loop.close();
  truncateSync(a.journal!.path, kept);

  const b = await open("tail", "{ missing: cancel, unknown: adopt }");
  const found = b.reconciled!;
  expect(found.differences).toBeGreaterThan(0);
  expect(found.missedFills).toBeGreaterThan(0);
  expect(found.unknown).toBeGreaterThan(0);
  expect(found.positionBreaks).toBe(0);
  expectLevel(b);
  // Every difference is an alert and a journal record.
  const codes = new Set(b.core.alerts.all().map((x) => x.code));
  expect(codes.has("RECONCILE_MISSED_FILL")).toBe(true);
  expect(codes.has("RECONCILE_UNKNOWN_ORDER")).toBe(true);
  const journaled = readJournal(b.journal!.path).records.filter((r): r is ReconcileRecord => r.t === "reconcile");
  expect(journaled.filter((r) => r.kind !== "summary").length).toBe(found.differences);
  // Adopted orders belong to the operator's book and keep their venue id; new ids come after them.
  const adopted = found.records.filter((r) => r.kind === "unknown").map((r) => r.orderId);
  for (const id of adopted) expect(b.core.oms.get(id)!.strategy).toBe("manual");
  expect(b.core.oms.orderIds.current).toBeGreaterThanOrEqual(Math.max(...adopted));
  // Nothing the venue holds is sent to it again.
  const sent: number[] = [];
  const venue = b.core.venue;
  const submit = venue.submit.bind(venue);
  venue.submit = (o) => {
    sent.push(o.id);
    submit(o);
  };
  expect(b.core.resubmitOpen()).toBe(0);
  expect(sent).toEqual([]);
  venue.submit = submit;
  b.core.host.start();
  run(b, 10);
  b.core.host.stop();
  b.loop.runUntil(b.loop.clock.now() + 2_000_000);
  b.journal!.close();
  b.core.venue.stop?.();
  b.loop.close();

  // The journal now holds what reconciliation did: a restart replays it and agrees with the venue.
  const c = await open("tail", "{ missing: cancel, unknown: adopt }");
  expect(c.reconciled!.differences).toBe(0);
  expectLevel(c);
  c.loop.close();
}, 60_000);

test("an order journaled but never sent is cancelled at restart under missing: cancel, and sent again under missing: resubmit", async () => {
  for (const policy of ["cancel", "resubmit"] as const) {
    const name = `missing-${policy}`;
    const a = await open(name, `{ missing: ${policy}, unknown: cancel }`);
    a.core.resubmitOpen();
    a.core.host.start();
    run(a, 5);
    const bid = a.core.books.books[0]!.bid;
    // Journaled and flushed; the process dies before the venue sees it (its arrival is 100 µs away).
    const id = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 500, size: 10_000, tif: "GTC" });
    a.journal!.flush();
    a.loop.close();
    expect(venueOf(a).orders.has(id)).toBe(false);

    const b = await open(name, `{ missing: ${policy}, unknown: cancel }`);
    const missing = b.reconciled!.records.filter((r) => r.kind === "missing");
    expect(missing.map((r) => [r.orderId, r.action])).toEqual([[id, policy]]);
    expect(b.core.alerts.all().some((x) => x.code === "RECONCILE_MISSING_ORDER" && x.subject === `order ${id}`)).toBe(true);
    if (policy === "cancel") {
      expect(b.core.oms.get(id)!.status).toBe("canceled");
      expect(b.core.resubmitOpen()).toBe(0);
    } else {
      expect(b.core.oms.get(id)!.status).toBe("pending");
      expect(b.core.resubmitOpen()).toBe(1);
      b.loop.runUntil(b.loop.clock.now() + 1_000);
      expect(venueOf(b).orders.get(id)?.state).toBe("working");
      expect(b.core.oms.get(id)!.status).toBe("working");
    }
    b.loop.close();
  }
}, 60_000);

test("the venue's memory survives a torn last line and a graceful stop rewrites it small", () => {
  const path = join(tmp.path, "torn.venue.jsonl");
  const f = new SimStateFile(path);
  f.order({ id: 1, symbol: "EURUSD", side: 1, type: "limit", tif: "GTC", price: 100, stopPrice: 0, size: 10, postOnly: false, triggered: true, expireTs: 0 });
  f.fill(1, { price: 100, size: 4, fee: 0, liquidity: "maker", ts: 1 });
  f.order({ id: 2, symbol: "EURUSD", side: -1, type: "limit", tif: "GTC", price: 101, stopPrice: 0, size: 5, postOnly: false, triggered: true, expireTs: 0 });
  f.fill(2, { price: 101, size: 5, fee: 0, liquidity: "maker", ts: 2 });
  writeFileSync(path, readFileSync(path, "utf8") + '{"e":"fill","id":1,"f":{"pri');
  const g = new SimStateFile(path);
  expect(g.tornTail).not.toBeNull();
  expect(g.working().map((o) => [o.id, SimStateFile.filled(o)])).toEqual([[1, 4]]);
  expect(g.positions.get("EURUSD")).toBe(-1);
  g.compact();
  const h = new SimStateFile(path);
  expect(h.working().map((o) => [o.id, SimStateFile.filled(o)])).toEqual([[1, 4]]);
  expect(h.orders.has(2)).toBe(false);
  expect(h.positions.get("EURUSD")).toBe(-1);
});
