/**
 * Cross-venue stale-quote strategy, for a deployment with the same symbol at two venues (e.g. OANDA
 * and FXCM EURUSD: instruments `EURUSD@oanda` and `EURUSD@fxcm`). A StaleQuoteDetector watches both
 * touches; when one venue's quote has not changed for `staleMs` while the other's touch has moved
 * through it by at least `minEdgeTicks`, it takes the stale price (an IOC at the stale ask, or bid)
 * and lays the risk off at the fresh venue (an IOC at its bid, or ask) in the same instant: two legs
 * of `size`. When one leg fills and the other does not, the net position across the venues is
 * flattened with IOCs of at most `size` at the better touch (tag `xv:hedge`), retried on each quote
 * until flat; no new pair is taken while the net position is not flat.
 * Positions per venue are kept within `maxVenuePosition`; they offset each other and are not
 * unwound (a prime broker would net them). `observe` mode trades nothing and only counts and logs
 * the moments. Logs a summary (`cross-venue summary`) at the stop. No allocation per quote besides
 * the intents it sends.
 */
import { defineStrategy, isTerminal, type Instrument } from "../../sdk/index.ts";
import { StrategyParamsError } from "../shared/params-error.ts";
import { CrossVenueParams } from "./params.ts";
import { StaleEvent, StaleQuoteDetector } from "./stale-quotes.ts";

export default defineStrategy({
  manifest: {
    name: "cross-venue",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Takes one venue's stale quote and lays it off at the other venue (same symbol at two venues), hedging a leg that misses.",
    params: CrossVenueParams,
    instruments: { min: 1, max: 2 },
    capabilities: ["orders"],
  },
  create(ctx) {
    const p = ctx.params;
    const [a, b] = ctx.instruments as [Instrument, Instrument];
    const base = (i: Instrument): string => i.symbol.split("@")[0]!;
    if (ctx.instruments.length !== 2 || base(a) !== base(b) || a.venue === b.venue) {
      throw new StrategyParamsError("cross-venue", [`instruments: expected one symbol at two venues, got ${ctx.instruments.map((i) => `${i.symbol}/${i.venue}`).join(", ")}`]);
    }
    const inst = [a, b];
    const size = Math.trunc(p.size / a.lotSize) * a.lotSize;
    const detector = new StaleQuoteDetector(p.staleMs * 1000, p.minEdgeTicks);
    // The pair in flight: order ids (0: refused at once), whether each is done, and what it filled.
    const legId = [0, 0], legDone = [true, true], legFilled = [0, 0];
    let hedgeId = 0;
    const stats = { moments: 0, attempts: 0, bothFilled: 0, oneFilled: 0, noneFilled: 0, skippedCap: 0, hedges: 0 };
    const slot = (instrument: number): 0 | 1 => (instrument === a.id ? 0 : 1);

    function netPosition(): number {
      return ctx.position(a.id) + ctx.position(b.id);
    }

    function take(): void {
      const stale = detector.staleVenue, fresh = 1 - stale, dir = detector.direction as 1 | -1;
      const posStale = ctx.position(inst[stale]!.id), posFresh = ctx.position(inst[fresh]!.id);
      if (Math.abs(posStale + dir * size) > p.maxVenuePosition || Math.abs(posFresh - dir * size) > p.maxVenuePosition) {
        stats.skippedCap++;
        return;
      }
      stats.attempts++;
      const staleBook = ctx.book(inst[stale]!.id), freshBook = ctx.book(inst[fresh]!.id);
      legDone[0] = legDone[1] = false;
      legFilled[0] = legFilled[1] = 0;
      legId[0] = ctx.submit({ instrument: inst[stale]!.id, side: dir, type: "limit", tif: "IOC", price: dir === 1 ? staleBook.ask : staleBook.bid, size, tag: "xv:stale" });
      legId[1] = ctx.submit({ instrument: inst[fresh]!.id, side: dir === 1 ? -1 : 1, type: "limit", tif: "IOC", price: dir === 1 ? freshBook.bid : freshBook.ask, size, tag: "xv:layoff" });
      for (let k = 0; k < 2; k++) if (legId[k] === 0) legDone[k] = true;
      if (legDone[0] && legDone[1]) pairDone();
    }

    function pairDone(): void {
      const filled = (legFilled[0]! > 0 ? 1 : 0) + (legFilled[1]! > 0 ? 1 : 0);
      if (filled === 2) stats.bothFilled++;
      else if (filled === 1) stats.oneFilled++;
      else stats.noneFilled++;
      legId[0] = legId[1] = 0;
    }

    function hedge(): void {
      const net = netPosition();
      if (net === 0 || hedgeId !== 0 || !legDone[0] || !legDone[1] || ctx.tradingState() === "halted") return;
      const side = net > 0 ? -1 : 1;
      const ba = ctx.book(a.id), bb = ctx.book(b.id);
      if (!ba.valid && !bb.valid) return;
      // The better touch for the hedge: the higher bid to sell, the lower ask to buy.
      const useA = !bb.valid || (ba.valid && (side === -1 ? ba.bid >= bb.bid : ba.ask <= bb.ask));
      const book = useA ? ba : bb;
      hedgeId = ctx.submit({ instrument: book.instrument, side, type: "limit", tif: "IOC", price: side === -1 ? book.bid : book.ask, size: Math.min(Math.abs(net), size), tag: "xv:hedge" });
      if (hedgeId !== 0) stats.hedges++;
    }

    /** Books a terminal order of ours (from onOrder, or found terminal when polled). */
    function settle(id: number, filled: number): void {
      if (id === hedgeId) { hedgeId = 0; return; }
      const k = id === legId[0] ? 0 : id === legId[1] ? 1 : -1;
      if (k < 0 || legDone[k]) return;
      legDone[k] = true;
      legFilled[k] = filled;
      if (legDone[0] && legDone[1]) pairDone();
    }

    /** Polls the orders in flight: a refusal may end an order without a later onOrder for it. */
    function poll(): void {
      if (hedgeId !== 0) { const o = ctx.order(hedgeId); if (o === undefined || isTerminal(o.status)) settle(hedgeId, o?.filled ?? 0); }
      for (let k = 0; k < 2; k++) {
        if (legDone[k]) continue;
        const o = ctx.order(legId[k]!);
        if (o === undefined || isTerminal(o.status)) settle(legId[k]!, o?.filled ?? 0);
      }
    }

    return {
      onQuote(_c, q) {
        poll();
        const ev = detector.push(slot(q.instrument), q.ts, q.bid, q.ask);
        if (ev === StaleEvent.Started) {
          stats.moments++;
          ctx.log("stale quote", { stale: inst[detector.staleVenue]!.venue, direction: detector.direction, edge: detector.edge });
          if (p.mode === "trade" && legDone[0] && legDone[1] && hedgeId === 0 && netPosition() === 0 && ctx.tradingState() === "active") take();
        }
        hedge();
      },
      onOrder(_c, o) {
        if (isTerminal(o.status)) settle(o.id, o.filled);
      },
      onStop() {
        ctx.log("cross-venue summary", { ...stats, positions: inst.map((i) => ctx.position(i.id)) });
      },
    };
  },
});

export { CrossVenueParams };
