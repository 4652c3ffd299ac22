import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-feed-");
afterAll(() => tmp.dispose());

test("a venue's own feed is stamped on arrival, dispatched at once, and its quotes drive strategies and tick-to-order timing", async () => {
  const yaml = `name: feed
mode: live
seed: 1
account: { currency: USD }
instruments: [ { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 } ]
market: { source: venue }
venue: { name: lp, plugin: ${resolve(import.meta.dir, "fixtures/push-venue.ts")} }
strategies:
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD], params: { entryImbalance: 0.0001, strongImbalance: 0.0002, maxSpreadTicks: 5, cooldownUs: 1000, maxHoldUs: 20000 } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 1000, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
`;
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const run = startRealtime(s, { forUs: 1_500_000 });
  const summary = await run.done;
  expect(summary.events).toBeGreaterThan(100);
  expect(s.feed.dropped).toBe(0);
  expect(summary.orders).toBeGreaterThan(0);
  expect(summary.fills).toBeGreaterThan(0);
  expect(summary.tickToOrderNs.count).toBeGreaterThan(0);
}, 30_000);
