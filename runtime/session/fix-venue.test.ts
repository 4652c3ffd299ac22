/**
 * The FIX venue end to end: a paper strategy trades on the consolidated quotes of two liquidity
 * providers, each a real QuickFIX C++ acceptor on loopback. Fills come back through the OMS into
 * the portfolio, and the portfolio reconciles with the fills.
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { QuickFixAcceptor } from "../../plugins/venues/fix44/testing/quickfix.ts";
import type { FixVenue } from "../../plugins/venues/fix44/fix-venue.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, tempDir } from "./test-session.ts";
import { needsTools } from "../testing/system-tools.ts";
import { fixLiveYaml } from "../testing/fix-live-yaml.ts";

const tmp = tempDir("kestrel-fixvenue-");
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
  tmp.dispose();
});


test.skipIf(!needsTools("session: two QuickFIX providers", "quickfix"))("a strategy trades on two QuickFIX liquidity providers' consolidated quotes, and every fill lands in the portfolio", async () => {
  const lp1 = await QuickFixAcceptor.start("LP1", "KESTREL");
  stops.push(() => lp1.stop());
  const lp2 = await QuickFixAcceptor.start("LP2", "KESTREL");
  stops.push(() => lp2.stop());
  const yaml = fixLiveYaml({
    name: "fix-paper",
    venue: "lps",
    sessions: [
      { name: "lp1", port: lp1.port, target: "LP1" },
      { name: "lp2", port: lp2.port, target: "LP2" },
    ],
    strategies: [`{ name: taker, plugin: ${resolve(import.meta.dir, "fixtures/taker-strategy.ts")}, instruments: [EURUSD], params: { every: 3, size: 100000 } }`],
  });
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const fills: Fill[] = [];
  s.core.listeners.fill = (f) => fills.push(f);
  const venue = s.core.venue as FixVenue;
  const run = startRealtime(s, { forUs: 4_000_000 });
  const summary = await run.done;
  expect([...venue.connected].sort()).toEqual(["lp1", "lp2"]);
  expect(summary.events).toBeGreaterThan(10);
  expect(summary.orders).toBeGreaterThan(2);
  expect(summary.fills).toBeGreaterThan(0);
  expect(summary.fills).toBe(fills.length);
  const position = fills.reduce((p, f) => p + f.side * f.size, 0);
  expect(s.core.portfolio.position(0)).toBe(position);
  // Every order reached a terminal state through checked transitions.
  expect(s.core.omsErrors).toBe(0);
  expect(s.core.oms.openCount).toBe(0);
}, 60_000);
