/**
 * The end-of-day statement of a deployment for one UTC date, built from its journal: positions at
 * the end of the day with realised and unrealised P&L and fees (exact, per instrument and per quote
 * currency, and in the account currency at the marks), the day's own realised P&L, fees and
 * activity, one settlement record per fill of the day with its value date (see settlement.ts),
 * the net cash to settle per value date and currency, and the venue reconciliation records of the
 * day. Marks are the live quotes when the caller has them, else each instrument's last fill price
 * up to the end of the day (the journal holds no quotes); the statement says which.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { Fill } from "../../../plugins/sdk/orders.ts";
import type { JournalRecord, ReconcileRecord } from "../../journal/records.ts";
import { recordTs } from "../../journal/format.ts";
import { conversionRate } from "../conversion.ts";
import { Portfolio } from "../portfolio.ts";
import { restoreInto } from "../restore.ts";
import { dayStartUs, settlementConvention, tradeDateOf, valueDate, type SettlementConvention } from "../settlement.ts";
import type { CurrencyPnl } from "../currency-totals.ts";
import { addExact, mulExact } from "../exact-math.ts";

/** One fill of the day as a settlement record; amounts in money units of 10^-decimals (base in size units). */
export interface SettlementRecord {
  readonly fillId: number;
  readonly orderId: number;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly size: number;
  readonly price: number;
  readonly ts: number;
  readonly tradeDate: string;
  readonly valueDate: string;
  readonly convention: SettlementConvention;
  readonly base: string;
  /** Base currency received (+) or delivered (-), in size units (10^-sizeDecimals). */
  readonly baseAmount: number;
  readonly quote: string;
  /** Quote currency received (+) or paid (-) including the fee, in money units (10^-decimals). */
  readonly quoteAmount: number;
  readonly quoteDecimals: number;
  readonly fee: number;
}

/** A position at the end of the day. */
export interface StatementPosition {
  readonly symbol: string;
  readonly quote: string;
  /** Money decimals of the figures below (price decimals + size decimals). */
  readonly decimals: number;
  readonly position: number;
  readonly mark: { readonly bid: number; readonly ask: number } | null;
  readonly realised: number;
  readonly unrealised: number;
  readonly fees: number;
}

/** The end-of-day statement. */
export interface EodStatement {
  readonly deployment: string;
  readonly date: string;
  readonly accountCurrency: string;
  readonly marks: "live" | "last-fill";
  readonly positions: StatementPosition[];
  /** Cumulative to the end of the day, per quote currency. */
  readonly byCurrency: CurrencyPnl[];
  /** Made during the day, per quote currency (realised and fees only). */
  readonly day: { readonly fills: number; readonly orders: number; readonly refused: number; readonly byCurrency: { currency: string; decimals: number; realised: number; fees: number }[] };
  /** Realised, unrealised, fees and net in the account currency at the marks (null where a rate is missing). */
  readonly account: { readonly realised: number | null; readonly unrealised: number | null; readonly fees: number | null; readonly net: number | null };
  readonly settlements: SettlementRecord[];
  /** Net cash per value date and currency (base amounts in size units at their decimals, quote in money units). */
  readonly cash: { valueDate: string; currency: string; decimals: number; amount: number }[];
  readonly reconciliation: ReconcileRecord[];
}

/** What a statement is built from. */
export interface StatementInput {
  readonly deployment: string;
  readonly accountCurrency: string;
  readonly instruments: readonly Instrument[];
  readonly records: readonly JournalRecord[];
  readonly date: string;
  /** Live quotes to mark with (a running session, for today); absent: last fill prices. */
  readonly liveMarks?: (instrument: number) => { bid: number; ask: number } | null;
}

const DAY_US = 86_400_000_000;

/** Builds the statement; throws REPORT_BAD_DATE for a date that is not YYYY-MM-DD. */
export function buildEodStatement(input: StatementInput): EodStatement {
  const start = dayStartUs(input.date);
  if (Number.isNaN(start)) throw new Error(`REPORT_BAD_DATE: date=${input.date} expected=YYYY-MM-DD`);
  const end = start + DAY_US;
  const { instruments } = input;
  const portfolio = new Portfolio(instruments);
  const orders = new Map<number, { strategy: string; instrument: number; side: 1 | -1 }>();
  const lastPrice = new Array<number>(instruments.length).fill(0);
  const settlements: SettlementRecord[] = [];
  const reconciliation: ReconcileRecord[] = [];
  let atStart: CurrencyPnl[] | null = null;
  let dayOrders = 0;
  let dayRefused = 0;
  // A compacted journal starts from its snapshot; otherwise the whole history is replayed.
  const first = input.records[0];
  if (first?.t === "snapshot" && first.compacted) {
    restoreInto(portfolio, first.state.portfolio, false);
    for (const o of first.state.orders) orders.set(o.id, { strategy: o.strategy, instrument: o.instrument, side: o.side });
  }
  for (const r of input.records) {
    if (r.t === "snapshot") continue;
    const ts = recordTs(r);
    if (ts >= end) break;
    if (ts >= start && atStart === null) atStart = portfolio.pnlByCurrency();
    if (r.t === "order") {
      orders.set(r.id, { strategy: r.strategy, instrument: r.instrument, side: r.side });
      if (ts >= start) {
        dayOrders++;
        if (r.rejected !== "") dayRefused++;
      }
    } else if (r.t === "reconcile") {
      if (ts >= start) reconciliation.push(r);
    } else if (r.t === "report" && r.report.kind === "fill") {
      const o = orders.get(r.report.orderId);
      if (o === undefined) throw new Error(`REPORT_JOURNAL_INCOMPLETE: fill=${r.fillId} order=${r.report.orderId} reason=no order record`);
      const rep = r.report;
      const fill: Fill = { id: r.fillId, orderId: rep.orderId, strategy: o.strategy, instrument: o.instrument, side: o.side, price: rep.price, size: rep.size, fee: rep.fee, liquidity: rep.liquidity, ts: rep.ts };
      portfolio.applyFill(fill);
      lastPrice[o.instrument] = rep.price;
      if (ts >= start) settlements.push(settlementOf(fill, instruments[o.instrument]!));
    }
  }
  atStart ??= portfolio.pnlByCurrency();
  const live = input.liveMarks;
  for (const inst of instruments) {
    const m = live?.(inst.id) ?? null;
    if (m !== null) portfolio.mark(inst.id, m.bid, m.ask);
    else if (live === undefined && lastPrice[inst.id]! > 0) portfolio.mark(inst.id, lastPrice[inst.id]!, lastPrice[inst.id]!);
  }
  const byCurrency = portfolio.pnlByCurrency();
  const dayByCurrency = byCurrency.map((c) => {
    const s = atStart!.find((x) => x.currency === c.currency);
    return { currency: c.currency, decimals: c.decimals, realised: c.realised - (s?.realised ?? 0), fees: c.fees - (s?.fees ?? 0) };
  });
  const toAccount = (pick: (c: CurrencyPnl) => number): number | null => {
    let total = 0;
    for (const c of byCurrency) {
      const v = pick(c);
      if (v === 0) continue;
      const rate = conversionRate(portfolio, c.currency, input.accountCurrency);
      if (rate === null) return null;
      total += (v / 10 ** c.decimals) * rate;
    }
    return Math.round(total * 100) / 100;
  };
  const positions: StatementPosition[] = instruments
    .filter((i) => portfolio.position(i.id) !== 0 || portfolio.realised(i.id) !== 0 || portfolio.fees(i.id) !== 0)
    .map((i) => ({
      symbol: i.symbol,
      quote: i.quote,
      decimals: i.priceDecimals + i.sizeDecimals,
      position: portfolio.position(i.id),
      mark: portfolio.isMarked(i.id) ? { bid: portfolio.bid(i.id), ask: portfolio.ask(i.id) } : null,
      realised: portfolio.realised(i.id),
      unrealised: portfolio.unrealised(i.id),
      fees: portfolio.fees(i.id),
    }));
  return {
    deployment: input.deployment,
    date: input.date,
    accountCurrency: input.accountCurrency,
    marks: live === undefined ? "last-fill" : "live",
    positions,
    byCurrency,
    day: { fills: settlements.length, orders: dayOrders, refused: dayRefused, byCurrency: dayByCurrency },
    account: { realised: toAccount((c) => c.realised), unrealised: toAccount((c) => c.unrealised), fees: toAccount((c) => c.fees), net: toAccount((c) => c.net) },
    settlements,
    cash: cashByValueDate(settlements, instruments),
    reconciliation,
  };
}

function settlementOf(f: Fill, inst: Instrument): SettlementRecord {
  const tradeDate = tradeDateOf(f.ts);
  const convention = settlementConvention(inst.base, inst.quote);
  const notional = f.price * f.size;
  return {
    fillId: f.id, orderId: f.orderId, strategy: f.strategy, symbol: inst.symbol, side: f.side === 1 ? "buy" : "sell", size: f.size, price: f.price, ts: f.ts,
    tradeDate, valueDate: valueDate(tradeDate, convention), convention,
    base: inst.base, baseAmount: f.side * f.size,
    quote: inst.quote, quoteAmount: -f.side * notional - f.fee, quoteDecimals: inst.priceDecimals + inst.sizeDecimals, fee: f.fee,
  };
}

function cashByValueDate(rows: readonly SettlementRecord[], instruments: readonly Instrument[]): EodStatement["cash"] {
  const sizeDecimals = new Map(instruments.map((i) => [i.symbol, i.sizeDecimals]));
  // One total per value date and currency, at the most decimals the currency has among its legs (exact: powers of ten).
  const legs: { valueDate: string; currency: string; decimals: number; amount: number }[] = [];
  for (const r of rows) {
    legs.push({ valueDate: r.valueDate, currency: r.base, decimals: sizeDecimals.get(r.symbol) ?? 0, amount: r.baseAmount });
    legs.push({ valueDate: r.valueDate, currency: r.quote, decimals: r.quoteDecimals, amount: r.quoteAmount });
  }
  const decimals = new Map<string, number>();
  for (const l of legs) decimals.set(l.currency, Math.max(decimals.get(l.currency) ?? 0, l.decimals));
  const totals = new Map<string, { valueDate: string; currency: string; decimals: number; amount: number }>();
  for (const l of legs) {
    const d = decimals.get(l.currency)!;
    const key = `${l.valueDate}|${l.currency}`;
    const t = totals.get(key) ?? { valueDate: l.valueDate, currency: l.currency, decimals: d, amount: 0 };
    t.amount = addExact(t.amount, mulExact(l.amount, 10 ** (d - l.decimals)));
    totals.set(key, t);
  }
  return [...totals.values()].sort((a, b) => a.valueDate.localeCompare(b.valueDate) || a.currency.localeCompare(b.currency));
}
