import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { fileURLToPath } from "node:url";
import type { Instrument } from "../../../../plugins/sdk/instrument.ts";
import { ArraySource } from "../array-source.ts";
import { MarketEventKind, newMarketEvent, type MarketEvent } from "../market-source.ts";
import { openReplaySource } from "../replay/replay-source.ts";
import { createSyntheticMarket } from "../synthetic/synthetic-market.ts";
import { createPacedSource } from "./paced-source.ts";

const DATA = fileURLToPath(new URL("../../../../../shared/data/", import.meta.url));
const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "dukascopy", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1 };
const quoteAt = (ts: number): MarketEvent => ({ ...newMarketEvent(), kind: MarketEventKind.Quote, ts, bid: 1, ask: 2 });
const WALL = 1_800_000_000_000_000;

describe("paced source", () => {
  test("an event is due when the wall clock reaches its ts scaled by the speed, from the first event", () => {
    const paced = createPacedSource(new ArraySource([quoteAt(1_000_000), quoteAt(1_500_000), quoteAt(3_000_000)]), { speed: 2, startWallUs: WALL });
    const ev = newMarketEvent();
    expect(paced.dueAt()).toBe(WALL);
    expect(paced.dueBy(WALL - 1)).toBe(false);
    expect(paced.dueBy(WALL)).toBe(true);
    expect(paced.next(ev)).toBe(true);
    expect(ev.ts).toBe(WALL);
    // 0.5 s of source time at speed 2 is 0.25 s of wall time.
    expect(paced.dueAt()).toBe(WALL + 250_000);
    expect(paced.peekTs()).toBe(WALL + 250_000);
    expect(paced.dueBy(WALL + 249_999)).toBe(false);
    expect(paced.dueBy(WALL + 250_000)).toBe(true);
    paced.next(ev);
    expect(ev.ts).toBe(WALL + 250_000);
    expect(paced.dueAt()).toBe(WALL + 1_000_000);
    paced.next(ev);
    expect(paced.dueAt()).toBe(Infinity);
    expect(paced.dueBy(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(paced.next(ev)).toBe(false);
  });

  test("without restamping, events keep the source's ts", () => {
    const paced = createPacedSource(new ArraySource([quoteAt(10), quoteAt(20)]), { startWallUs: WALL, restamp: false });
    const ev = newMarketEvent();
    expect(paced.peekTs()).toBe(10);
    expect(paced.dueAt()).toBe(WALL);
    paced.next(ev);
    expect(ev.ts).toBe(10);
    expect(paced.dueAt()).toBe(WALL + 10);
  });

  test("a speed change keeps the source time reached and runs at the new speed from there", () => {
    const paced = createPacedSource(new ArraySource([quoteAt(0), quoteAt(10_000_000)]), { speed: 1, startWallUs: WALL });
    const ev = newMarketEvent();
    paced.next(ev);
    expect(paced.dueAt()).toBe(WALL + 10_000_000);
    // 4 s in, 6 s of source time are left; at speed 3 they take 2 s.
    paced.setSpeed(3, WALL + 4_000_000);
    expect(paced.dueAt()).toBe(WALL + 6_000_000);
    expect(paced.currentSpeed).toBe(3);
  });

  test("a real-time loop on an injected clock delivers the Dukascopy day at 1000x, never early, all of it", () => {
    const replay = openReplaySource([{ path: `${DATA}dukascopy/EURUSD/2019-02-04.csv`, instrument: EURUSD, format: "dukascopy-csv" }]);
    const firstTs = replay.peekTs();
    const paced = createPacedSource(replay, { speed: 1000, startWallUs: WALL, restamp: false });
    const ev = newMarketEvent();
    let now = WALL, delivered = 0, wakeUps = 0, maxLate = 0;
    while (paced.dueAt() !== Infinity) {
      // The loop sleeps until the next event is due, then wakes a little late (as a real loop does).
      now = Math.max(now, paced.dueAt()) + 50;
      wakeUps++;
      while (paced.dueBy(now)) {
        paced.next(ev);
        const due = WALL + Math.floor((ev.ts - firstTs) / 1000);
        if (due > now) throw new Error(`event delivered early: due ${due}, now ${now}`);
        maxLate = Math.max(maxLate, now - due);
        delivered++;
      }
    }
    expect(delivered).toBe(136_741);
    expect(wakeUps).toBeLessThan(delivered);
    expect(maxLate).toBeLessThanOrEqual(50 + 1000);
    // The day's last tick is due about 86.4 s of wall time after the first at 1000x.
    expect(now - WALL).toBeGreaterThan(85_000_000);
    expect(now - WALL).toBeLessThan(86_500_000);
  });

  test("restamped synthetic events carry non-decreasing wall times", () => {
    const market = createSyntheticMarket({ seed: 4, maxEvents: 10_000 });
    const paced = createPacedSource(market, { speed: 50, startWallUs: WALL });
    const ev = newMarketEvent();
    let prev = 0, n = 0;
    while (paced.next(ev)) {
      if (!(ev.ts >= prev && Number.isInteger(ev.ts))) throw new Error("restamped ts went back");
      prev = ev.ts;
      n++;
    }
    expect(n).toBe(10_000);
    expect(prev).toBeGreaterThan(WALL);
  });

  test("whatever the speed and gaps, a loop that wakes late gets every event in order and never before it is due", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 200_000 }),
        (gaps, speed, lateUs) => {
          let ts = 1_700_000_000_000_000;
          const events = gaps.map((g) => quoteAt((ts += g)));
          const paced = createPacedSource(new ArraySource(events), { speed, startWallUs: WALL });
          const ev = newMarketEvent();
          let now = WALL, delivered = 0, prevTs = -Infinity;
          while (paced.dueAt() !== Infinity) {
            // The loop sleeps until the next event is due and wakes up to lateUs late.
            now = Math.max(now, paced.dueAt()) + lateUs;
            while (paced.dueBy(now)) {
              const due = paced.dueAt();
              paced.next(ev);
              if (due > now || ev.ts !== due || ev.ts < prevTs) throw new Error(`due ${due} now ${now} ts ${ev.ts} prev ${prevTs}`);
              prevTs = ev.ts;
              delivered++;
            }
          }
          expect(delivered).toBe(events.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a speed that is not positive is refused", () => {
    expect(() => createPacedSource(new ArraySource([]), { speed: 0, startWallUs: WALL })).toThrow("SOURCE_PARAM_INVALID");
  });
});
