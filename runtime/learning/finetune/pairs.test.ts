import { describe, expect, test } from "bun:test";
import { msUntil } from "../nightly.ts";
import { DIRECTION } from "../dataset/labels.ts";
import { outcomes, pairsOf, type StoreInstrument, type TakenOrder } from "./pairs.ts";

/** An instrument whose touch is 100000/100002 until t=10 s, then 100010/100012. */
function instrument(): StoreInstrument {
  return {
    id: 0, symbol: "EURUSD", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000,
    ts: Float64Array.from([0, 5e6, 10e6, 60e6]), bid: Float64Array.from([100000, 100000, 100010, 100010]), ask: Float64Array.from([100002, 100002, 100012, 100012]),
  };
}

describe("preference pairs from trade outcomes", () => {
  test("a buy before a rise beats flat and the opposite side, net of fees", () => {
    // Bought 1000 at 100002 (the ask) at 4 s, paying a fee of 2 money units.
    const o: TakenOrder = { inst: 0, t: 4e6, side: 1, size: 1000, price: 100002, fee: 2, lastFillTs: 4e6 };
    const out = outcomes(instrument(), o, 30e6)!;
    const rate = 2 / (100002 * 1000);
    // Exit at the bid after 30 s (100010): +8 ticks x 1000, less the entry fee and the exit fee at the same rate.
    expect(out.taken).toBeCloseTo(8 * 1000 - 2 - rate * 100010 * 1000, 9);
    expect(out.takenClass).toBe(DIRECTION.long);
    // Selling instead: at the bid 100000, bought back at the ask 100012 after 30 s.
    expect(out.byClass[DIRECTION.short]).toBeCloseTo(-12 * 1000 - rate * (100000 + 100012) * 1000, 9);
    expect(out.byClass[DIRECTION.flat]).toBe(0);
    const pairs = pairsOf(7, o, out);
    expect(pairs.map((p) => [p.against, p.chosen, p.rejected])).toEqual([["flat", DIRECTION.long, DIRECTION.flat], ["opposite", DIRECTION.long, DIRECTION.short]]);
    expect(pairs.every((p) => p.margin > 0 && p.order === 7 && p.t === 4e6)).toBe(true);
  });

  test("a sell before a rise loses to flat and to buying", () => {
    const o: TakenOrder = { inst: 0, t: 4e6, side: -1, size: 1000, price: 100000, fee: 2, lastFillTs: 4e6 };
    const out = outcomes(instrument(), o, 30e6)!;
    expect(out.taken).toBeLessThan(0);
    const pairs = pairsOf(0, o, out);
    expect(pairs.map((p) => [p.chosen, p.rejected])).toEqual([[DIRECTION.flat, DIRECTION.short], [DIRECTION.long, DIRECTION.short]]);
  });

  test("no outcome when the quotes end before the horizon", () => {
    const o: TakenOrder = { inst: 0, t: 40e6, side: 1, size: 1000, price: 100012, fee: 0, lastFillTs: 40e6 };
    expect(outcomes(instrument(), o, 30e6)).toBeNull();
  });

  test("nightly --at waits until the next HH:MM UTC", () => {
    expect(msUntil("02:00", new Date("2024-01-08T01:30:00Z"))).toBe(30 * 60_000);
    expect(msUntil("02:00", new Date("2024-01-08T02:00:00Z"))).toBe(24 * 3600_000);
    expect(msUntil("00:15", new Date("2024-01-08T23:45:00Z"))).toBe(30 * 60_000);
  });
});
