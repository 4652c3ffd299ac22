/** The bench's warm pass (bench/idle-warm.ts) reads every instrument's book and feature vector and changes nothing. */
import { afterAll, expect, test } from "bun:test";
import { warmPass } from "./idle-warm.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../runtime/session/test-session.ts";

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

