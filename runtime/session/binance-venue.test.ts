/**
 * The binance venue in real sessions, against the exchange double on 127.0.0.1: a live session
 * whose orders are acknowledged, filled and cancelled at the double with every fill in the
 * portfolio and exactly the double's trades; and configs/binance-paper.yaml as shipped (market
 * through the binance plugin, orders matched by the sim venue).
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { readJournal } from "../journal/journal-file.ts";
import type { Fill } from "../../plugins/sdk/orders.ts";
import type { BinanceVenue } from "../../plugins/venues/binance/binance-venue.ts";
import { SPOT_FILES, USDM_FILES } from "../../plugins/venues/binance/testing/capture.ts";
import { BinanceDouble } from "../../plugins/venues/binance/testing/exchange-double.ts";
import { until } from "../../plugins/venues/binance/testing/venue-context.ts";
import { buildSession } from "./build.ts";
import { positionRows } from "../admin/routes/portfolio.ts";
import { parseScaled } from "../../plugins/sdk/decimal.ts";
import { startRealtime } from "./realtime.ts";
import { REPO_ROOT, sessionFromYaml, tempDir } from "./test-session.ts";

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
  const yaml = `name: binance-live
mode: live
seed: 1
account: { currency: USDT, capital: 100000 }
instruments:
  - { symbol: BTCUSDT, base: BTC, quote: USDT, priceDecimals: 2, sizeDecimals: 8, lotSize: 1000, minSize: 1000 }
market: { source: venue }
venue:
  name: binance
  plugin: binance
  params: { restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", apiKeyEnv: KESTREL_TEST_BINANCE_KEY, secretKeyEnv: KESTREL_TEST_BINANCE_SECRET, reconnectMinMs: 20 }
strategies:
  - { name: rt, plugin: ${resolve(REPO_ROOT, "plugins/venues/binance/testing/round-trip-strategy.ts")}, instruments: [BTCUSDT], params: { every: 15, size: 100000, awayTicks: 30000, cancelAfter: 5, maxOrders: 24 } }
risk:
  limits: { maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
`;
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
  expect(venue.orders!.counters.reconciles).toBeGreaterThan(0);
  await s.close();
});

test("configs/binance-paper.yaml runs as shipped: the market through the binance plugin from the double, orders matched by the sim venue", async () => {
  const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 20 });
  stops.push(() => double.stop());
  const file = resolve(REPO_ROOT, "configs/binance-paper.yaml");
  const loaded = loadConfig(file, { ...process.env, BINANCE_PORT: String(double.port) });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
  const venue = s.core.venue as BinanceVenue;
  const run = startRealtime(s, { forUs: 600_000_000 });
  await until(() => venue.market.counters.quotes > 2_000 && venue.market.syncs[0]!.state === "synced", "market flowing", 60_000);
  run.stop();
  const summary = await run.done;
  expect(venue.sim).not.toBeNull();
  expect(venue.orders).toBeNull();
  expect(summary.events).toBeGreaterThan(2_000);
  expect(venue.market.counters.badFrames).toBe(0);
  // The session's book is the plugin's synced book top or a newer bookTicker: two-sided, uncrossed.
  const book = s.core.books.books[0]!;
  expect(book.valid).toBe(true);
  expect(book.ask).toBeGreaterThan(book.bid);
  // No order reached the exchange: paper trading stays in the sim venue.
  expect(double.matching.orders.size).toBe(0);
  await s.close();
});

test("configs/binance-live.yaml builds with URLs and keys from the environment: WebSocket API and user stream connected, exchange filters loaded, book in sync against the double", async () => {
  const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), speed: 20 });
  stops.push(() => double.stop());
  const file = resolve(REPO_ROOT, "configs/binance-live.yaml");
  const env = { BINANCE_REST_URL: double.restUrl, BINANCE_WS_URL: double.wsUrl, BINANCE_WS_API_URL: `${double.wsUrl}/ws-api/v3` };
  Object.assign(process.env, { BINANCE_API_KEY: double.apiKey, BINANCE_SECRET_KEY: double.secret });
  const loaded = loadConfig(file, { ...process.env, ...env });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
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
  const yaml = `name: binance-usdm
mode: live
seed: 1
account: { currency: USDT, capital: 100000 }
instruments:
  - { symbol: BTCUSDT, base: BTC, quote: USDT, priceDecimals: 1, sizeDecimals: 3, lotSize: 1, minSize: 1 }
market: { source: venue }
venue:
  name: binance
  plugin: binance
  params: { restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", market: usdm, depthSpeed: 0ms, snapshotLimit: 1000, apiKeyEnv: KESTREL_TEST_BINANCE_KEY, secretKeyEnv: KESTREL_TEST_BINANCE_SECRET, reconnectMinMs: 20 }
strategies:
  - { name: rt, plugin: ${resolve(REPO_ROOT, "plugins/venues/binance/testing/round-trip-strategy.ts")}, instruments: [BTCUSDT], params: { every: 15, size: 5, awayTicks: 3000, cancelAfter: 5, maxOrders: 9 } }
risk:
  limits: { maxPosition: 1000, maxOrderNotional: 100000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
journal: { path: ${journal}, fsync: never }
`;
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
  const yaml = `name: binance-restart
mode: live
seed: 1
account: { currency: USDT, capital: 100000 }
instruments:
  - { symbol: BTCUSDT, base: BTC, quote: USDT, priceDecimals: 2, sizeDecimals: 8, lotSize: 1000, minSize: 1000 }
market: { source: venue }
venue:
  name: binance
  plugin: binance
  params: { restUrl: "${double.restUrl}", wsUrl: "${double.wsUrl}", apiKeyEnv: KESTREL_TEST_BINANCE_KEY, secretKeyEnv: KESTREL_TEST_BINANCE_SECRET, reconnectMinMs: 20 }
strategies:
  - { name: rt, plugin: ${resolve(REPO_ROOT, "plugins/venues/binance/testing/round-trip-strategy.ts")}, instruments: [BTCUSDT], params: { every: 100000000, size: 100000, maxOrders: 1 } }
risk:
  limits: { maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 200, maxDailyLoss: 100000, maxDrawdown: 100000 }
journal: { path: ${journal}, fsync: never }
reconcile: { missing: alert, unknown: alert }
`;
  const a = await sessionFromYaml(tmp.path, yaml);
  const va = a.core.venue as BinanceVenue;
  await va.ready;
  const runA = startRealtime(a, { forUs: 600_000_000 });
  await until(() => va.market.syncs[0]!.state === "synced" && a.core.books.books[0]!.valid, "book in sync", 60_000);
  const { bid, ask } = a.core.books.books[0]!;
  // Resting orders well away from the touch: only the injected fills below touch them.
  const partly = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 20_000, size: 300_000, tif: "GTC" });
  const filled = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 30_000, size: 200_000, tif: "GTC" });
  const untouched = a.core.submit("manual", { instrument: 0, side: -1, type: "limit", price: ask + 30_000, size: 200_000, tif: "GTC" });
  expect(Math.min(partly, filled, untouched)).toBeGreaterThan(0);
  await until(() => [partly, filled, untouched].every((id) => a.core.oms.get(id)!.status === "working"), "three orders working");
  double.inject({ kind: "fill", clientOrderId: `K${partly}`, qty: 100_000 });
  await until(() => a.core.portfolio.position(0) === 100_000, "a fill reported live");
  // The process dies: nothing more is sent (no cancels on the way out), the journal holds what it had.
  (a.core as { cancelAll: unknown }).cancelAll = () => 0;
  runA.stop();
  await runA.done;
  // While it is down the market trades through two of its orders.
  double.inject({ kind: "fill", clientOrderId: `K${partly}`, qty: 100_000 });
  double.inject({ kind: "fill", clientOrderId: `K${filled}` });
  expect(double.netPosition()).toBe(400_000);

  const b = await sessionFromYaml(tmp.path, yaml);
  const vb = b.core.venue as BinanceVenue;
  expect(b.reconciled).not.toBeNull();
  expect(b.reconciled!.missedFills).toBe(2);
  expect(b.reconciled!.unknown).toBe(0);
  expect(b.reconciled!.missing).toBe(0);
  expect(b.core.portfolio.position(0)).toBe(400_000);
  expect(b.core.oms.get(filled)!.status).toBe("filled");
  expect(b.core.oms.get(partly)!.status).toBe("partially-filled");
  expect(b.core.oms.get(untouched)!.status).toBe("working");
  // Taken back: a later fill of the partly filled order and a cancel of the untouched one reach them, once.
  const runB = startRealtime(b, { forUs: 600_000_000 });
  await until(() => vb.orders!.connected, "user stream up");
  double.inject({ kind: "fill", clientOrderId: `K${partly}` });
  await until(() => b.core.oms.get(partly)!.status === "filled", "the rest of the partly filled order");
  b.core.cancel(null, untouched);
  await until(() => b.core.oms.get(untouched)!.status === "canceled", "cancel after the restart");
  expect(double.matching.byClientId.get(`K${untouched}`)!.status).toBe("CANCELED");
  runB.stop();
  await runB.done;
  expect(b.core.omsErrors).toBe(0);
  expect(b.core.alerts.all().filter((x) => x.code === "BINANCE_UNKNOWN_ORDER")).toEqual([]);
  // Every trade at the double is exactly one fill in the journal, and the position is theirs.
  const fillRecords = readJournal(journal).records.filter((r) => r.t === "report" && r.report.kind === "fill");
  expect(fillRecords.length).toBe(double.matching.trades.length);
  expect(b.core.portfolio.position(0)).toBe(double.netPosition());
  expect(double.netPosition()).toBe(500_000);
  await b.close();
});
