/**
 * Records what a tearsheet needs while a backtest runs, through the trading core's listeners: an
 * equity sample at each of the core's sampling points, one mid-price bar per instrument per
 * `barSeconds` of kernel time (typed arrays, no allocation per quote), and every fill with its
 * realised P&L (from the strategy's own FIFO book), fee and slippage against the mid, converted to
 * the account currency at the rates of that moment. `finish()` closes the open bars, merges bars
 * down to at most `maxBars` per instrument and returns the JSON the HTML and the dashboard render.
 */
import type { Fill } from "../../../plugins/sdk/orders.ts";
import type { Session } from "../build.ts";
import type { TearsheetBars, TearsheetData, TearsheetFill, TearsheetGroup } from "./data.ts";

/** Options of the recorder. */
export interface TearsheetOptions {
  /** Length of a price bar in kernel seconds (default 60). */
  barSeconds?: number;
  /** Bars kept per instrument; longer runs are merged down (default 3000). */
  maxBars?: number;
  /** Fills kept in the list (all are counted and totalled; default 20000). */
  maxFills?: number;
}

interface GroupTotals {
  realised: number;
  fees: number;
  slippage: number;
  fills: number;
  trades: number;
  turnover: number;
}

/** Collects a backtest's tearsheet; attach before the loop runs. */
export class TearsheetRecorder {
  private readonly barUs: number;
  private readonly maxBars: number;
  private readonly maxFills: number;
  private readonly eqTime: number[] = [];
  private readonly eqValue: number[] = [];
  private readonly barStart: Float64Array;
  private readonly barOpen: Float64Array;
  private readonly barHigh: Float64Array;
  private readonly barLow: Float64Array;
  private readonly barClose: Float64Array;
  private readonly bars: { time: number[]; open: number[]; high: number[]; low: number[]; close: number[] }[];
  private readonly fills: TearsheetFill[] = [];
  private fillsTotal = 0;
  private readonly byStrategy = new Map<string, GroupTotals>();
  private readonly byInstrument = new Map<string, GroupTotals>();
  private readonly byHour = new Array<number>(24).fill(0);
  private readonly outcomes: number[] = [];
  private readonly holding: number[] = [];
  /** Per strategy|instrument: realised money units and position after the last fill, and when it left flat. */
  private readonly books = new Map<string, { realised: number; position: number; openedTs: number }>();
  private firstTs = -1;
  private lastTs = -1;

  constructor(
    private readonly session: Session,
    options: TearsheetOptions = {},
  ) {
    this.barUs = Math.max(1, Math.round((options.barSeconds ?? 60) * 1e6));
    this.maxBars = Math.max(10, options.maxBars ?? 3000);
    this.maxFills = Math.max(0, options.maxFills ?? 20_000);
    const n = session.instruments.length;
    this.barStart = new Float64Array(n).fill(-1);
    this.barOpen = new Float64Array(n);
    this.barHigh = new Float64Array(n);
    this.barLow = new Float64Array(n);
    this.barClose = new Float64Array(n);
    this.bars = session.instruments.map(() => ({ time: [], open: [], high: [], low: [], close: [] }));
    const core = session.core;
    const capital = session.config.account.capital;
    const prev = { ...core.listeners };
    core.listeners.quote = (ev) => {
      prev.quote?.(ev);
      this.onQuote(ev.ts, ev.instrument, ev.bid, ev.ask);
    };
    core.listeners.fill = (f) => {
      prev.fill?.(f);
      this.onFill(f);
    };
    core.listeners.equity = (ts, equity) => {
      prev.equity?.(ts, equity);
      this.onEquity(ts, capital + equity);
    };
  }

  private onQuote(ts: number, i: number, bid: number, ask: number): void {
    if (this.firstTs < 0) this.firstTs = ts;
    this.lastTs = ts;
    const mid = (bid + ask) / 2;
    const start = ts - (ts % this.barUs);
    if (this.barStart[i] !== start) {
      if (this.barStart[i] >= 0) this.closeBar(i);
      this.barStart[i] = start;
      this.barOpen[i] = mid;
      this.barHigh[i] = mid;
      this.barLow[i] = mid;
    } else {
      if (mid > this.barHigh[i]) this.barHigh[i] = mid;
      if (mid < this.barLow[i]) this.barLow[i] = mid;
    }
    this.barClose[i] = mid;
  }

  private closeBar(i: number): void {
    const b = this.bars[i]!;
    b.time.push(this.barStart[i] / 1e6);
    b.open.push(this.barOpen[i]);
    b.high.push(this.barHigh[i]);
    b.low.push(this.barLow[i]);
    b.close.push(this.barClose[i]);
  }

  private onEquity(ts: number, equity: number): void {
    if (!Number.isFinite(equity)) return;
    const t = Math.floor(ts / 1e6);
    const last = this.eqTime.length - 1;
    if (last >= 0 && this.eqTime[last]! >= t) {
      // Same second (or a late sample): the newest value stands.
      if (this.eqTime[last] === t) this.eqValue[last] = equity;
      return;
    }
    this.eqTime.push(t);
    this.eqValue.push(equity);
  }

  private onFill(f: Fill): void {
    const { portfolio, books } = this.session.core;
    const inst = this.session.instruments[f.instrument]!;
    const account = this.session.config.account.currency;
    const scale = 10 ** (inst.priceDecimals + inst.sizeDecimals);
    const toAccount = (money: number): number => {
      try {
        return portfolio.convert(money / scale, inst.quote, account);
      } catch {
        return Number.NaN; // No rate yet: the fill is listed, its money is not totalled.
      }
    };
    const key = `${f.strategy}|${f.instrument}`;
    let book = this.books.get(key);
    if (book === undefined) {
      book = { realised: 0, position: 0, openedTs: 0 };
      this.books.set(key, book);
    }
    const realisedNow = portfolio.realisedOf(f.strategy, f.instrument);
    const realised = toAccount(realisedNow - book.realised);
    book.realised = realisedNow;
    const position = portfolio.positionOf(f.strategy, f.instrument);
    if (book.position === 0 && position !== 0) book.openedTs = f.ts;
    else if (book.position !== 0 && (position === 0 || Math.sign(position) !== Math.sign(book.position))) {
      this.holding.push((f.ts - book.openedTs) / 1e6);
      book.openedTs = f.ts;
    }
    book.position = position;
    const fee = toAccount(f.fee);
    const b = books.books[f.instrument];
    const mid = b !== undefined && b.valid ? (b.bid + b.ask) / 2 : f.price;
    const slippage = toAccount(f.side * (f.price - mid) * f.size);
    const notional = Math.abs(toAccount(f.price * f.size));
    const outcome = realised - fee;
    this.fillsTotal++;
    for (const [map, name] of [[this.byStrategy, f.strategy], [this.byInstrument, inst.symbol]] as const) {
      let g = map.get(name);
      if (g === undefined) {
        g = { realised: 0, fees: 0, slippage: 0, fills: 0, trades: 0, turnover: 0 };
        map.set(name, g);
      }
      g.fills++;
      if (Number.isFinite(fee)) {
        g.realised += realised;
        g.fees += fee;
        g.slippage += slippage;
        g.turnover += notional;
        if (realised !== 0) g.trades++;
      }
    }
    if (realised !== 0 && Number.isFinite(outcome)) {
      this.outcomes.push(outcome);
      this.byHour[new Date(f.ts / 1000).getUTCHours()]! += outcome;
    }
    if (this.fills.length < this.maxFills) {
      this.fills.push({
        ts: f.ts,
        instrument: inst.symbol,
        strategy: f.strategy,
        side: f.side,
        price: f.price / 10 ** inst.priceDecimals,
        size: f.size / 10 ** inst.sizeDecimals,
        fee,
        realised,
        slippage,
        liquidity: f.liquidity,
      });
    }
  }

  /** Closes the open bars and returns the tearsheet; `finalEquity` (capital + P&L) adds a last sample. */
  finish(finalEquity?: number): TearsheetData {
    const { instruments, config, loop } = this.session;
    if (finalEquity !== undefined) this.onEquity(loop.clock.now(), finalEquity);
    for (let i = 0; i < instruments.length; i++) if (this.barStart[i] >= 0) this.closeBar(i);
    this.barStart.fill(-1);
    const traded = new Set(this.fills.map((f) => f.instrument));
    for (const name of this.byInstrument.keys()) traded.add(name);
    const chosen = instruments.filter((inst) => (traded.size === 0 ? this.bars[inst.id]!.time.length > 0 : traded.has(inst.symbol))).slice(0, traded.size === 0 ? 8 : undefined);
    const bars = chosen.map((inst) => this.barsOf(inst.id, inst.symbol, inst.priceDecimals));
    const group = (map: Map<string, GroupTotals>): TearsheetGroup[] =>
      [...map].map(([name, g]) => ({ name, pnl: g.realised - g.fees, realised: g.realised, fees: g.fees, slippage: g.slippage, fills: g.fills, trades: g.trades, turnover: g.turnover }));
    const versions: Record<string, string> = {};
    // A backtest runs no model today (answers are asynchronous); a session that ran one names its version.
    const modelVersion = this.session.models?.engine.status().version ?? "";
    if (modelVersion !== "") versions.model = modelVersion;
    return {
      version: 1,
      period: { fromTs: Math.max(0, this.firstTs), toTs: Math.max(0, this.lastTs) },
      currency: config.account.currency,
      capital: config.account.capital,
      equity: { time: [...this.eqTime], value: [...this.eqValue] },
      bars,
      fills: [...this.fills],
      fillsTotal: this.fillsTotal,
      byStrategy: group(this.byStrategy),
      byInstrument: group(this.byInstrument),
      byHour: [...this.byHour],
      tradeOutcomes: [...this.outcomes],
      holdingSeconds: [...this.holding],
      versions,
      strategies: config.strategies.filter((s) => s.enabled !== false).map((s) => ({ name: s.name, plugin: s.plugin, params: (s.params ?? {}) as Record<string, unknown> })),
    };
  }

  /** One instrument's bars in price units, merged so that at most maxBars remain. */
  private barsOf(i: number, symbol: string, priceDecimals: number): TearsheetBars {
    const b = this.bars[i]!;
    const k = Math.max(1, Math.ceil(b.time.length / this.maxBars));
    const scale = 10 ** -priceDecimals;
    const out: TearsheetBars = { symbol, priceDecimals, barSeconds: (this.barUs / 1e6) * k, time: [], open: [], high: [], low: [], close: [] };
    for (let s = 0; s < b.time.length; s += k) {
      const e = Math.min(b.time.length, s + k);
      let hi = -Infinity;
      let lo = Infinity;
      for (let j = s; j < e; j++) {
        if (b.high[j]! > hi) hi = b.high[j]!;
        if (b.low[j]! < lo) lo = b.low[j]!;
      }
      out.time.push(b.time[s]!);
      out.open.push(b.open[s]! * scale);
      out.high.push(hi * scale);
      out.low.push(lo * scale);
      out.close.push(b.close[e - 1]! * scale);
    }
    return out;
  }
}
