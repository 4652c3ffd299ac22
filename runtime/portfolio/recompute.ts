/**
 * An independent, obviously-right recomputation of positions, lots, realised P&L and fees from a
 * fill list, used to check the Portfolio. It shares no code with it and uses a different
 * representation: lots are plain arrays of signed BigInt quantities (positive long, negative short),
 * consumed with shift(), and all money is BigInt, so it never rounds and never overflows.
 */
import type { Fill } from "../../plugins/sdk/orders.ts";

/** One open lot: entry price in ticks and signed quantity in units. */
export interface ReferenceLot {
  price: bigint;
  qty: bigint;
}

/** A strategy's book on one instrument, recomputed. */
export interface ReferenceBook {
  strategy: string;
  instrument: number;
  lots: ReferenceLot[];
  realised: bigint;
  fees: bigint;
}

/** Key of a book in the map recomputeFifo returns. */
export function bookKey(strategy: string, instrument: number): string {
  return `${strategy}\u0000${instrument}`;
}

/** Replays fills in order with FIFO lot matching per strategy and instrument. */
export function recomputeFifo(fills: readonly Fill[]): Map<string, ReferenceBook> {
  const books = new Map<string, ReferenceBook>();
  for (const fill of fills) {
    const key = bookKey(fill.strategy, fill.instrument);
    let book = books.get(key);
    if (book === undefined) {
      book = { strategy: fill.strategy, instrument: fill.instrument, lots: [], realised: 0n, fees: 0n };
      books.set(key, book);
    }
    const price = BigInt(fill.price);
    let want = BigInt(fill.side) * BigInt(fill.size); // signed quantity still to trade
    while (want !== 0n && book.lots.length > 0 && sign(book.lots[0].qty) !== sign(want)) {
      const lot = book.lots[0];
      const close = abs(lot.qty) < abs(want) ? abs(lot.qty) : abs(want);
      book.realised += (price - lot.price) * close * sign(lot.qty);
      lot.qty -= sign(lot.qty) * close;
      want -= sign(want) * close;
      if (lot.qty === 0n) book.lots.shift();
    }
    if (want !== 0n) book.lots.push({ price, qty: want });
    book.fees += BigInt(fill.fee);
  }
  return books;
}

/** Signed position in units of a recomputed book. */
export function referencePosition(book: ReferenceBook): bigint {
  return book.lots.reduce((sum, lot) => sum + lot.qty, 0n);
}

/** Unrealised P&L of a recomputed book, each lot valued at the price it could be closed at. */
export function referenceUnrealised(book: ReferenceBook, bid: bigint, ask: bigint): bigint {
  return book.lots.reduce((sum, lot) => sum + (lot.qty > 0n ? (bid - lot.price) * lot.qty : (ask - lot.price) * lot.qty), 0n);
}

function sign(x: bigint): bigint {
  return x > 0n ? 1n : x < 0n ? -1n : 0n;
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
