/**
 * The binance venue against the exchange double over real WebSocket and HTTP on 127.0.0.1: the
 * book it keeps equals a book rebuilt independently from the capture (runtime/data/formats'
 * BinanceBook) after every update, through every kind of market fault; and orders are acknowledged,
 * filled and cancelled with nothing lost or doubled through clock skew, 429s and a user stream outage.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { BinanceBook } from "../../../runtime/data/formats/binance-book.ts";
import type { VenueOrder } from "../../sdk/venue.ts";
import { BinanceVenue } from "./binance-venue.ts";
import type { DepthBook } from "./book/depth-book.ts";
import type { BinanceParams } from "./params.ts";
import { SPOT_FILES, USDM_FILES } from "./testing/capture.ts";
import { BinanceDouble, type Fault } from "./testing/exchange-double.ts";
import { BTCUSDT, BTCUSDT_PERP, recordingContext, until } from "./testing/venue-context.ts";
import { outageFillsOnce } from "../shared/testing/outage.ts";

// Real sockets and a minutes-long capture on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(120_000);

const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

function params(d: BinanceDouble, market: "spot" | "usdm" = "spot"): BinanceParams {
  return { restUrl: d.restUrl, wsUrl: d.wsUrl, apiKeyEnv: "K", secretKeyEnv: "S", keyType: "hmac", orderTransport: "rest", recvWindowMs: 5000, snapshotLimit: 5000, market, positionMode: "one-way", depthSpeed: market === "usdm" ? "0ms" : "100ms", keepAliveMs: 60_000, reconnectMinMs: 20, reconnectMaxMs: 500, execution: "binance" };
}

function start(files = SPOT_FILES.slice(0, 1), market: "spot" | "usdm" = "spot") {
  const double = market === "usdm" ? BinanceDouble.start({ files, priceDecimals: 1, sizeDecimals: 3, tickSize: "0.10", stepSize: "0.001", futures: true }) : BinanceDouble.start({ files });
  const p = params(double, market);
  const { ctx, rec } = recordingContext(p, [market === "usdm" ? BTCUSDT_PERP : BTCUSDT]);
  const venue = new BinanceVenue(ctx, p, { env: { K: double.apiKey, S: double.secret } });
  stops.push(() => double.stop(), () => venue.stop());
  return { double, venue, rec };
}

/**
 * True when the plugin's book agrees with the reference: every level it holds has the reference's
 * size, and it holds every reference level within its last snapshot's price range (a USD-M
 * snapshot is cut at 1,000 levels, so beyond that range it only knows what diffs set since). With
 * a whole-book snapshot (spot here) the range is the whole book and the two are equal.
 */
function sameBook(book: DepthBook, ref: BinanceBook, coverBid: number, coverAsk: number): boolean {
  for (let k = 0; k < book.bids.count; k++) if (ref.bids.levels.get(book.bids.prices[k]!) !== book.bids.sizes[k]) return false;
  for (let k = 0; k < book.asks.count; k++) if (ref.asks.levels.get(book.asks.prices[k]!) !== book.asks.sizes[k]) return false;
  for (const p of ref.bids.levels.keys()) if (p >= coverBid && book.bids.sizeAt(p) === 0) return false;
  for (const p of ref.asks.levels.keys()) if (p <= coverAsk && book.asks.sizeAt(p) === 0) return false;
  return true;
}

describe("market data", () => {
  test("spot: the book equals an independent rebuild after every update, and every fault ends in a resync with an alert", () => marketFaults("spot"));
  test("USD-M futures (pu continuity): the book equals an independent rebuild after every update through the same faults", () => marketFaults("usdm"));
});

async function marketFaults(market: "spot" | "usdm"): Promise<void> {
  {
    const { double, venue, rec } = start(market === "usdm" ? USDM_FILES : SPOT_FILES.slice(0, 1), market);
    // The reference: the capture's snapshot and diffs, applied in order by the runtime's own book.
    const ref = new BinanceBook();
    ref.applySnapshot(double.startSnapshot);
    let cursor = 0;
    let compared = 0;
    const mismatches: string[] = [];
    venue.market.onBookUpdate = (_i, book) => {
      while (ref.lastId < book.lastId && cursor < double.frames.length) {
        const f = double.frames[cursor++]!;
        if (f.diff !== null) ref.applyDiff(f.diff);
      }
      compared++;
      if (ref.lastId !== book.lastId) mismatches.push(`no reference state at u=${book.lastId} (reference at ${ref.lastId})`);
      const sync = venue.market.syncs[0]!;
      // Spot snapshots here hold the whole book (under 5,000 levels a side): demand full equality.
      const [lo, hi] = market === "spot" ? [0, Number.POSITIVE_INFINITY] : [sync.coverBid, sync.coverAsk];
      if (ref.lastId === book.lastId && !sameBook(book, ref, lo, hi)) mismatches.push(`book differs at u=${book.lastId}`);
    };
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced", "first sync");
    const faults: Fault[] = [
      { kind: "drop" },
      { kind: "duplicate" },
      { kind: "reorder" },
      { kind: "gap", ids: 7 },
      { kind: "malformed" },
      { kind: "drop", count: 3 },
      { kind: "disconnect", streams: "market" },
      { kind: "rate-limit", requests: 1 },
    ];
    const settle = () => until(() => venue.market.connected && double.marketClients === 1 && venue.market.syncs[0]!.state === "synced" && venue.market.counters.frames === double.counters.sentFrames, "plugin caught up with the double");
    // 41k frames in steps of 800: one fault every fifth step from the third.
    let step = 0;
    while (!double.done) {
      const k = step++ - 3;
      const f = k >= 0 && k % 5 === 0 ? faults[k / 5] : undefined;
      if (f !== undefined) {
        if (f.kind === "rate-limit") double.inject({ kind: "drop" });
        double.inject(f);
      }
      double.step(800);
      await until(() => venue.market.connected && double.marketClients === 1 && venue.market.counters.frames === double.counters.sentFrames, "frames delivered");
      // A lost frame is only noticed when the next diff arrives: step one frame at a time until the
      // plugin has caught up with the double or seen the gap.
      const sync = venue.market.syncs[0]!;
      while (!double.done && venue.market.connected && sync.state === "synced" && sync.book.lastId !== double.lastUpdateId) {
        double.step(1);
        await until(() => venue.market.counters.frames === double.counters.sentFrames, "frame delivered");
      }
      await settle();
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Spot 3,449 diffs, USD-M 6,551; those sent while disconnected, dropped, or already in a resync's snapshot are not compared one by one.
    expect(compared).toBeGreaterThan(market === "usdm" ? 5000 : 2500);
    expect(venue.market.books[0]!.lastId).toBe(double.lastUpdateId);
    const count = (code: string) => rec.alerts.filter((a) => a.code === code).length;
    // drop, reorder, gap, malformed, drop x3 and the drop behind the 429: six gaps, each resynced.
    expect(count("BINANCE_BOOK_RESYNC")).toBe(6);
    expect(count("BINANCE_STREAM_DOWN")).toBe(1);
    expect(count("BINANCE_BAD_MESSAGE")).toBe(1);
    expect(count("BINANCE_RATE_LIMITED")).toBe(1);
    // Each resync, the reconnect and the start ended in a synced book.
    expect(count("BINANCE_BOOK_SYNCED")).toBe(8);
    // The duplicate was ignored as stale, and the 429's Retry-After was respected (no ban).
    expect(venue.market.syncs[0]!.stale).toBeGreaterThanOrEqual(1);
    expect(double.counters.rejected429).toBe(1);
    expect(double.counters.banned418).toBe(0);
    // Quotes only move forward in update id terms and are always two-sided and uncrossed.
    expect(rec.quotes.every((q) => q.bid > 0 && q.ask > q.bid)).toBe(true);
    expect(rec.trades.length).toBeGreaterThan(1000);
  }
}

describe("WebSocket API", () => {
  test("orders go over the WebSocket API: acknowledged, filled and cancelled; a drop with an order in flight is reconciled with nothing doubled", async () => {
    const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1) });
    stops.push(() => double.stop());
    const p: BinanceParams = { ...params(double), orderTransport: "ws-api" };
    const { ctx, rec } = recordingContext(p);
    const venue = new BinanceVenue(ctx, p, { env: { K: double.apiKey, S: double.secret } });
    stops.push(() => venue.stop());
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced" && venue.orders!.connected && venue.wsApi!.connected, "up");
    const reportsOf = (id: number) => rec.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    const { bid, ask } = venue.market.touch(0);
    venue.submit(order(1, 1, ask + 500, 2_000_000, "IOC"));
    venue.submit(order(2, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(2).includes("accepted") && (reportsOf(1).includes("expired") || reportsOf(1).includes("fill")), "acks");
    venue.cancel(2);
    await until(() => reportsOf(2).includes("canceled"), "cancel");
    const requests = double.counters.requests;
    expect(double.counters.wsApiRequests).toBe(3);
    // The connection drops with an order in flight: its answer never comes, REST reconciles it.
    venue.submit(order(3, 1, bid - 100_000, 100_000));
    double.inject({ kind: "disconnect", streams: "ws-api" });
    await until(() => reportsOf(3).length > 0, "order 3 settled");
    expect(double.counters.requests).toBeGreaterThan(requests);
    const at3 = double.matching.byClientId.get("K3");
    expect(reportsOf(3)).toEqual([at3 === undefined ? "rejected" : "accepted"]);
    expect([...double.matching.orders.values()].filter((o) => o.clientOrderId === "K3").length).toBeLessThanOrEqual(1);
    const fills = rec.reports.filter((r) => r.kind === "fill");
    expect(fills.length).toBe(double.matching.trades.length);
    expect(rec.alerts.some((a) => a.code === "BINANCE_STREAM_DOWN" && a.message.includes("ws-api"))).toBe(true);
  });
});

describe("Ed25519 keys", () => {
  test("an order signed with an Ed25519 key is accepted by a double holding its public key, and one signed with another key is refused -1022", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const other = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const double = BinanceDouble.start({ files: SPOT_FILES.slice(0, 1), ed25519PublicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() });
    stops.push(() => double.stop());
    const venues = [pem, other].map((key) => {
      const p: BinanceParams = { ...params(double), keyType: "ed25519" };
      const { ctx, rec } = recordingContext(p);
      const venue = new BinanceVenue(ctx, p, { env: { K: double.apiKey, S: key } });
      stops.push(() => venue.stop());
      return { venue, rec };
    });
    for (const { venue } of venues) {
      await venue.ready;
      await until(() => venue.market.syncs[0]!.state === "synced", "synced");
    }
    const { bid } = venues[0]!.venue.market.touch(0);
    venues[0]!.venue.submit(order(1, 1, bid - 100_000, 100_000));
    // The double has one account, so each venue also hears the other's reports: distinct order ids.
    venues[1]!.venue.submit(order(2, 1, bid - 100_000, 100_000));
    await until(() => venues[0]!.rec.reports.length > 0 && venues[1]!.rec.reports.length > 0, "answers");
    expect(venues[0]!.rec.reports[0]).toMatchObject({ kind: "accepted", orderId: 1 });
    expect(venues[1]!.rec.reports[0]).toMatchObject({ kind: "rejected", orderId: 2 });
    expect((venues[1]!.rec.reports[0] as { reason: string }).reason).toContain("code=-1022");
    expect(double.counters.badSignature).toBe(1);
  });
});

function order(id: number, side: 1 | -1, price: number, size: number, tif: VenueOrder["tif"] = "GTC"): VenueOrder {
  return { id, instrument: 0, side, type: "limit", tif, price, stopPrice: 0, size, expireTs: 0, postOnly: false, ts: 0 };
}

describe("orders", () => {
  test("orders are acknowledged, filled and cancelled, and survive clock skew, a 429 and a user stream outage with nothing lost or doubled", async () => {
    const { double, venue, rec } = start();
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced" && venue.orders!.connected, "synced and user stream up");
    double.step(2000);
    await until(() => venue.market.counters.frames === double.counters.sentFrames, "frames");
    const reportsOf = (id: number) => rec.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    const filledOf = (id: number) => rec.reports.reduce((s, r) => s + (r.orderId === id && r.kind === "fill" ? r.size : 0), 0);
    const atDouble = (id: number) => double.matching.byClientId.get(`K${id}`);
    const { bid, ask } = venue.market.touch(0);

    // An IOC through the touch fills as taker; the rest expires.
    venue.submit(order(1, 1, ask + 500, 5_000_000, "IOC"));
    await until(() => reportsOf(1).at(-1) === "expired" || filledOf(1) === 5_000_000, "IOC done");
    expect(reportsOf(1)[0]).toBe("accepted");
    expect(filledOf(1)).toBe(atDouble(1)!.executed);
    expect(filledOf(1)).toBeGreaterThan(0);
    const fill = rec.reports.find((r) => r.orderId === 1 && r.kind === "fill")!;
    expect(fill.kind === "fill" && fill.liquidity).toBe("taker");
    // Fee: 0.1% of notional, in money units (cents x 1e-8 BTC), exact.
    expect(fill.kind === "fill" && fill.fee).toBe(fill.kind === "fill" ? (fill.price * fill.size) / 1000 : 0);

    // A resting order far from the touch is acknowledged, then cancelled.
    venue.submit(order(2, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(2).includes("accepted"), "ack");
    venue.cancel(2);
    await until(() => reportsOf(2).includes("canceled"), "cancel");
    expect(reportsOf(2)).toEqual(["accepted", "canceled"]);
    expect(atDouble(2)!.status).toBe("CANCELED");

    // Filters from exchangeInfo: a price off the tick grid never leaves.
    const sent = double.counters.requests;
    venue.submit(order(3, 1, bid - 100_000, 100_500));
    expect(rec.reports.find((r) => r.orderId === 3)).toMatchObject({ kind: "rejected" });
    expect((rec.reports.find((r) => r.orderId === 3) as { reason: string }).reason).toStartWith("BINANCE_FILTER: filter=LOT_SIZE");
    expect(double.counters.requests).toBe(sent);

    // Clock skew beyond recvWindow: refused once (-1021), clock re-measured, same client id accepted once.
    double.inject({ kind: "clock-skew", ms: 20_000 });
    venue.submit(order(4, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(4).includes("accepted"), "ack after skew");
    expect(double.counters.timestampRejects).toBe(1);
    expect(rec.alerts.some((a) => a.code === "BINANCE_CLOCK_RESYNC")).toBe(true);
    expect([...double.matching.orders.values()].filter((o) => o.clientOrderId === "K4").length).toBe(1);

    // A 429: the order is refused, the next one is refused without a request until Retry-After passes.
    double.inject({ kind: "rate-limit", requests: 1 });
    venue.submit(order(5, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(5).includes("rejected"), "429 reject");
    venue.submit(order(6, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(6).includes("rejected"), "back-off reject");
    expect((rec.reports.find((r) => r.orderId === 6) as { reason: string }).reason).toStartWith("BINANCE_RATE_LIMITED");
    expect(double.counters.banned418).toBe(0);
    await until(() => venue.rest.backoffLeft() === 0, "back-off over");

    // User stream outage: every event of a taker order is lost; the reconnect reconciles over REST.
    const { ask: ask2 } = venue.market.touch(0);
    double.inject({ kind: "lose-user-events", count: 1_000 });
    venue.submit(order(7, 1, ask2 + 2_000, 3_000_000, "IOC"));
    await until(() => atDouble(7) !== undefined && (atDouble(7)!.status === "EXPIRED" || atDouble(7)!.status === "FILLED"), "IOC done at the double");
    await until(() => reportsOf(7).includes("accepted"), "REST ack");
    expect(filledOf(7)).toBe(0);
    double.inject({ kind: "lose-user-events", count: -1_000 });
    double.inject({ kind: "disconnect", streams: "user" });
    await until(() => venue.orders!.counters.userReconnects === 1 && filledOf(7) === atDouble(7)!.executed && venue.orders!.counters.reconciles + venue.orders!.counters.openListed >= 2, "reconciled");
    expect(filledOf(7)).toBe(atDouble(7)!.executed);
    expect(rec.reports.filter((r) => r.orderId === 7 && r.kind === "fill").length).toBe(double.matching.trades.filter((t) => t.orderId === atDouble(7)!.orderId).length);

    // Cancel order 4 and let a resting order fill as maker when the replay trades through it.
    venue.cancel(4);
    await until(() => reportsOf(4).includes("canceled"), "cancel 4");
    // Every trade at the double was reported exactly once.
    const fills = rec.reports.filter((r) => r.kind === "fill");
    expect(fills.length).toBe(double.matching.trades.length);
    expect(fills.reduce((s, r) => s + (r.kind === "fill" ? r.size : 0), 0)).toBe(double.matching.trades.reduce((s, t) => s + t.qty, 0));
    // Each order has at most one terminal report and nothing after it.
    for (const id of [1, 2, 4, 5, 6, 7]) {
      const kinds = reportsOf(id);
      const terminal = kinds.filter((k) => k === "canceled" || k === "expired" || k === "rejected").length;
      expect(terminal).toBeLessThanOrEqual(1);
    }
    expect(double.counters.badSignature).toBe(0);
  });
});

describe("USD-M futures", () => {
  test("orders over /fapi/v1 are acknowledged, filled and cancelled from ORDER_TRADE_UPDATE, post-only is GTX, and every funding payment is booked once, also through a user stream outage", async () => {
    const { double, venue, rec } = start(USDM_FILES, "usdm");
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced" && venue.orders!.connected, "synced and user stream up");
    double.step(3000);
    await until(() => venue.market.counters.frames === double.counters.sentFrames, "frames");
    const reportsOf = (id: number) => rec.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    const filledOf = (id: number) => rec.reports.reduce((s, r) => s + (r.orderId === id && r.kind === "fill" ? r.size : 0), 0);
    const atDouble = (id: number) => double.matching.byClientId.get(`K${id}`);
    // exchangeInfo's MIN_NOTIONAL (USD-M writes `notional`): 5 USDT at 0.1 x 0.001 units.
    expect(venue.orders!.filters[0]).toMatchObject({ tickTicks: 1, stepUnits: 1, minNotional: 50_000 });
    const { bid, ask } = venue.market.touch(0);

    // A taker IOC buys 0.005 BTC: fills from ORDER_TRADE_UPDATE, fee 0.1% in USDT to the unit (1e-4 USDT).
    venue.submit(order(1, 1, ask + 50, 5, "IOC"));
    await until(() => reportsOf(1).at(-1) === "expired" || filledOf(1) === 5, "IOC done");
    expect(reportsOf(1)[0]).toBe("accepted");
    expect(filledOf(1)).toBe(atDouble(1)!.executed);
    expect(filledOf(1)).toBeGreaterThan(0);
    for (const t of double.matching.trades.filter((x) => x.orderId === atDouble(1)!.orderId)) {
      const f = rec.reports.find((r) => r.kind === "fill" && r.orderId === 1 && r.price === t.price && r.size === t.qty);
      expect(f !== undefined && f.kind === "fill" && f.fee).toBe(Math.round(t.commission8 / 10_000));
    }

    // A resting bid is acknowledged and cancelled; a post-only bid through the ask is GTX and refused -5022.
    venue.submit(order(2, 1, bid - 1_000, 5));
    await until(() => reportsOf(2).includes("accepted"), "ack");
    venue.cancel(2);
    await until(() => reportsOf(2).includes("canceled"), "cancel");
    expect(reportsOf(2)).toEqual(["accepted", "canceled"]);
    venue.submit({ ...order(3, 1, ask + 50, 5), postOnly: true });
    await until(() => reportsOf(3).includes("rejected"), "GTX refused");
    expect((rec.reports.find((r) => r.orderId === 3) as { reason: string }).reason).toContain("code=-5022");

    // Funding settles on the long position: longs pay at a positive rate.
    expect(double.netPosition()).toBeGreaterThan(0);
    double.inject({ kind: "funding", ratePpm: 100 });
    await until(() => rec.funding.length === 1, "funding booked");
    expect(rec.funding[0]!.amount).toBeLessThan(0);
    expect(rec.funding[0]!.amount).toBe(Math.round(double.funding[0]!.income8 / 10_000));
    // A settlement whose ACCOUNT_UPDATE is lost is read from the income history after the reconnect; none twice.
    double.inject({ kind: "lose-user-events", count: 1 });
    double.inject({ kind: "funding", ratePpm: -250 });
    await Bun.sleep(50);
    expect(rec.funding.length).toBe(1);
    double.inject({ kind: "disconnect", streams: "user" });
    await until(() => rec.funding.length === 2, "funding read after the reconnect");
    expect(rec.funding[1]!.amount).toBeGreaterThan(0);
    double.inject({ kind: "funding", ratePpm: 100 });
    await until(() => rec.funding.length === 3, "third funding");
    await Bun.sleep(100);
    expect(rec.funding.map((f) => f.amount)).toEqual(double.funding.map((f) => Math.round(f.income8 / 10_000)));
    expect(venue.orders!.funding[0]).toBe(rec.funding.reduce((s, f) => s + f.amount, 0));

    // Every trade at the double reported once.
    const fills = rec.reports.filter((r) => r.kind === "fill");
    expect(fills.length).toBe(double.matching.trades.length);
    expect(double.counters.badSignature).toBe(0);
  });
});

describe("USD-M: WebSocket API, reduce-only and hedge mode", () => {
  function usdm(hedgeMode: boolean, extra: Partial<BinanceParams>) {
    const double = BinanceDouble.start({ files: USDM_FILES, priceDecimals: 1, sizeDecimals: 3, tickSize: "0.10", stepSize: "0.001", futures: true, hedgeMode });
    const p: BinanceParams = { ...params(double, "usdm"), ...extra };
    const { ctx, rec } = recordingContext(p, [BTCUSDT_PERP]);
    const venue = new BinanceVenue(ctx, p, { env: { K: double.apiKey, S: double.secret } });
    stops.push(() => double.stop(), () => venue.stop());
    const reportsOf = (id: number) => rec.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    const filledOf = (id: number) => rec.reports.reduce((s, r) => s + (r.orderId === id && r.kind === "fill" ? r.size : 0), 0);
    const done = (id: number) => ["expired", "rejected", "canceled"].includes(reportsOf(id).at(-1) ?? "") || (filledOf(id) > 0 && filledOf(id) === double.matching.byClientId.get(`K${id}`)?.qty);
    const reason = (id: number) => (rec.reports.find((r) => r.orderId === id && r.kind === "rejected") as { reason: string } | undefined)?.reason ?? "";
    return { double, venue, rec, reportsOf, filledOf, done, reason };
  }

  test("one-way mode over the WebSocket API (/ws-fapi/v1): orders placed, cancelled and read by order.status; reduce-only orders carry reduceOnly=true and one that would open or flip the position is refused -2022", async () => {
    const { double, venue, rec, reportsOf, filledOf, done, reason } = usdm(false, { orderTransport: "ws-api" });
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced" && venue.orders!.connected && venue.wsApi!.connected, "up");
    double.step(3000);
    await until(() => venue.market.counters.frames === double.counters.sentFrames, "frames");
    const { bid, ask } = venue.market.touch(0);
    venue.submit(order(1, 1, ask + 50, 5, "IOC"));
    await until(() => done(1), "buy done");
    const long = filledOf(1);
    expect(long).toBeGreaterThan(0);
    // Reduce-only sells: more than the position is refused by the exchange, the position itself closes it.
    venue.submit({ ...order(2, -1, bid - 50, long + 1, "IOC"), reduceOnly: true });
    await until(() => done(2), "oversized reduce-only refused");
    expect(reason(2)).toContain("code=-2022");
    venue.submit({ ...order(3, -1, bid - 50, long, "IOC"), reduceOnly: true });
    await until(() => done(3), "reduce-only sell done");
    expect(double.matching.byClientId.get("K3")!.reduceOnly).toBe(true);
    expect(double.positionOf("BOTH")).toBe(long - filledOf(3));
    // Long or flat now: a reduce-only buy would add to the position (or open one) and is refused.
    const left = double.positionOf("BOTH");
    venue.submit({ ...order(4, 1, ask + 50, 1, "IOC"), reduceOnly: true });
    await until(() => done(4), "reduce-only buy against a long or flat position");
    expect(reason(4)).toContain("code=-2022");
    expect(double.positionOf("BOTH")).toBe(left);
    // A resting order partly filled during a user stream outage: reconciliation reads it with order.status over the WebSocket API.
    venue.submit(order(5, 1, bid - 1_000, 5));
    await until(() => reportsOf(5).includes("accepted"), "ack");
    const statusBefore = double.wsApiMethods.get("order.status") ?? 0;
    double.inject({ kind: "disconnect", streams: "user" });
    double.inject({ kind: "fill", clientOrderId: "K5", qty: 2 });
    await until(() => (double.wsApiMethods.get("order.status") ?? 0) > statusBefore && filledOf(5) === 2, "order.status over the WebSocket API");
    venue.cancel(5);
    await until(() => reportsOf(5).includes("canceled"), "cancel");
    expect(reportsOf(5)).toEqual(["accepted", "fill", "canceled"]);
    expect(double.wsApiMethods.get("order.place")).toBe(5);
    expect(double.wsApiMethods.get("order.cancel")).toBe(1);
    // Every trade at the double reported once; nothing signed wrongly.
    expect(rec.reports.filter((r) => r.kind === "fill").length).toBe(double.matching.trades.length);
    expect(double.counters.badSignature).toBe(0);
    expect(rec.alerts.filter((a) => a.code === "BINANCE_WS_API_SPOT_ONLY")).toEqual([]);
  });

  test("hedge mode: each order names positionSide (opening buys LONG, opening sells SHORT, reduce-only orders close the other side) and the double keeps the two positions apart", async () => {
    const { double, venue, rec, filledOf, done, reason } = usdm(true, { positionMode: "hedge" });
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced" && venue.orders!.connected, "up");
    double.step(3000);
    await until(() => venue.market.counters.frames === double.counters.sentFrames, "frames");
    const { bid, ask } = venue.market.touch(0);
    venue.submit(order(1, 1, ask + 50, 5, "IOC"));
    await until(() => done(1), "open long");
    venue.submit(order(2, -1, bid - 50, 3, "IOC"));
    await until(() => done(2), "open short");
    const long = filledOf(1);
    const short = filledOf(2);
    expect(long).toBeGreaterThan(0);
    expect(short).toBeGreaterThan(0);
    expect(double.matching.byClientId.get("K1")!.positionSide).toBe("LONG");
    expect(double.matching.byClientId.get("K2")!.positionSide).toBe("SHORT");
    expect(double.positionOf("LONG")).toBe(long);
    expect(double.positionOf("SHORT")).toBe(-short);
    // Reduce-only: a sell closes LONG, a buy closes SHORT; closing more than the side holds is refused -2022.
    venue.submit({ ...order(3, 1, ask + 50, short + 1, "IOC"), reduceOnly: true });
    await until(() => done(3), "oversized close of the short");
    expect(reason(3)).toContain("code=-2022");
    venue.submit({ ...order(4, -1, bid - 50, long, "IOC"), reduceOnly: true });
    await until(() => done(4), "close long");
    expect(double.matching.byClientId.get("K4")!.positionSide).toBe("LONG");
    expect(double.positionOf("LONG")).toBe(long - filledOf(4));
    expect(double.positionOf("SHORT")).toBe(-short);
    // The session's net position is the double's net: both sides' trades, each reported once.
    const net = rec.reports.reduce((s, r) => s + (r.kind === "fill" ? ([1, 3].includes(r.orderId) ? r.size : -r.size) : 0), 0);
    expect(net).toBe(double.positionOf("BOTH"));
    expect(rec.reports.filter((r) => r.kind === "fill").length).toBe(double.matching.trades.length);
    expect(double.counters.badSignature).toBe(0);
  });
});

describe("reconciliation after a user stream outage", () => {
  test("fills made while the user stream is down are applied exactly once: openOrders settles the unchanged orders in one request, the others are read by client id", async () => {
    const { double, venue, rec } = start();
    await venue.ready;
    await until(() => venue.market.syncs[0]!.state === "synced" && venue.orders!.connected, "up");
    await outageFillsOnce({ venue, double, rec, bid: venue.market.touch(0).bid, clientId: (id) => `K${id}`, reconcileCode: "BINANCE_RECONCILE" });
  });
});
