import { afterAll, expect, test } from "bun:test";
import { warmPass } from "./idle-warm.ts";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-idle-warm-");
afterAll(() => tmp.dispose());

const MM = `  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP] }`;

/** Everything the pass may read, as plain values. */
function state(s: Awaited<ReturnType<typeof sessionFromYaml>>): string {
  return JSON.stringify({
    books: s.core.books.books.map((b) => [b.ts, b.bid, b.ask, b.bidSize, b.askSize, b.mid2, b.valid]),
    features: s.instruments.map((i) => [...s.core.features.values(i.id)].map((v) => (Number.isNaN(v) ? "NaN" : v))),
  });
}

test("the warm pass reads every instrument's book and changes nothing", async () => {
  const s = await sessionFromYaml(tmp.path, syntheticYaml(MM, { seconds: 30 }));
  s.core.host.start();
  s.loop.runUntil(Infinity, 2_000);
  const before = state(s);
  const warm = warmPass(s);
  let last = 0;
  for (let i = 0; i < 50; i++) last = warm();
  expect(state(s)).toBe(before);
  expect(Number.isFinite(last)).toBe(true);
  // The pass reaches the last instrument: a change to its book changes what a full cycle reads.
  const again = warmPass(s);
  const cycle = (w: () => number) => {
    let v = 0;
    for (let i = 0; i < s.instruments.length; i++) v = w();
    return v;
  };
  const a = cycle(again);
  const lastBook = s.core.books.books[s.instruments.length - 1]!;
  lastBook.bid += 1;
  const b = cycle(again);
  lastBook.bid -= 1;
  expect(b).not.toBe(a);
  await s.close();
}, 60_000);

test("a busy-polling run calls the idle hook between events and trades as without it", async () => {
  const runOnce = async (hook: boolean) => {
    const s = await sessionFromYaml(tmp.path, syntheticYaml(MM, { seconds: 120, extra: "" }), { mode: "paper", journalPath: "", store: false });
    let idle = 0;
    const run = startRealtime(s, { forUs: 400_000, speed: 200, busyPoll: true, spinMs: 2, ...(hook ? { onIdle: () => idle++, warmIdle: true } : {}) });
    const summary = await run.done;
    await s.close();
    return { idle, summary, events: s.loop.marketEvents };
  };
  const off = await runOnce(false);
  const on = await runOnce(true);
  expect(off.idle).toBe(0);
  expect(on.idle).toBeGreaterThan(0);
  // Both ran the market in real time (speed 200 for 0.4 s: about 80 s of a 200-quote/s market).
  expect(on.events).toBeGreaterThan(1_000);
  expect(off.events).toBeGreaterThan(1_000);
  expect(on.summary.orders).toBeGreaterThan(0);
  expect(off.summary.orders).toBeGreaterThan(0);
}, 60_000);
