/**
 * The coinbase venue against its exchange double over real WebSocket and HTTP on 127.0.0.1: the
 * book it keeps equals a book rebuilt independently from the replayed capture after every level2
 * message, through dropped, duplicated, reordered and malformed messages, sequence gaps, a
 * disconnect and a silent connection, each ending in a resync with an alert; and orders are
 * acknowledged, filled and cancelled with nothing lost or doubled through clock skew, a 429, lost
 * new-order answers, lost user events and a user channel outage.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { BinanceBook } from "../../../runtime/data/formats/binance-book.ts";
import type { L2Book } from "../../../runtime/data/l2-book.ts";
import type { Instrument } from "../../sdk/instrument.ts";
import type { VenueOrder } from "../../sdk/venue.ts";
import { SPOT_FILES } from "../binance/testing/capture.ts";
import { recordingContext, until } from "../binance/testing/venue-context.ts";
import { CoinbaseVenue } from "./coinbase-venue.ts";
import type { CoinbaseParams } from "./params.ts";
import { CoinbaseDouble, type CoinbaseFault } from "./testing/exchange-double.ts";
import { outageFillsOnce } from "../shared/testing/outage.ts";

// Real sockets and a minutes-long capture on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(120_000);

/** BTC-USD as the double quotes it: cents and 1e-8 BTC units. */
const BTCUSD: Instrument = { id: 0, symbol: "BTC-USD", venue: "coinbase", base: "BTC", quote: "USD", priceDecimals: 2, sizeDecimals: 8, lotSize: 1, minSize: 1 };

const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

function params(d: CoinbaseDouble, execution: "coinbase" | "sim" = "coinbase"): CoinbaseParams {
  return { restUrl: d.restUrl, wsUrl: d.wsUrl, wsUserUrl: d.wsUserUrl, apiKeyEnv: "K", privateKeyEnv: "P", staleMs: 1500, reconnectMinMs: 20, reconnectMaxMs: 500, execution };
}

function start(execution: "coinbase" | "sim" = "coinbase", key?: string) {
  const double = CoinbaseDouble.start({ files: SPOT_FILES.slice(0, 1), heartbeatMs: 100 });
  const p = params(double, execution);
  const { ctx, rec } = recordingContext(p, [BTCUSD]);
  const venue = new CoinbaseVenue(ctx, p, { env: { K: double.keyName, P: key ?? double.privateKeyPem }, clientIdPrefix: "t-" });
  stops.push(() => double.stop(), () => venue.stop());
  return { double, venue, rec };
}

/** True when the plugin's book holds exactly the reference's levels. */
function sameBook(book: L2Book, ref: BinanceBook): boolean {
  if (book.bids.count !== ref.bids.levels.size || book.asks.count !== ref.asks.levels.size) return false;
  for (let k = 0; k < book.bids.count; k++) if (ref.bids.levels.get(book.bids.prices[k]!) !== book.bids.sizes[k]) return false;
  for (let k = 0; k < book.asks.count; k++) if (ref.asks.levels.get(book.asks.prices[k]!) !== book.asks.sizes[k]) return false;
  return true;
}

describe("market data", () => {
  test("the book equals an independent rebuild after every level2 message, and every fault ends in a resync with an alert", async () => {
    const { double, venue, rec } = start("sim");
    // The reference: the capture's snapshot and diffs, applied in order by the runtime's Binance book.
    const ref = new BinanceBook();
    ref.applySnapshot(double.startSnapshot);
    let cursor = 0;
    let compared = 0;
    const mismatches: string[] = [];
    venue.market.onBookUpdate = (_i, book, seq) => {
      const position = double.positionOf(seq);
      if (position === undefined) return void mismatches.push(`seq=${seq} is not a level2 message of the double`);
      if (position < cursor) return void mismatches.push(`seq=${seq} went back to position ${position} from ${cursor}`);
      while (cursor < position) {
        const f = double.frames[cursor++]!;
        if (f.diff !== null) ref.applyDiff(f.diff);
      }
      compared++;
      if (!sameBook(book, ref)) mismatches.push(`book differs at seq=${seq} position=${position}`);
    };
    await until(() => venue.market.synced[0] === true, "first snapshot");
    const faults: CoinbaseFault[] = [{ kind: "drop" }, { kind: "duplicate" }, { kind: "reorder" }, { kind: "gap", seqs: 7 }, { kind: "malformed" }, { kind: "drop", count: 3 }, { kind: "disconnect", streams: "market" }, { kind: "silence", ms: 3000 }];
    const caughtUp = () => venue.market.connected && double.marketClients === 1 && venue.market.synced[0] === true && venue.market.expectedSeq === double.marketSeq;
    let step = 0;
    while (!double.done) {
      const k = step++ - 3;
      const f = k >= 0 && k % 5 === 0 ? faults[k / 5] : undefined;
      if (f !== undefined) double.inject(f);
      if (f?.kind === "silence") {
        // Nothing at all (heartbeats neither) comes: the plugin drops the connection and resyncs on a new one.
        await until(() => venue.market.counters.stale === 1 && caughtUp(), "stale connection replaced");
      }
      double.step(800);
      // A lost message is only noticed when the next one arrives: step one frame at a time until caught up.
      for (let n = 0; n < 5000 && !double.done; n++) {
        try {
          await until(caughtUp, "caught up", 300);
          break;
        } catch {
          double.step(1);
        }
      }
    }
    await until(caughtUp, "caught up at the end");
    expect(mismatches.slice(0, 5)).toEqual([]);
    // 3,449 diffs in the file: those in a lost stretch are not compared one by one.
    expect(compared).toBeGreaterThan(2500);
    expect(sameBook(venue.market.books[0]!, double.book)).toBe(true);
    const count = (code: string) => rec.alerts.filter((a) => a.code === code).length;
    // drop, reorder, gap, malformed, and three drops spread over time (each seen on its own):
    // seven gaps, each resynced on the same connection.
    expect(count("COINBASE_BOOK_RESYNC")).toBe(7);
    expect(venue.market.counters.gaps).toBe(7);
    expect(rec.alerts.find((a) => a.code === "COINBASE_BOOK_RESYNC" && a.message.includes("lost=7"))).toBeDefined();
    expect(count("COINBASE_BAD_MESSAGE")).toBe(1);
    expect(rec.alerts.find((a) => a.code === "COINBASE_BAD_MESSAGE")!.message).toStartWith("stream=market frame is not JSON: ");
    expect(count("COINBASE_STREAM_STALE")).toBe(1);
    // The disconnect and the stale connection's drop.
    expect(count("COINBASE_STREAM_DOWN")).toBe(2);
    // The start, seven resyncs and two reconnects each ended in a snapshot.
    expect(count("COINBASE_BOOK_SYNCED")).toBe(10);
    // The duplicate and the reordered message (arriving late) were ignored by sequence number.
    expect(venue.market.counters.duplicates).toBe(2);
    expect(venue.market.counters.heartbeats).toBeGreaterThan(0);
    expect(rec.quotes.length).toBeGreaterThan(500);
    expect(rec.quotes.every((q) => q.bid > 0 && q.ask > q.bid)).toBe(true);
    // Trades once each, by trade id, never the subscription snapshot's past trades.
    const tradeFrames = double.frames.filter((f) => f.stream.endsWith("@trade")).length;
    expect(rec.trades.length).toBeGreaterThan(tradeFrames * 0.9);
    expect(rec.trades.length).toBeLessThanOrEqual(tradeFrames);
  });
});

function order(id: number, side: 1 | -1, price: number, size: number, tif: VenueOrder["tif"] = "GTC", postOnly = false): VenueOrder {
  return { id, instrument: 0, side, type: "limit", tif, price, stopPrice: 0, size, expireTs: 0, postOnly, ts: 0 };
}

describe("orders", () => {
  test("acknowledged, filled and cancelled; clock skew, a 429, lost answers, lost user events and a user outage lose or double nothing", async () => {
    const { double, venue, rec } = start();
    await venue.ready;
    await until(() => venue.market.synced[0] === true && venue.orders!.connected, "synced and user channel up");
    double.step(2000);
    await until(() => venue.market.expectedSeq === double.marketSeq, "frames");
    const reportsOf = (id: number) => rec.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    const filledOf = (id: number) => rec.reports.reduce((s, r) => s + (r.orderId === id && r.kind === "fill" ? r.size : 0), 0);
    const atDouble = (id: number) => double.matching.byClientId.get(`t-${id}`);
    const { bid, ask } = venue.market.touch(0);

    // An IOC through the touch fills as taker (fills from REST, by trade id); the rest expires.
    venue.submit(order(1, 1, ask + 500, 5_000_000, "IOC"));
    await until(() => reportsOf(1).at(-1) === "expired" || filledOf(1) === 5_000_000, "IOC done");
    expect(reportsOf(1)[0]).toBe("accepted");
    expect(filledOf(1)).toBe(atDouble(1)!.executed);
    expect(filledOf(1)).toBeGreaterThan(0);
    const fill = rec.reports.find((r) => r.orderId === 1 && r.kind === "fill")!;
    expect(fill.kind === "fill" && fill.liquidity).toBe("taker");
    // Taker fee 0.6% of notional, in money units (cents x 1e-8 BTC), exact.
    expect(fill.kind === "fill" && fill.fee).toBe(fill.kind === "fill" ? (fill.price * fill.size * 6) / 1000 : 0);

    // A resting order is acknowledged, then cancelled.
    venue.submit(order(2, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(2).includes("accepted"), "ack");
    venue.cancel(2);
    await until(() => reportsOf(2).includes("canceled"), "cancel");
    expect(reportsOf(2)).toEqual(["accepted", "canceled"]);
    expect(atDouble(2)!.status).toBe("CANCELED");

    // Increments from the products endpoint: a price off the 0.01 grid cannot exist at 2 decimals,
    // a post-only IOC is refused, and a value under quote_min_size (1 USD) never leaves.
    const sent = double.counters.orderRequests;
    venue.submit(order(3, 1, bid - 100_000, 1));
    expect((rec.reports.find((r) => r.orderId === 3) as { reason: string }).reason).toStartWith("COINBASE_INCREMENT: quote_min_size");
    venue.submit(order(30, 1, bid, 100_000, "IOC", true));
    expect((rec.reports.find((r) => r.orderId === 30) as { reason: string }).reason).toStartWith("UNSUPPORTED: post-only");
    expect(double.counters.orderRequests).toBe(sent);

    // Clock skew of 5 minutes: every token is outside its two minutes; the 401 re-measures the clock and the retry is accepted once.
    double.inject({ kind: "clock-skew", ms: 300_000 });
    venue.submit(order(4, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(4).includes("accepted"), "ack after skew");
    expect(rec.alerts.some((a) => a.code === "COINBASE_CLOCK_RESYNC")).toBe(true);
    expect(double.authFailures.some((w) => w.startsWith("outside its time"))).toBe(true);
    expect([...double.matching.orders.values()].filter((o) => o.clientOrderId === "t-4").length).toBe(1);

    // Lost new-order answers (the order exists, a 503 comes back): the same request is resent and
    // Coinbase answers with the order it has; one order at the exchange, one acknowledgement.
    double.inject({ kind: "lose-order-answer", count: 2 });
    venue.submit(order(5, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(5).includes("accepted") && double.counters.idempotentReplays === 2, "ack after lost answers");
    await Bun.sleep(50);
    expect(venue.orders!.counters.retries).toBe(2);
    expect([...double.matching.orders.values()].filter((o) => o.clientOrderId === "t-5").length).toBe(1);

    // A 429: the order is refused, the next one too without a request until Retry-After passes.
    double.inject({ kind: "rate-limit", requests: 1 });
    venue.submit(order(6, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(6).includes("rejected"), "429 reject");
    const requests = double.counters.requests;
    venue.submit(order(7, 1, bid - 100_000, 100_000));
    await until(() => reportsOf(7).includes("rejected"), "back-off reject");
    expect((rec.reports.find((r) => r.orderId === 7) as { reason: string }).reason).toStartWith("COINBASE_RATE_LIMITED");
    expect(double.counters.requests).toBe(requests);
    await until(() => venue.rest.backoffLeft() === 0, "back-off over");

    // User channel outage: every event of a taker order is lost; the reconnect re-reads it over REST.
    const { ask: ask2 } = venue.market.touch(0);
    double.inject({ kind: "lose-user-events", count: 1_000 });
    venue.submit(order(8, 1, ask2 + 2_000, 3_000_000, "IOC"));
    await until(() => atDouble(8) !== undefined && (atDouble(8)!.status === "EXPIRED" || atDouble(8)!.status === "FILLED"), "IOC done at the double");
    await until(() => reportsOf(8).includes("accepted"), "REST ack");
    expect(filledOf(8)).toBe(0);
    double.inject({ kind: "lose-user-events", count: -1_000 });
    double.inject({ kind: "disconnect", streams: "user" });
    await until(() => venue.orders!.counters.userReconnects === 1 && filledOf(8) === atDouble(8)!.executed && (reportsOf(8).includes("expired") || filledOf(8) === 3_000_000), "reconciled");
    expect(rec.reports.filter((r) => r.orderId === 8 && r.kind === "fill").length).toBe(double.matching.trades.filter((t) => t.orderId === atDouble(8)!.orderId).length);

    // A resting order fills as maker when the replay trades through it.
    const { bid: bid3 } = venue.market.touch(0);
    venue.submit(order(9, 1, bid3, 100_000));
    await until(() => reportsOf(9).includes("accepted"), "maker ack");
    for (let n = 0; n < 40 && !reportsOf(9).includes("fill") && !double.done; n++) {
      double.step(200);
      await Bun.sleep(20);
    }
    if (reportsOf(9).includes("fill")) expect((rec.reports.find((r) => r.orderId === 9 && r.kind === "fill") as { liquidity: string }).liquidity).toBe("maker");
    else venue.cancel(9);

    venue.cancel(4);
    venue.cancel(5);
    await until(() => reportsOf(4).includes("canceled") && reportsOf(5).includes("canceled"), "cancels");
    await until(() => rec.reports.filter((r) => r.kind === "fill").length === double.matching.trades.length, "every fill reported");
    // Every trade at the double was reported exactly once, with its size.
    const fills = rec.reports.filter((r) => r.kind === "fill");
    expect(fills.reduce((s, r) => s + (r.kind === "fill" ? r.size : 0), 0)).toBe(double.matching.trades.reduce((s, t) => s + t.qty, 0));
    for (const id of [1, 2, 4, 5, 6, 7, 8]) {
      const kinds = reportsOf(id);
      expect(kinds.filter((k) => k === "canceled" || k === "expired" || k === "rejected").length).toBeLessThanOrEqual(1);
      expect(kinds.filter((k) => k === "accepted").length).toBeLessThanOrEqual(1);
    }
    expect(double.authFailures.filter((w) => !w.startsWith("outside its time"))).toEqual([]);
  });

  test("a key the exchange does not know: orders are refused as unauthenticated and the user subscription fails, each with one line", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    const { double, venue, rec } = start("coinbase", other);
    await venue.ready;
    await until(() => venue.market.synced[0] === true, "synced");
    const { bid } = venue.market.touch(0);
    // Products could not be read with a bad key: orders are refused before sending.
    venue.submit(order(1, 1, bid - 100_000, 100_000));
    expect((rec.reports[0] as { reason: string }).reason).toStartWith("COINBASE_NOT_READY");
    expect(rec.alerts.some((a) => a.code === "COINBASE_START_FAILED" && a.message.includes("status=401"))).toBe(true);
    await until(() => rec.alerts.some((a) => a.code === "COINBASE_SUBSCRIBE_ERROR"), "user subscription refused");
    expect(rec.alerts.find((a) => a.code === "COINBASE_SUBSCRIBE_ERROR")!.message).toBe("stream=user message=authentication failure: bad signature");
    expect(double.authFailures.every((w) => w === "bad signature")).toBe(true);
  });
});

describe("reconciliation after a user channel outage", () => {
  test("fills made while the user channel is down are applied exactly once: the open-orders list settles the unchanged orders in one request, the others are read by themselves", async () => {
    const { double, venue, rec } = start();
    await venue.ready;
    await until(() => venue.market.synced[0] === true && venue.orders!.connected, "up");
    await outageFillsOnce({ venue, double, rec, bid: venue.market.touch(0).bid, clientId: (id) => `t-${id}`, reconcileCode: "COINBASE_RECONCILE" });
  });
});
