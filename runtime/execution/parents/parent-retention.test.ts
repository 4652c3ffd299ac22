/**
 * Finished parent orders leave memory: a session that hands over many short parents keeps the open
 * ones and the newest `retainFinished` finished ones (with their child links and TCA accumulators),
 * however many it made; a dropped parent is read back from the journal with the status, fills,
 * average price, fees, children and reason the session last had; the store/summary rows still list
 * every parent. Counts, not times.
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";
import { summarize } from "../../session/summary.ts";
import { parentFromJournal } from "./parent-from-journal.ts";
import { parentRoutes } from "../../admin/routes/parents.ts";
import type { Reply } from "../../admin/http/reply.ts";

const REPEATER = resolve(import.meta.dir, "fixtures/parent-repeater.ts");
const tmp = tempDir("kestrel-parent-retention-");
afterAll(() => tmp.dispose());

const RETAIN = 8;
const EXECUTION = `execution:
  algos:
    - { name: twap, plugin: twap, params: { durationSeconds: 2, slices: 2, style: take } }
`;
const STRATEGY = `  - { name: rep, plugin: ${JSON.stringify(REPEATER)}, isolate: false, instruments: [EURUSD], params: { algo: twap, everyQuotes: 100, rejectEvery: 7 } }`;

test("finished parents past the retention leave memory and are read back from the journal", async () => {
  const journal = `${tmp.path}/parents.journal`;
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGY, { seconds: 240, extra: `${EXECUTION}journal: { path: ${journal}, fsync: never }` }), { store: false });
  const { loop, core } = s;
  const algos = s.algos!;
  algos.parents.retainFinished = RETAIN;
  // What each parent looked like when it left memory (what a read-back must give).
  const last = new Map<number, Record<string, unknown>>();
  const evict = algos.parents.onEvict!;
  algos.parents.onEvict = (p) => {
    last.set(p.id, p.toJSON());
    evict(p);
  };
  core.resubmitOpen();
  core.host.start();
  let maxHeld = 0;
  while (!loop.exhausted) {
    loop.runUntil(Infinity, 2_000);
    const open = algos.parents.open().length;
    maxHeld = Math.max(maxHeld, algos.parents.size);
    expect(algos.parents.size).toBeLessThanOrEqual(RETAIN + open);
    // Child links only of the parents held.
    let kids = 0;
    for (const p of algos.parents.all()) kids += p.children.length;
    expect(algos.parents.links).toBeLessThanOrEqual(kids);
  }
  core.host.stop();
  loop.runUntil(Infinity);
  s.journal!.flush();

  const made = algos.parents.ids.current;
  console.log(`parents=${made} evicted=${algos.parents.evicted} maxHeld=${maxHeld}`);
  expect(made).toBeGreaterThan(10 * RETAIN);
  expect(algos.parents.evicted).toBeGreaterThan(made - RETAIN - maxHeld);
  expect(algos.parents.get(1)).toBeUndefined();
  expect(algos.parents.forgotten(1)).toBe(true);
  expect(algos.parents.forgotten(made + 1)).toBe(false);
  // The summary (a backtest's results) still has every parent's TCA, in id order.
  const rows = summarize(s, 1).parents as { id: number }[];
  expect(rows.map((r) => r.id)).toEqual(Array.from({ length: made }, (_, i) => i + 1));

  const statuses = new Set<string>();
  const selfFinishing = () => false;
  for (const [id, want] of last) {
    const got = parentFromJournal(s.journal!.index, id, selfFinishing);
    expect(got).not.toBeNull();
    const j = got!.parent.toJSON();
    const pick = (x: Record<string, unknown>) => ({ id: x.id, status: x.status, quantity: x.quantity, filled: x.filled, avgPrice: x.avgPrice, fees: x.fees, children: x.children, reason: x.reason, side: x.side, algo: x.algo });
    expect(pick(j)).toEqual(pick(want));
    expect(got!.children.map((o) => o.id)).toEqual(want.children as number[]);
    statuses.add(String(want.status));
  }
  // Both filled parents and refused ones went through eviction and read-back.
  expect(statuses.has("filled")).toBe(true);
  expect(statuses.has("rejected")).toBe(true);
  expect(parentFromJournal(s.journal!.index, made + 5, selfFinishing)).toBeNull();

  // The admin API answers for a dropped parent from the journal; a command on it is refused (409).
  const routes = parentRoutes();
  const route = (method: string, path: string) => routes.find((r) => r.method === method && r.path === path)!;
  const call = (method: string, path: string, id: number) => route(method, path).handle({ session: s, params: { id }, run: { syncClock: () => {} }, principal: { subject: "t" } } as never) as Reply;
  const first = [...last.keys()][0]!;
  const one = call("GET", "/api/v1/parents/{id}", first);
  expect(one.status).toBe(200);
  const body = one.body as { parent: { id: number; status: string; children: { id: number; status?: string }[] }; fromJournal: boolean };
  expect(body.fromJournal).toBe(true);
  expect(body.parent.status).toBe(last.get(first)!.status as string);
  expect(body.parent.children.map((c) => c.id)).toEqual(last.get(first)!.children as number[]);
  expect(body.parent.children.every((c) => c.status !== undefined)).toBe(true);
  expect(call("POST", "/api/v1/parents/{id}/cancel", first).status).toBe(409);
  expect(call("GET", "/api/v1/parents/{id}", made + 5).status).toBe(404);
  s.loop.close();
  await s.close();
}, 120_000);
