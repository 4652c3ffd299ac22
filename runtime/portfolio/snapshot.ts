/**
 * Portfolio snapshots: a plain JSON-able copy of the state (lots, realised P&L and fees per strategy
 * book, marks), for the journal and the admin API, and the restore that rebuilds an equal portfolio
 * from one. Derived totals (positions, costs, per-instrument sums) are recomputed on restore, never
 * trusted from the snapshot; the `positions` section is informational.
 */
import type { Side } from "../../plugins/sdk/orders.ts";
import type { Portfolio } from "./portfolio.ts";
import type { PositionBook } from "./position-book.ts";

/** One strategy's book on one instrument. Lots are [price, size, ts, fillId], oldest first. */
export interface BookSnapshot {
  strategy: string;
  instrument: number;
  symbol: string;
  side: Side | 0;
  realised: number;
  fees: number;
  lots: number[][];
}

/** Whole-portfolio snapshot, format version 1. Money in each instrument's money units. */
export interface PortfolioSnapshot {
  version: 1;
  fillCount: number;
  strategies: string[];
  marks: { instrument: number; symbol: string; bid: number; ask: number }[];
  books: BookSnapshot[];
  positions: { instrument: number; symbol: string; position: number; realised: number; unrealised: number; fees: number }[];
  /** Funding booked per instrument (only those with any); absent in snapshots from before funding existed. */
  funding?: { instrument: number; symbol: string; amount: number }[];
}

/** Builds a snapshot; `book` looks up a strategy's book (the portfolio passes its private lookup). */
export function takeSnapshot(p: Portfolio, book: (strategy: string, instrument: number) => PositionBook | undefined): PortfolioSnapshot {
  const books: BookSnapshot[] = [];
  // Only instruments with funding, and no key at all without any (snapshots of spot sessions stay as they were).
  const funding = p.instruments.filter((i) => p.funding(i.id) !== 0).map((i) => ({ instrument: i.id, symbol: i.symbol, amount: p.funding(i.id) }));
  for (const strategy of p.strategies) {
    for (const inst of p.instruments) {
      const b = book(strategy, inst.id);
      if (b === undefined || (b.side === 0 && b.realised === 0 && b.fees === 0)) continue;
      const lots: number[][] = [];
      for (let k = 0; k < b.lots.length; k++) lots.push([b.lots.priceAt(k), b.lots.sizeAt(k), b.lots.tsAt(k), b.lots.fillIdAt(k)]);
      books.push({ strategy, instrument: inst.id, symbol: inst.symbol, side: b.side, realised: b.realised, fees: b.fees, lots });
    }
  }
  return {
    version: 1,
    fillCount: p.fillCount,
    strategies: [...p.strategies],
    marks: p.instruments.filter((i) => p.isMarked(i.id)).map((i) => ({ instrument: i.id, symbol: i.symbol, bid: p.bid(i.id), ask: p.ask(i.id) })),
    books,
    positions: p.instruments.map((i) => ({
      instrument: i.id, symbol: i.symbol, position: p.position(i.id), realised: p.realised(i.id), unrealised: p.unrealised(i.id), fees: p.fees(i.id),
    })),
    ...(funding.length > 0 ? { funding } : {}),
  };
}
