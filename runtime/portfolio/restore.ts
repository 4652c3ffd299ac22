/**
 * Rebuilds a portfolio from a snapshot (see snapshot.ts), checking that the snapshot fits the
 * deployment's instruments: the same symbols at the same ids, lots on the book's side with positive
 * integer sizes. Any mismatch is PORTFOLIO_SNAPSHOT_INVALID with the offending book in context.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { PortfolioError } from "./errors.ts";
import { Portfolio } from "./portfolio.ts";
import type { PortfolioSnapshot } from "./snapshot.ts";

/** Returns a portfolio equal in state to the one that produced `snapshot`. */
export function restorePortfolio(instruments: readonly Instrument[], snapshot: PortfolioSnapshot): Portfolio {
  if (snapshot?.version !== 1) throw invalid(`version=${String(snapshot?.version)}`);
  const p = new Portfolio(instruments, snapshot.strategies);
  restoreInto(p, snapshot, true);
  return p;
}

/**
 * Loads a snapshot into an empty portfolio (a session's, built before its journal is read);
 * `marks` false leaves the marks to the next quotes, as a replay of the journal does.
 */
export function restoreInto(p: Portfolio, snapshot: PortfolioSnapshot, marks: boolean): void {
  if (snapshot?.version !== 1) throw invalid(`version=${String(snapshot?.version)}`);
  const instruments = p.instruments;
  for (const s of snapshot.strategies) p.registerStrategy(s);
  const known = (id: number, symbol: string) => Number.isInteger(id) && instruments[id]?.symbol === symbol;
  for (const b of snapshot.books) {
    const where = `strategy=${b.strategy} instrument=${b.instrument} symbol=${b.symbol}`;
    if (!known(b.instrument, b.symbol)) throw invalid(`unknown instrument ${where}`);
    if (b.side !== 1 && b.side !== -1 && b.side !== 0) throw invalid(`side=${String(b.side)} ${where}`);
    if ((b.side === 0) !== (b.lots.length === 0)) throw invalid(`side=${b.side} lots=${b.lots.length} ${where}`);
    for (const lot of b.lots) {
      if (lot.length !== 4 || !lot.every(Number.isFinite) || !Number.isSafeInteger(lot[1]) || lot[1] <= 0) {
        throw invalid(`lot=${JSON.stringify(lot)} ${where}`);
      }
    }
    try {
      p.loadBook(b.strategy, b.instrument, b.side === 0 ? 1 : b.side, b.lots, b.realised, b.fees);
    } catch (e) {
      throw e instanceof PortfolioError && e.code !== "PORTFOLIO_SNAPSHOT_INVALID" ? invalid(`${e.message} ${where}`) : e;
    }
  }
  for (const f of snapshot.funding ?? []) {
    if (!known(f.instrument, f.symbol)) throw invalid(`unknown funding instrument=${f.instrument} symbol=${f.symbol}`);
    try {
      p.applyFunding(f.instrument, f.amount);
    } catch (e) {
      throw e instanceof PortfolioError ? invalid(`${e.message} funding`) : e;
    }
  }
  for (const m of marks ? snapshot.marks : []) {
    if (!known(m.instrument, m.symbol)) throw invalid(`unknown mark instrument=${m.instrument} symbol=${m.symbol}`);
    p.mark(m.instrument, m.bid, m.ask);
  }
  p.fillCount = snapshot.fillCount;
  p.lastRealised = 0;
  p.lastClosed = 0;
}

function invalid(context: string): PortfolioError {
  return new PortfolioError("PORTFOLIO_SNAPSHOT_INVALID", context);
}
