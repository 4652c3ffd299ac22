/**
 * The binance venue in real sessions, against the exchange double on 127.0.0.1: a live session
 * whose orders are acknowledged, filled and cancelled at the double with every fill in the
 * portfolio and exactly the double's trades; and configs/binance-paper.yaml as shipped (market
 * through the binance plugin, orders matched by the sim venue).
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { readJournal } from "../journal/journal-file.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import type { BinanceVenue } from "../../plugins/venues/binance/binance-venue.ts";
import { SPOT_FILES, USDM_FILES } from "../../plugins/venues/binance/testing/capture.ts";
import { BinanceDouble } from "../../plugins/venues/binance/testing/exchange-double.ts";
import { until } from "../../plugins/venues/binance/testing/venue-context.ts";
import { expectPaperEnd, liveYaml, restartFindsOrders, sessionFromConfig } from "../../plugins/venues/shared/testing/live-session.ts";
import { positionRows } from "../admin/routes/portfolio.ts";
import { parseScaled } from "../../plugins/sdk/decimal.ts";
import { startRealtime } from "./realtime.ts";
import { sessionFromYaml, tempDir } from "./test-session.ts";

// Real sockets and the recorded capture on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(120_000);

const tmp = tempDir("kestrel-binance-");
const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  tmp.dispose();
});

test("a live session on the binance venue: orders acknowledged, filled and cancelled at the exchange double, every fill in the portfolio, through lost user events and disconnects", async () => {
  const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 4 });
  stops.push(() => double.stop());
  process.env.KESTREL_TEST_BINANCE_KEY = double.apiKey;
  process.env.KESTREL_TEST_BINANCE_SECRET = double.secret;
  const yaml = liveYaml({
    name: "binance-live",
    currency: "USDT",
    instrument: "{ symbol: BTCUSDT, base: BTC, quote: USDT, priceDecimals: 2, sizeDecimals: 8, lotSize: 1000, minSize: 1000 }",
    plugin: "binance",
    params: `{ restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", apiKeyEnv: KESTREL_TEST_BINANCE_KEY, secretKeyEnv: KESTREL_TEST_BINANCE_SECRET, reconnectMinMs: 20 }`,
    rt: "{ every: 15, size: 100000, awayTicks: 30000, cancelAfter: 5, maxOrders: 24 }",
  });
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const venue = s.core.venue as BinanceVenue;
  await venue.ready;
  const fills: Fill[] = [];
  s.core.listeners.fill = (f) => fills.push(f);
  const run = startRealtime(s, { forUs: 600_000_000 });
  // Mid-session: the user stream silently loses the next events, then both streams drop.
  await until(() => [...s.core.oms.all()].length >= 8, "eight orders", 60_000);
  const lostFrom = double.counters.userEvents;
  double.inject({ kind: "lose-user-events", count: 4 });
  await until(() => double.counters.userEvents >= lostFrom + 4, "four user events lost", 60_000);
  // The reconnect reconciles the orders still open then (none open: nothing to reconcile), so
  // the streams drop while one is.
  await until(() => s.core.oms.openCount > 0, "an order open", 60_000);
  double.inject({ kind: "disconnect", streams: "both" });
  // Trade until the strategy has sent all its orders and each has reached a terminal state.
  await until(() => [...s.core.oms.all()].length >= 24 && s.core.oms.openCount === 0, "all orders done", 20_000).catch((e) => {
    console.log([...s.core.oms.all()].filter((o) => o.status !== "filled" && o.status !== "canceled" && o.status !== "expired").map((o) => `${o.id} ${o.status} ${o.type} ${o.tif} ${o.reason}`), [...s.core.oms.all()].length, double.matching.orders.size, [...double.matching.orders.values()].map((o) => `${o.clientOrderId} ${o.status}`).join(","));
    throw e;
  });
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
  expect(fills.length).toBe(double.matching.trades.length);
  const signed = (side: string) => (side === "BUY" ? 1 : -1);
  const doublePosition = double.matching.trades.reduce((p, t) => p + signed(double.matching.orders.get(t.orderId)!.side) * t.qty, 0);
  expect(s.core.portfolio.position(0)).toBe(doublePosition);
  expect(s.core.portfolio.position(0)).toBe(fills.reduce((p, f) => p + f.side * f.size, 0));
  // Fees: the double's commission (0.1%, quote asset) to the unit.
  expect(fills.reduce((a, f) => a + f.fee, 0)).toBe(double.matching.trades.reduce((a, t) => a + t.commission8 * 100, 0));
  expect(summary.tickToOrderNs.count).toBeGreaterThan(0);
  // The outage was raised (the session shows one open alert per code), the book resynced after
  // the reconnect and the orders were reconciled over REST.
  expect(s.core.alerts.all().some((a) => a.code === "BINANCE_STREAM_DOWN")).toBe(true);
  expect(venue.market.counters.resyncs).toBeGreaterThanOrEqual(2);
  expect(venue.orders!.counters.userReconnects).toBe(1);
  // Each order open at the reconnect (its alert counts them) is settled either by the open-orders
  // list or by a read of its own. One open at the drop may finish before the stream is back (a
  // cancel's answer comes over REST): then there is nothing to reconcile, and the fills and
  // positions above are what show that no report was lost.
  const reconcile = s.core.alerts.all().find((a) => a.code === "BINANCE_RECONCILE");
  const openAtReconnect = reconcile === undefined ? 0 : Number(/open_orders=(\d+)/.exec(reconcile.message)?.[1]);
  expect(venue.orders!.counters.reconciles + venue.orders!.counters.openListed).toBeGreaterThanOrEqual(openAtReconnect);
  await s.close();
});

test("configs/binance-paper.yaml runs as shipped: the market through the binance plugin from the double, orders matched by the sim venue", async () => {
  const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 20 });
  stops.push(() => double.stop());
  const s = await sessionFromConfig("configs/binance-paper.yaml", { BINANCE_PORT: String(double.port) });
  const venue = s.core.venue as BinanceVenue;
  const run = startRealtime(s, { forUs: 600_000_000 });
  await until(() => venue.market.counters.quotes > 2_000 && venue.market.syncs[0]!.state === "synced", "market flowing", 60_000);
  run.stop();
  const summary = await run.done;
  expect(venue.sim).not.toBeNull();
  expect(venue.orders).toBeNull();
  expect(summary.events).toBeGreaterThan(2_000);
  expect(venue.market.counters.badFrames).toBe(0);
  // The session's book is the plugin's (two-sided, uncrossed); paper trading stays in the sim venue.
  await expectPaperEnd(s, double);
});

test("configs/binance-live.yaml builds with URLs and keys from the environment: WebSocket API and user stream connected, exchange filters loaded, book in sync against the double", async () => {
  const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 20 });
  stops.push(() => double.stop());
  Object.assign(process.env, { BINANCE_API_KEY: double.apiKey, BINANCE_SECRET_KEY: double.secret });
  const s = await sessionFromConfig("configs/binance-live.yaml", { BINANCE_REST_URL: double.restUrl, BINANCE_WS_URL: double.wsUrl, BINANCE_WS_API_URL: `${double.wsUrl}/ws-api/v3` });
  const venue = s.core.venue as BinanceVenue;
  await venue.ready;
  expect(venue.wsApi?.connected).toBe(true);
  expect(venue.orders?.connected).toBe(true);
  const run = startRealtime(s, { forUs: 600_000_000 });
  await until(() => venue.market.counters.quotes > 500 && venue.market.syncs[0]!.state === "synced", "market flowing", 60_000);
  run.stop();
  await run.done;
  expect(venue.orders!.filters[0]).toMatchObject({ tickTicks: 1, stepUnits: 1000, minNotional: 50_000_000_000 });
  expect(double.counters.badSignature).toBe(0);
  await s.close();
});

test("a live USD-M session: orders over /fapi/v1 fill into the portfolio, funding settlements are booked into net P&L once each, and a restart from the journal has the same funding", async () => {
  const double = BinanceDouble.start({ files: USDM_FILES, priceDecimals: 1, sizeDecimals: 3, tickSize: "0.10", stepSize: "0.001", futures: true, speed: 4 });
  stops.push(() => double.stop());
  process.env.KESTREL_TEST_BINANCE_KEY = double.apiKey;
  process.env.KESTREL_TEST_BINANCE_SECRET = double.secret;
  const journal = `${tmp.path}/usdm.journal`;
  const yaml = liveYaml({
    name: "binance-usdm",
    currency: "USDT",
    instrument: "{ symbol: BTCUSDT, base: BTC, quote: USDT, priceDecimals: 1, sizeDecimals: 3, lotSize: 1, minSize: 1 }",
    plugin: "binance",
    params: `{ restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", market: usdm, depthSpeed: 0ms, snapshotLimit: 1000, apiKeyEnv: KESTREL_TEST_BINANCE_KEY, secretKeyEnv: KESTREL_TEST_BINANCE_SECRET, reconnectMinMs: 20 }`,
    rt: "{ every: 15, size: 5, awayTicks: 3000, cancelAfter: 5, maxOrders: 9 }",
    limits: "{ maxPosition: 1000, maxOrderNotional: 100000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }",
    extra: `journal: { path: ${journal}, fsync: never }`,
  });
  const s = await sessionFromYaml(tmp.path, yaml);
  const venue = s.core.venue as BinanceVenue;
  await venue.ready;
  const run = startRealtime(s, { forUs: 600_000_000 });
  await until(() => [...s.core.oms.all()].length >= 9 && s.core.oms.openCount === 0, "all orders done", 60_000);
  // A long position for funding to settle on: an operator's market buy to 0.010 BTC long or more.
  await until(() => s.core.portfolio.position(0) === double.netPosition(), "positions agree", 20_000);
  s.core.submit("manual", { instrument: 0, side: 1, type: "market", size: 10 + Math.max(0, -double.netPosition()) });
  await until(() => s.core.oms.openCount === 0 && s.core.portfolio.position(0) === double.netPosition() && double.netPosition() > 0, "long position", 20_000).catch((e) => {
    console.log(s.core.portfolio.position(0), double.netPosition(), [...s.core.oms.all()].map((o) => `${o.id} ${o.strategy} ${o.status} ${o.reason}`));
    throw e;
  });
  double.inject({ kind: "funding", ratePpm: 100 });
  double.inject({ kind: "funding", ratePpm: -30 });
  await until(() => venue.orders!.counters.fundingPayments === 2, "two settlements booked", 20_000);
  run.stop();
  await run.done;
  const expected = double.funding.reduce((a, f) => a + Math.round(f.income8 / 10_000), 0);
  expect(double.funding[0]!.income8).toBeLessThan(0);
  expect(s.core.portfolio.funding(0)).toBe(expected);
  expect(s.core.portfolio.funding(0)).not.toBe(0);
  expect(s.core.portfolio.net(0)).toBe(s.core.portfolio.realised(0) + s.core.portfolio.unrealised(0) - s.core.portfolio.fees(0) + expected);
  // The admin API shows funding as its own field beside fees, in positions and in P&L per currency.
  const row = positionRows(s)[0]!;
  const money = (t: string) => (parseScaled(t, 4) as { value: number }).value;
  expect(money(row.funding)).toBe(expected);
  expect(money(row.net)).toBe(money(row.realised) + money(row.unrealised) - money(row.fees) + money(row.funding));
  const usdt = s.core.portfolio.pnlByCurrency().find((c) => c.currency === "USDT")!;
  expect(usdt.funding).toBe(expected);
  expect(s.core.omsErrors).toBe(0);
  const statuses = [...s.core.oms.all()].map((o) => o.status);
  expect(statuses).toContain("filled");
  expect(statuses).toContain("canceled");
  const position = s.core.portfolio.position(0);
  await s.close();
  // Each settlement is a journal record (a restart that replays the whole journal books them again).
  const funding = readJournal(journal).records.filter((r) => r.t === "control" && r.kind === "funding");
  expect(funding.map((r) => (r.t === "control" ? Number(r.reason) : 0))).toEqual(double.funding.map((f) => Math.round(f.income8 / 10_000)));
  // The restart replays the journal: same position, same funding.
  const again = await sessionFromYaml(tmp.path, yaml);
  expect(again.core.portfolio.position(0)).toBe(position);
  expect(again.core.portfolio.funding(0)).toBe(expected);
  await again.close();
});

test("a restart finds its orders at the exchange by client id: fills made while the session was down are applied once, working orders are taken back and their later fills and cancels are theirs", async () => {
  const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 4 });
  stops.push(() => double.stop());
  process.env.KESTREL_TEST_BINANCE_KEY = double.apiKey;
  process.env.KESTREL_TEST_BINANCE_SECRET = double.secret;
  const journal = `${tmp.path}/restart.journal`;
  const yaml = liveYaml({
    name: "binance-restart",
    currency: "USDT",
    instrument: "{ symbol: BTCUSDT, base: BTC, quote: USDT, priceDecimals: 2, sizeDecimals: 8, lotSize: 1000, minSize: 1000 }",
    plugin: "binance",
    params: `{ restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", apiKeyEnv: KESTREL_TEST_BINANCE_KEY, secretKeyEnv: KESTREL_TEST_BINANCE_SECRET, reconnectMinMs: 20 }`,
    rt: "{ every: 100000000, size: 100000, maxOrders: 1 }",
    limits: "{ maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 200, maxDailyLoss: 100000, maxDrawdown: 100000 }",
    extra: `journal: { path: ${journal}, fsync: never }\nreconcile: { missing: alert, unknown: alert }`,
  });
  await restartFindsOrders({ dir: tmp.path, yaml, journal, double, synced: (s) => (s.core.venue as BinanceVenue).market.syncs[0]!.state === "synced" });
  expect(double.netPosition()).toBe(500_000);
});
