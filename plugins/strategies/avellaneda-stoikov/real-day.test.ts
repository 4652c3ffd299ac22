/**
 * The market maker on the real Dukascopy EURUSD day (first 20,000 quotes), with a simple fill
 * model: a resting quote fills at its price when the market trades through its level. Asserts
 * invariants that must hold on any data, and that the run was not vacuous.
 */
import { expect, test } from "bun:test";
import { createStrategyHarness, type StrategyHarness } from "../../sdk/harness.ts";
import { dukascopyQuotes as quotes, EURUSD } from "../testing/real-day.ts";
import avellanedaStoikov from "./index.ts";

/** Fills every open quote the new touch trades through, at the quote's price. */
function fillAgainst(h: StrategyHarness, bid: number, ask: number): void {
  for (const o of h.openOrders.slice()) {
    const live = h.order(o.id);
    if (live === undefined || live.status !== "working") continue;
    if (o.side > 0 ? ask <= o.price || bid < o.price : bid >= o.price || ask > o.price) h.fill(o.id);
  }
}

test("on the real EURUSD day: quotes never cross the touch, inventory stays capped, and long inventory quotes lower than short", async () => {
  const params = { orderSize: 100_000, maxInventory: 300_000, requoteTicks: 1 };
  const h = createStrategyHarness(avellanedaStoikov, { params, instruments: [EURUSD], startTs: 1_549_238_400_000_000 });
  const skew = { long: 0, longN: 0, short: 0, shortN: 0 };
  for (const [ts, bid, ask, bidSize, askSize] of await quotes(20_000)) {
    fillAgainst(h, bid!, ask!);
    const before = h.intents.length;
    h.quote(0, bid!, ask!, bidSize!, askSize!, ts);
    const pos = h.position(0);
    expect(Math.abs(pos)).toBeLessThanOrEqual(params.maxInventory);
    const open = h.openOrders;
    expect(open.filter((o) => o.side > 0).length).toBeLessThanOrEqual(1);
    expect(open.filter((o) => o.side < 0).length).toBeLessThanOrEqual(1);
    for (const { intent } of h.intents.slice(before)) {
      expect(intent).toMatchObject({ type: "limit", tif: "GTC", postOnly: true });
      if (intent.side > 0) expect(intent.price!).toBeLessThan(ask!);
      else expect(intent.price!).toBeGreaterThan(bid!);
    }
    const b = open.find((o) => o.side > 0);
    const a = open.find((o) => o.side < 0);
    if (b !== undefined && a !== undefined && pos !== 0) {
      // Where the quotes are centred, relative to the market mid, in ticks.
      const centre = (b.price + a.price - bid! - ask!) / 2;
      if (pos > 0) (skew.long += centre), skew.longN++;
      else (skew.short += centre), skew.shortN++;
    }
  }
  expect(h.fills.filter((f) => f.side > 0).length).toBeGreaterThan(10);
  expect(h.fills.filter((f) => f.side < 0).length).toBeGreaterThan(10);
  expect(skew.longN).toBeGreaterThan(100);
  expect(skew.shortN).toBeGreaterThan(100);
  expect(skew.long / skew.longN).toBeLessThan(0);
  expect(skew.short / skew.shortN).toBeGreaterThan(0);
}, 15_000);
