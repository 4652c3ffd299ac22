/**
 * The contract between market data sources and the kernel: a pull-based stream of flyweight
 * market events in non-decreasing `ts` order. A source writes each event into an event object the
 * caller owns and reuses, so pulling an event allocates nothing. Synthetic markets, replays of
 * recorded ticks, merges and pacers all implement this one interface.
 */

import type { RowError } from "../formats/quote-reader.ts";

/** Kinds of market events a source can produce. */
export const enum MarketEventKind {
  Quote = 1,
  Trade = 2,
  /** An L2 level changed: `side` (+1 bid, -1 ask), `price` and the level's new total `size` (0 removes it). */
  BookDelta = 3,
}

/** Reusable market event written by a source (flyweight): integers only. */
export interface MarketEvent {
  kind: MarketEventKind;
  /** Microseconds since the Unix epoch. */
  ts: number;
  /** Instrument.id of the instrument the event is about. */
  instrument: number;
  /** Quote: best bid in price ticks. */
  bid: number;
  /** Quote: best ask in price ticks. */
  ask: number;
  /** Quote: size at the best bid in size units. */
  bidSize: number;
  /** Quote: size at the best ask in size units. */
  askSize: number;
  /** Trade: price in ticks. */
  price: number;
  /** Trade: size in units. */
  size: number;
  /** Trade: +1 buy aggressor, -1 sell aggressor, 0 unknown. BookDelta: +1 bid, -1 ask. */
  side: number;
}

/** A pull-based source of market events in non-decreasing ts order (as far as the data allows). */
export interface MarketSource {
  readonly name: string;
  /** ts of the next event, or Infinity when the source is exhausted. */
  peekTs(): number;
  /** Writes the next event into `out`; returns false when exhausted. No allocation per event. */
  next(out: MarketEvent): boolean;
  /** Problems seen so far (bad rows etc.), counted. */
  readonly errorCount: number;
  /** Bad rows skipped so far, per input (sources that read files). */
  badRowsBySource?(): SourceBadRows[];
  close(): void;
}

/** Bad rows one input of a source skipped: how many, and the first with file, line and reason. */
export interface SourceBadRows {
  /** The input as its deployment names it (e.g. the replay file's path). */
  source: string;
  count: number;
  first: RowError | null;
}

/** Returns a zeroed event for a caller to reuse across `next` calls. */
export function newMarketEvent(): MarketEvent {
  return { kind: MarketEventKind.Quote, ts: 0, instrument: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0, price: 0, size: 0, side: 0 };
}

/** Copies every field of `from` into `to` (no allocation). */
export function copyMarketEvent(from: MarketEvent, to: MarketEvent): void {
  to.kind = from.kind;
  to.ts = from.ts;
  to.instrument = from.instrument;
  to.bid = from.bid;
  to.ask = from.ask;
  to.bidSize = from.bidSize;
  to.askSize = from.askSize;
  to.price = from.price;
  to.size = from.size;
  to.side = from.side;
}
