/**
 * The coinbase venue in real sessions, against its exchange double on 127.0.0.1: a live session
 * whose orders are acknowledged, filled and cancelled at the double with every fill in the
 * portfolio and exactly the double's trades (through lost user events and disconnects of both
 * connections); and configs/coinbase-live.yaml as shipped, with URLs and keys from the environment.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Fill } from "../../plugins/sdk/orders.ts";
import { SPOT_FILES } from "../../plugins/venues/binance/testing/capture.ts";
import { until } from "../../plugins/venues/binance/testing/venue-context.ts";
import type { CoinbaseVenue } from "../../plugins/venues/coinbase/coinbase-venue.ts";
import { CoinbaseDouble } from "../../plugins/venues/coinbase/testing/exchange-double.ts";
import { expectPaperEnd, liveYaml, restartFindsOrders, sessionFromConfig } from "../../plugins/venues/shared/testing/live-session.ts";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, tempDir } from "./test-session.ts";

// Real sockets and the recorded capture on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(120_000);

const tmp = tempDir("kestrel-coinbase-");
const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  tmp.dispose();
});

test("a live session on the coinbase venue: orders acknowledged, filled and cancelled at the exchange double, every fill in the portfolio, through lost user events and disconnects", async () => {
  const double = CoinbaseDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 4 });
  stops.push(() => double.stop());
  process.env.KESTREL_TEST_COINBASE_KEY = double.keyName;
  process.env.KESTREL_TEST_COINBASE_PEM = double.privateKeyPem;
  const yaml = liveYaml({
    name: "coinbase-live",
    currency: "USD",
    instrument: "{ symbol: BTC-USD, base: BTC, quote: USD, priceDecimals: 2, sizeDecimals: 8, lotSize: 1, minSize: 1000 }",
    plugin: "coinbase",
    params: `{ restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", wsUserUrl: "${double.wsUserUrl}", apiKeyEnv: KESTREL_TEST_COINBASE_KEY, privateKeyEnv: KESTREL_TEST_COINBASE_PEM, reconnectMinMs: 20 }`,
    rt: "{ every: 15, size: 100000, awayTicks: 30000, cancelAfter: 5, maxOrders: 24 }",
  });
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const venue = s.core.venue as CoinbaseVenue;
  await venue.ready;
  const fills: Fill[] = [];
  s.core.listeners.fill = (f) => fills.push(f);
  const run = startRealtime(s, { forUs: 600_000_000 });
  // Mid-session: the user channel silently loses the next events, then both connections drop.
  await until(() => [...s.core.oms.all()].length >= 8, "eight orders", 60_000);
  const lostFrom = double.counters.userEvents;
  double.inject({ kind: "lose-user-events", count: 4 });
  await until(() => double.counters.userEvents >= lostFrom + 4, "four user events lost", 60_000);
  double.inject({ kind: "disconnect", streams: "both" });
  await until(() => [...s.core.oms.all()].length >= 24 && s.core.oms.openCount === 0, "all orders done", 30_000).catch((e) => {
    console.log([...s.core.oms.all()].filter((o) => o.status !== "filled" && o.status !== "canceled" && o.status !== "expired").map((o) => `${o.id} ${o.status} ${o.type} ${o.tif} ${o.reason}`), [...double.matching.orders.values()].map((o) => `${o.clientOrderId} ${o.status}`).join(","));
    throw e;
  });
  // Fills of orders already done at the double may still be on their way over REST.
  await until(() => fills.length === double.matching.trades.length, "every trade reported", 20_000);
  run.stop();
  const summary = await run.done;
  const orders = [...s.core.oms.all()];
  const statuses = orders.map((o) => o.status);
  expect(statuses).toContain("filled");
  expect(statuses).toContain("canceled");
  expect(orders.filter((o) => o.status === "rejected").map((o) => o.reason)).toEqual([]);
  expect(s.core.omsErrors).toBe(0);
  // Every trade at the double is one fill in the session, and the position is their sum.
  expect(summary.fills).toBe(fills.length);
  const signed = (side: string) => (side === "BUY" ? 1 : -1);
  const doublePosition = double.matching.trades.reduce((p, t) => p + signed(double.matching.orders.get(t.orderId)!.side) * t.qty, 0);
  expect(s.core.portfolio.position(0)).toBe(doublePosition);
  expect(s.core.portfolio.position(0)).toBe(fills.reduce((p, f) => p + f.side * f.size, 0));
  // Fees: the double's commission (quote currency, 8 decimals) to the money unit (10 decimals).
  expect(fills.reduce((a, f) => a + f.fee, 0)).toBe(double.matching.trades.reduce((a, t) => a + t.commission8 * 100, 0));
  expect(s.core.alerts.all().some((a) => a.code === "COINBASE_STREAM_DOWN")).toBe(true);
  expect(venue.orders!.counters.userReconnects).toBe(1);
  expect(venue.orders!.counters.refreshes).toBeGreaterThan(0);
  expect(double.authFailures).toEqual([]);
  await s.close();
});

test("configs/coinbase-live.yaml builds with URLs and keys from the environment: user channel connected, product increments loaded, book in sync against the double", async () => {
  const double = CoinbaseDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 20 });
  stops.push(() => double.stop());
  Object.assign(process.env, { COINBASE_API_KEY: double.keyName, COINBASE_PRIVATE_KEY: double.privateKeyPem.replace(/\n/g, "\\n") });
  const s = await sessionFromConfig("configs/coinbase-live.yaml", { COINBASE_REST_URL: double.restUrl, COINBASE_WS_URL: double.wsUrl, COINBASE_WS_USER_URL: double.wsUserUrl });
  const venue = s.core.venue as CoinbaseVenue;
  await venue.ready;
  expect(venue.orders?.connected).toBe(true);
  const run = startRealtime(s, { forUs: 600_000_000 });
  await until(() => venue.market.counters.quotes > 300 && venue.market.synced[0] === true, "market flowing", 60_000);
  run.stop();
  await run.done;
  expect(venue.orders!.rules[0]).toEqual({ baseStep: 1, priceStep: 1, baseMin: 1, quoteMin: 10_000_000_000 });
  expect(venue.market.counters.badFrames).toBe(0);
  expect(double.authFailures).toEqual([]);
  const book = s.core.books.books[0]!;
  expect(book.valid).toBe(true);
  expect(book.ask).toBeGreaterThan(book.bid);
  await s.close();
});

test("configs/coinbase-paper.yaml runs as shipped: the market through the coinbase plugin from the double, orders matched by the sim venue", async () => {
  const double = CoinbaseDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 20 });
  stops.push(() => double.stop());
  const s = await sessionFromConfig("configs/coinbase-paper.yaml", { COINBASE_PORT: String(double.port) });
  const venue = s.core.venue as CoinbaseVenue;
  expect(venue.sim).not.toBeNull();
  expect(venue.orders).toBeNull();
  const fills: Fill[] = [];
  s.core.listeners.fill = (f) => fills.push(f);
  const run = startRealtime(s, { forUs: 600_000_000 });
  await until(() => venue.market.counters.quotes > 500 && venue.market.synced[0] === true, "market flowing", 60_000);
  // An operator's market buy is matched by the sim venue against the Coinbase book, at its ask or worse.
  const ask = s.core.books.books[0]!.ask;
  s.core.submit("manual", { instrument: 0, side: 1, type: "market", size: 10_000 });
  const manual = () => fills.filter((f) => f.strategy === "manual");
  await until(() => manual().reduce((a, f) => a + f.size, 0) === 10_000, "the sim venue fills the market buy", 30_000);
  run.stop();
  const summary = await run.done;
  for (const buy of manual()) {
    expect(buy.price).toBeGreaterThanOrEqual(ask - 1_000);
    // The sim venue's taker fee (0.6%) on the fill's notional, in money units.
    expect(buy.fee).toBe(Math.round((buy.price * buy.size * 6000) / 1_000_000));
  }
  expect(summary.events).toBeGreaterThan(500);
  expect(venue.market.counters.badFrames).toBe(0);
  // The session's book is the plugin's (two-sided, uncrossed); paper trading stays in the sim venue.
  await expectPaperEnd(s, double);
});

test("a restart finds its orders at the exchange by client id (the earlier session's prefix): fills made while the session was down are applied once, working orders are taken back", async () => {
  const double = CoinbaseDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 4 });
  stops.push(() => double.stop());
  process.env.KESTREL_TEST_COINBASE_KEY = double.keyName;
  process.env.KESTREL_TEST_COINBASE_PEM = double.privateKeyPem;
  const journal = `${tmp.path}/restart.journal`;
  const yaml = liveYaml({
    name: "coinbase-restart",
    currency: "USD",
    instrument: "{ symbol: BTC-USD, base: BTC, quote: USD, priceDecimals: 2, sizeDecimals: 8, lotSize: 1, minSize: 1000 }",
    plugin: "coinbase",
    params: `{ restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", wsUserUrl: "${double.wsUserUrl}", apiKeyEnv: KESTREL_TEST_COINBASE_KEY, privateKeyEnv: KESTREL_TEST_COINBASE_PEM, reconnectMinMs: 20 }`,
    rt: "{ every: 100000000, size: 100000, maxOrders: 1 }",
    limits: "{ maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 200, maxDailyLoss: 100000, maxDrawdown: 100000 }",
    extra: `journal: { path: ${journal}, fsync: never }\nreconcile: { missing: alert, unknown: alert }`,
  });
  await restartFindsOrders({ dir: tmp.path, yaml, journal, double, synced: (s) => (s.core.venue as CoinbaseVenue).market.synced[0] === true });
});
