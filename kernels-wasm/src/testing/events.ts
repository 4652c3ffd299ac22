/**
 * Test-only event streams for the kernels: fast-check arbitraries for random and adversarial
 * market events (bursts at one timestamp, gaps longer than every window, zero sizes, prices
 * from a few ticks to 10^12 ticks), a small configuration whose windows and rings those streams
 * overrun, and a function that replays a stream into any FeatureKernels.
 */
import fc from "fast-check";
import type { FeatureKernels } from "../api.ts";
import type { FeatureKernelsConfig } from "../config.ts";

/** One market event of a generated stream. */
export interface MarketEvent {
  kind: "quote" | "trade" | "book";
  instrument: number;
  dt: number;
  offset: number;
  spread: number;
  bidSize: number;
  askSize: number;
  side: number;
}

/** A generated stream: a price scale shared by its events, and the events. */
export interface MarketStream {
  instruments: number;
  scale: number;
  capacity: number;
  events: MarketEvent[];
}

/** Returns a small configuration whose windows and ring capacity generated streams overrun. */
export function smallConfig(instruments: number, capacity: number): FeatureKernelsConfig {
  return {
    instruments,
    vwapWindowsUs: [100, 1_000, 100_000],
    spreadWindowUs: 500,
    ewmaHalfLivesUs: [1_000, 50_000],
    realisedVolWindowsUs: [300, 20_000],
    imbalanceLevels: 3,
    pressureWindowUs: 200,
    volumeZWindowUs: 5_000,
    emaFastUs: 1_000,
    emaSlowUs: 10_000,
    donchianWindowUs: 2_000,
    rsiPeriod: 5,
    zscoreWindowUs: 3_000,
    correlationHalfLifeUs: 20_000,
    correlationSampleUs: 0,
    contextLength: 8,
    ringCapacity: capacity,
  };
}

const sizeArb = (max: number) => fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max }));

/** Arbitrary event: bursts (dt 0), ticks, window-length steps, and gaps longer than every window. */
export const eventArb = (instruments: number, maxSize = 1_000_000_000): fc.Arbitrary<MarketEvent> => {
  const size = sizeArb(maxSize);
  return fc.record({
    kind: fc.constantFrom<MarketEvent["kind"]>("quote", "quote", "quote", "trade", "trade", "book"),
    instrument: fc.integer({ min: 0, max: instruments - 1 }),
    dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3_000 }),
      fc.constantFrom(100, 200, 300, 500, 1_000, 2_000, 3_000, 5_000),
      fc.integer({ min: 100_000, max: 10_000_000 })),
    offset: fc.integer({ min: -40, max: 40 }),
    spread: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -2, max: 500 })),
    bidSize: size,
    askSize: size,
    side: fc.constantFrom(-1, 0, 1),
  });
};

/**
 * Arbitrary stream of up to `maxEvents` events over 1..maxInstruments instruments. With
 * `exactSums`, prices stay at or below 10^9 ticks and sizes at or below 10^4 units, so every
 * rolling sum of price x size over 200 events stays an exact integer below 2^53.
 */
export const streamArb = (maxInstruments: number, maxEvents: number, exactSums = false): fc.Arbitrary<MarketStream> =>
  fc.integer({ min: 1, max: maxInstruments }).chain((instruments) =>
    fc.record({
      instruments: fc.constant(instruments),
      scale: exactSums ? fc.constantFrom(3, 100, 114_543, 1_000_000_000) : fc.constantFrom(3, 100, 114_543, 1_000_000_000, 1_000_000_000_000),
      capacity: fc.constantFrom(16, 64, 1024),
      events: fc.array(eventArb(instruments, exactSums ? 10_000 : 1_000_000_000), { minLength: 1, maxLength: maxEvents }),
    }));

/** Replays event `e` of a stream at time `ts` into kernels `k`. */
export function applyEvent(k: FeatureKernels, e: MarketEvent, ts: number, scale: number, drift: number): void {
  const bid = scale + drift + e.offset;
  if (e.kind === "quote") k.onQuote(e.instrument, ts, bid, bid + e.spread, e.bidSize, e.askSize);
  else if (e.kind === "trade") k.onTrade(e.instrument, ts, bid + (e.side > 0 ? e.spread : 0), e.bidSize, e.side);
  else {
    const sizes = [e.bidSize, e.askSize, e.bidSize + 1, e.askSize + 2];
    k.onBook(e.instrument, ts, [bid, bid - 1, bid - 2, bid - 3], sizes, [bid + 1, bid + 2, bid + 3, bid + 4],
      [e.askSize, e.bidSize, 3, 0], 1 + (e.offset & 3));
  }
}
