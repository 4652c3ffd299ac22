/**
 * The portfolio a journal holds, for reports made without a running session (`kestrel risk
 * stress`): fills replayed into a Portfolio (from the snapshot of a compacted journal), each
 * instrument marked at its last fill price (or the snapshot's mark), so conversions to the account currency use those marks.
 */
import type { Fill } from "../../../plugins/sdk/orders.ts";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { JournalRecord } from "../../journal/records.ts";
import { Portfolio } from "../../portfolio/portfolio.ts";
import { restoreInto } from "../../portfolio/restore.ts";
import type { StressPortfolio } from "./report.ts";

/** Replays the journal's fills; throws STRESS_JOURNAL_INCOMPLETE when a fill names an order the journal lacks. */
export function journalPortfolio(instruments: readonly Instrument[], accountCurrency: string, records: readonly JournalRecord[]): StressPortfolio {
  const portfolio = new Portfolio(instruments);
  const orders = new Map<number, { strategy: string; instrument: number; side: 1 | -1 }>();
  const last = new Array<number>(instruments.length).fill(0);
  let asOf = 0;
  const first = records[0];
  if (first?.t === "snapshot" && first.compacted) {
    restoreInto(portfolio, first.state.portfolio, true);
    for (const o of first.state.orders) orders.set(o.id, { strategy: o.strategy, instrument: o.instrument, side: o.side });
  }
  for (const r of records) {
    if (r.t === "order") orders.set(r.id, { strategy: r.strategy, instrument: r.instrument, side: r.side });
    else if (r.t === "report" && r.report.kind === "fill") {
      const rep = r.report;
      const o = orders.get(rep.orderId);
      if (o === undefined) throw new Error(`STRESS_JOURNAL_INCOMPLETE: fill=${r.fillId} order=${rep.orderId} reason=no order record`);
      const fill: Fill = { id: r.fillId, orderId: rep.orderId, strategy: o.strategy, instrument: o.instrument, side: o.side, price: rep.price, size: rep.size, fee: rep.fee, liquidity: rep.liquidity, ts: rep.ts };
      portfolio.applyFill(fill);
      last[o.instrument] = rep.price;
      asOf = Math.max(asOf, rep.ts);
    }
  }
  for (const inst of instruments) if (last[inst.id]! > 0) portfolio.mark(inst.id, last[inst.id]!, last[inst.id]!);
  return {
    instruments,
    accountCurrency,
    marks: "last-fill",
    asOf,
    position: (i) => portfolio.position(i),
    mark: (i) => (portfolio.isMarked(i) ? { bid: portfolio.bid(i), ask: portfolio.ask(i) } : null),
    toAccount: (i, money) => {
      try {
        return portfolio.toAccount(i, money, accountCurrency);
      } catch {
        return null;
      }
    },
  };
}
