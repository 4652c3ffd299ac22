/**
 * The coinbase venue in real sessions, against its exchange double on 127.0.0.1: a live session
 * whose orders are acknowledged, filled and cancelled at the double with every fill in the
 * portfolio and exactly the double's trades (through lost user events and disconnects of both
 * connections); and configs/coinbase-live.yaml as shipped, with URLs and keys from the environment.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { readJournal } from "../journal/journal-file.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import { SPOT_FILES } from "../../plugins/venues/binance/testing/capture.ts";
import { until } from "../../plugins/venues/binance/testing/venue-context.ts";
import type { CoinbaseVenue } from "../../plugins/venues/coinbase/coinbase-venue.ts";
import { CoinbaseDouble } from "../../plugins/venues/coinbase/testing/exchange-double.ts";
import { buildSession } from "./build.ts";
import { startRealtime } from "./realtime.ts";
import { REPO_ROOT, sessionFromYaml, tempDir } from "./test-session.ts";

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
  const yaml = `name: coinbase-live
mode: live
seed: 1
account: { currency: USD, capital: 100000 }
instruments:
  - { symbol: BTC-USD, base: BTC, quote: USD, priceDecimals: 2, sizeDecimals: 8, lotSize: 1, minSize: 1000 }
market: { source: venue }
venue:
  name: coinbase
  plugin: coinbase
  params: { restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", wsUserUrl: "${double.wsUserUrl}", apiKeyEnv: KESTREL_TEST_COINBASE_KEY, privateKeyEnv: KESTREL_TEST_COINBASE_PEM, reconnectMinMs: 20 }
strategies:
  - { name: rt, plugin: ${resolve(REPO_ROOT, "plugins/venues/binance/testing/round-trip-strategy.ts")}, instruments: [BTC-USD], params: { every: 15, size: 100000, awayTicks: 30000, cancelAfter: 5, maxOrders: 24 } }
risk:
  limits: { maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
`;
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
  const file = resolve(REPO_ROOT, "configs/coinbase-live.yaml");
  const env = { COINBASE_REST_URL: double.restUrl, COINBASE_WS_URL: double.wsUrl, COINBASE_WS_USER_URL: double.wsUserUrl };
  Object.assign(process.env, { COINBASE_API_KEY: double.keyName, COINBASE_PRIVATE_KEY: double.privateKeyPem.replace(/\n/g, "\\n") });
  const loaded = loadConfig(file, { ...process.env, ...env });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
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
  const file = resolve(REPO_ROOT, "configs/coinbase-paper.yaml");
  const loaded = loadConfig(file, { ...process.env, COINBASE_PORT: String(double.port) });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
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
  const book = s.core.books.books[0]!;
  expect(book.valid).toBe(true);
  expect(book.ask).toBeGreaterThan(book.bid);
  // No order reached the exchange: paper trading stays in the sim venue.
  expect(double.matching.orders.size).toBe(0);
  await s.close();
});

test("a restart finds its orders at the exchange by client id (the earlier session's prefix): fills made while the session was down are applied once, working orders are taken back", async () => {
  const double = CoinbaseDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 4 });
  stops.push(() => double.stop());
  process.env.KESTREL_TEST_COINBASE_KEY = double.keyName;
  process.env.KESTREL_TEST_COINBASE_PEM = double.privateKeyPem;
  const journal = `${tmp.path}/restart.journal`;
  const yaml = `name: coinbase-restart
mode: live
seed: 1
account: { currency: USD, capital: 100000 }
instruments:
  - { symbol: BTC-USD, base: BTC, quote: USD, priceDecimals: 2, sizeDecimals: 8, lotSize: 1, minSize: 1000 }
market: { source: venue }
venue:
  name: coinbase
  plugin: coinbase
  params: { restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", wsUserUrl: "${double.wsUserUrl}", apiKeyEnv: KESTREL_TEST_COINBASE_KEY, privateKeyEnv: KESTREL_TEST_COINBASE_PEM, reconnectMinMs: 20 }
strategies:
  - { name: rt, plugin: ${resolve(REPO_ROOT, "plugins/venues/binance/testing/round-trip-strategy.ts")}, instruments: [BTC-USD], params: { every: 100000000, size: 100000, maxOrders: 1 } }
risk:
  limits: { maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 200, maxDailyLoss: 100000, maxDrawdown: 100000 }
journal: { path: ${journal}, fsync: never }
reconcile: { missing: alert, unknown: alert }
`;
  const a = await sessionFromYaml(tmp.path, yaml);
  const va = a.core.venue as CoinbaseVenue;
  await va.ready;
  const runA = startRealtime(a, { forUs: 600_000_000 });
  await until(() => va.market.synced[0] === true && a.core.books.books[0]!.valid, "book in sync", 60_000);
  const { bid, ask } = a.core.books.books[0]!;
  const partly = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 20_000, size: 300_000, tif: "GTC" });
  const filled = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 30_000, size: 200_000, tif: "GTC" });
  const untouched = a.core.submit("manual", { instrument: 0, side: -1, type: "limit", price: ask + 30_000, size: 200_000, tif: "GTC" });
  await until(() => [partly, filled, untouched].every((id) => a.core.oms.get(id)!.status === "working"), "three orders working");
  const clientId = (id: number) => [...double.matching.byClientId.keys()].find((k) => k.endsWith(`-${id}`))!;
  double.inject({ kind: "fill", clientOrderId: clientId(partly), qty: 100_000 });
  await until(() => a.core.portfolio.position(0) === 100_000, "a fill reported live");
  // The process dies: nothing more is sent (no cancels on the way out).
  (a.core as { cancelAll: unknown }).cancelAll = () => 0;
  runA.stop();
  await runA.done;
  double.inject({ kind: "fill", clientOrderId: clientId(partly), qty: 100_000 });
  double.inject({ kind: "fill", clientOrderId: clientId(filled) });

  const b = await sessionFromYaml(tmp.path, yaml);
  const vb = b.core.venue as CoinbaseVenue;
  expect(b.reconciled).not.toBeNull();
  expect(b.reconciled!.missedFills).toBe(2);
  expect(b.reconciled!.unknown).toBe(0);
  expect(b.reconciled!.missing).toBe(0);
  expect(b.core.portfolio.position(0)).toBe(400_000);
  expect(b.core.oms.get(filled)!.status).toBe("filled");
  expect(b.core.oms.get(partly)!.status).toBe("partially-filled");
  const runB = startRealtime(b, { forUs: 600_000_000 });
  await until(() => vb.orders!.connected, "user channel up");
  double.inject({ kind: "fill", clientOrderId: clientId(partly) });
  await until(() => b.core.oms.get(partly)!.status === "filled", "the rest of the partly filled order");
  b.core.cancel(null, untouched);
  await until(() => b.core.oms.get(untouched)!.status === "canceled", "cancel after the restart");
  expect(double.matching.byClientId.get(clientId(untouched))!.status).toBe("CANCELED");
  runB.stop();
  await runB.done;
  expect(b.core.omsErrors).toBe(0);
  const fillRecords = readJournal(journal).records.filter((r) => r.t === "report" && r.report.kind === "fill");
  expect(fillRecords.length).toBe(double.matching.trades.length);
  expect(b.core.portfolio.position(0)).toBe(500_000);
  await b.close();
});
