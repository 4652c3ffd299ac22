/**
 * Top of book per symbol from MarketDataSnapshotFullRefresh (W) and
 * MarketDataIncrementalRefresh (X). Levels are keyed by MDEntryID when the venue sends one,
 * else by price; with a depth-1 subscription each entry replaces its side. The consolidated
 * book across sessions is the data engine's job; this only turns one session's feed into quotes.
 */
import type { FixMessage } from "../codec/message.ts";
import type { FixInstrument, FixQuote } from "./types.ts";

interface Side {
  readonly levels: Map<string, { price: number; size: number }>;
}

interface SymbolBook {
  readonly bids: Side;
  readonly asks: Side;
}

/** One session's books; `apply` returns the symbols whose top changed. */
export class SessionBooks {
  private readonly books = new Map<string, SymbolBook>();

  constructor(
    private readonly session: string,
    private readonly instruments: ReadonlyMap<string, FixInstrument>,
    private readonly depth: number,
  ) {}

  private book(symbol: string): SymbolBook {
    let b = this.books.get(symbol);
    if (b === undefined) {
      b = { bids: { levels: new Map() }, asks: { levels: new Map() } };
      this.books.set(symbol, b);
    }
    return b;
  }

  /** Applies a W or X message; returns the symbols touched, or a problem text for entries it could not map. */
  apply(m: FixMessage): { symbols: string[]; problems: string[] } {
    const snapshot = m.msgType === "W";
    const symbols: string[] = [];
    const problems: string[] = [];
    const topSymbol = m.string(55);
    if (snapshot && topSymbol !== undefined) {
      const b = this.book(topSymbol);
      b.bids.levels.clear();
      b.asks.levels.clear();
      symbols.push(topSymbol);
    }
    const g = m.indexOf(268);
    if (g < 0) return { symbols, problems };
    const count = m.intAt(g);
    for (let k = 0, p = g + 1; k < count; k++, p = m.endOf(p)) {
      const end = m.endOf(p);
      const si = m.findIn(55, p, end);
      const symbol = si >= 0 ? m.stringAt(si) : topSymbol;
      if (symbol === undefined) { problems.push("FIX_VENUE_MD_NO_SYMBOL"); continue; }
      const instrument = this.instruments.get(symbol);
      if (instrument === undefined) continue;
      const ti = m.findIn(269, p, end);
      const type = ti >= 0 ? m.charAt(ti) : -1;
      if (type !== 48 && type !== 49) continue;
      const side = type === 48 ? this.book(symbol).bids : this.book(symbol).asks;
      const ai = snapshot ? -1 : m.findIn(279, p, end);
      const action = ai >= 0 ? m.charAt(ai) : 48;
      const price = m.scaledIn(270, p, end, instrument.priceDecimals);
      const size = m.scaledIn(271, p, end, instrument.sizeDecimals);
      const ei = m.findIn(278, p, end);
      const key = ei >= 0 ? m.stringAt(ei) : this.depth === 1 ? "top" : String(price);
      if (action === 50) side.levels.delete(key);
      else if (Number.isNaN(price) || Number.isNaN(size)) { problems.push(`FIX_VENUE_INEXACT_DECIMAL: symbol=${symbol} entry=${k}`); continue; }
      else side.levels.set(key, { price, size });
      if (!symbols.includes(symbol)) symbols.push(symbol);
    }
    return { symbols, problems };
  }

  /** Best bid and offer of a symbol now. */
  quote(symbol: string, ts: number): FixQuote {
    const b = this.book(symbol);
    let bidPrice = 0, bidSize = 0, askPrice = 0, askSize = 0;
    for (const l of b.bids.levels.values()) if (bidSize === 0 || l.price > bidPrice) { bidPrice = l.price; bidSize = l.size; }
    for (const l of b.asks.levels.values()) if (askSize === 0 || l.price < askPrice) { askPrice = l.price; askSize = l.size; }
    return { session: this.session, symbol, bidPrice, bidSize, askPrice, askSize, ts };
  }

  /** Forgets every level (the session went down, its quotes are stale). */
  clear(): void {
    this.books.clear();
  }
}
