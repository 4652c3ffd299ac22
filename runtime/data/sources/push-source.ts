/**
 * A source that venues push market data into as it arrives (a FIX or WebSocket feed): a bounded
 * ring of preallocated events, stamped with the kernel time of arrival. The loop pulls them like
 * any other source. A full ring refuses the push (the caller counts the loss); it never grows.
 */
import { MarketEventKind, newMarketEvent, type MarketEvent, type MarketSource } from "./market-source.ts";

/** Ring of pushed market events. */
export class PushSource implements MarketSource {
  private readonly ring: MarketEvent[];
  private readonly mask: number;
  private head = 0;
  private tail = 0;
  /** Pushes refused because the ring was full. */
  dropped = 0;

  /** `capacity` is rounded up to a power of two. */
  constructor(
    readonly name: string,
    capacity = 1 << 16,
  ) {
    let size = 1;
    while (size < capacity) size <<= 1;
    this.ring = Array.from({ length: size }, newMarketEvent);
    this.mask = size - 1;
  }

  get errorCount(): number {
    return this.dropped;
  }

  /** Events waiting. */
  get size(): number {
    return this.tail - this.head;
  }

  /** Queues a quote; false (and counted) when the ring is full. */
  pushQuote(ts: number, instrument: number, bid: number, ask: number, bidSize: number, askSize: number): boolean {
    const e = this.claim(ts, instrument, MarketEventKind.Quote);
    if (e === null) return false;
    e.bid = bid;
    e.ask = ask;
    e.bidSize = bidSize;
    e.askSize = askSize;
    this.tail++;
    return true;
  }

  /** Queues a trade (or, with kind BookDelta, a depth update); false when the ring is full. */
  pushPrint(ts: number, instrument: number, price: number, size: number, side: number, kind: MarketEventKind = MarketEventKind.Trade): boolean {
    const e = this.claim(ts, instrument, kind);
    if (e === null) return false;
    e.price = price;
    e.size = size;
    e.side = side;
    this.tail++;
    return true;
  }

  peekTs(): number {
    return this.head === this.tail ? Infinity : this.ring[this.head & this.mask]!.ts;
  }

  next(out: MarketEvent): boolean {
    if (this.head === this.tail) return false;
    const e = this.ring[this.head & this.mask]!;
    out.kind = e.kind;
    out.ts = e.ts;
    out.instrument = e.instrument;
    out.bid = e.bid;
    out.ask = e.ask;
    out.bidSize = e.bidSize;
    out.askSize = e.askSize;
    out.price = e.price;
    out.size = e.size;
    out.side = e.side;
    this.head++;
    return true;
  }

  close(): void {
    this.head = this.tail;
  }

  private claim(ts: number, instrument: number, kind: MarketEventKind): MarketEvent | null {
    if (this.tail - this.head > this.mask) {
      this.dropped++;
      return null;
    }
    const e = this.ring[this.tail & this.mask]!;
    e.kind = kind;
    e.ts = ts;
    e.instrument = instrument;
    return e;
  }
}
