/** The real-time loop's idle hook: called between events while busy polling, and the session trades as without it. */
import { afterAll, expect, test } from "bun:test";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-idle-hook-");
afterAll(() => tmp.dispose());

const MM = `  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP] }`;

test("a busy-polling run calls the idle hook between events and trades as without it", async () => {
  const runOnce = async (hook: boolean) => {
    const s = await sessionFromYaml(tmp.path, syntheticYaml(MM, { seconds: 120, extra: "" }), { mode: "paper", journalPath: "", store: false });
    let idle = 0;
    const run = startRealtime(s, { forUs: 400_000, speed: 200, busyPoll: true, spinMs: 2, ...(hook ? { onIdle: () => idle++ } : {}) });
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
