/**
 * The scalper on the real Dukascopy EURUSD day (first 20,000 quotes), with a simple fill model: a
 * resting order fills at its price when the market trades through its level (our touch moves past
 * it, or the opposite touch reaches it), an IOC fills at the touch when it is marketable.
 * Asserts invariants that must hold on any data, and that the run was not vacuous.
 */
import { expect, test } from "bun:test";
import { createStrategyHarness, type StrategyHarness } from "../../sdk/harness.ts";
import { dukascopyQuotes as quotes, EURUSD } from "../testing/real-day.ts";
import obiScalper from "./index.ts";

/**
 * Fills open orders against a quote: a resting order the quote trades through fills at its price
 * (before the strategy sees that quote, as a venue would); an IOC fills at the touch when marketable.
 */
function fillAgainst(h: StrategyHarness, bid: number, ask: number, resting: boolean): void {
  for (const o of h.openOrders.slice()) {
    const live = h.order(o.id);
    if (live === undefined || live.status === "filled" || live.status === "canceled" || live.status === "rejected") continue;
    const ioc = o.tif === "IOC";
    if (ioc === resting) continue;
    const touch = o.side > 0 ? ask : bid;
    const ownTouch = o.side > 0 ? bid : ask;
    if (ioc && o.side * (o.price - touch) >= 0) h.fill(o.id, touch, undefined, "taker");
    else if (!ioc && (o.side * (o.price - touch) >= 0 || o.side * (o.price - ownTouch) > 0)) h.fill(o.id, o.price, undefined, "maker");
  }
}

test("on the real EURUSD day: entries obey the signal and spread, positions stay capped and close within the hold time", async () => {
  const params = { orderSize: 100_000, maxPosition: 100_000, entryImbalance: 0.6, maxSpreadTicks: 2, maxHoldUs: 20_000_000, cooldownUs: 2_000_000 };
  const h = createStrategyHarness(obiScalper, { params, instruments: [EURUSD], startTs: 1_549_238_400_000_000 });
  let openedAt = -1;
  let longestHold = 0;
  let roundTrips = 0;
  let entries = 0;
  for (const [ts, bid, ask, bidSize, askSize] of await quotes(20_000)) {
    fillAgainst(h, bid!, ask!, true);
    const pos0 = h.position(0);
    const before = h.intents.length;
    h.quote(0, bid!, ask!, bidSize!, askSize!, ts);
    if (pos0 === 0) {
      for (const { intent } of h.intents.slice(before)) {
        entries++;
        expect(ask! - bid!).toBeLessThanOrEqual(params.maxSpreadTicks);
        expect((intent.side * (bidSize! - askSize!)) / (bidSize! + askSize!)).toBeGreaterThanOrEqual(params.entryImbalance);
      }
    }
    fillAgainst(h, bid!, ask!, false);
    const pos = h.position(0);
    expect(Math.abs(pos)).toBeLessThanOrEqual(params.maxPosition);
    expect(h.openOrders.length).toBeLessThanOrEqual(2);
    if (pos !== 0 && openedAt < 0) openedAt = ts!;
    if (pos === 0 && openedAt >= 0) {
      longestHold = Math.max(longestHold, ts! - openedAt);
      openedAt = -1;
      roundTrips++;
    }
  }
  expect(entries).toBeGreaterThan(20);
  expect(roundTrips).toBeGreaterThan(5);
  // The hold timer fires at maxHoldUs; the flattening IOC fills on one of the next quotes.
  expect(longestHold).toBeLessThanOrEqual(params.maxHoldUs + 10_000_000);
}, 15_000);
