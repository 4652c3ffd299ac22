/**
 * The portfolio: exact positions, FIFO lots, realised and unrealised P&L and fees per strategy and
 * per instrument, fed by fills and marked by quotes. Money is an integer in the instrument's money
 * units (10^-(priceDecimals + sizeDecimals) of its quote currency); every total stays within
 * Number.MAX_SAFE_INTEGER or the operation is refused with PORTFOLIO_OVERFLOW before state changes.
 * Instrument totals are the sums of the strategies' books: lots are FIFO per strategy, so two
 * strategies holding opposite lots on one instrument do not close each other's lots.
 * Unrealised P&L is liquidation value: long lots are marked at the bid, short lots at the ask.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { Fill, Side } from "../../plugins/sdk/orders.ts";
import { conversionRate, equityIn } from "./conversion.ts";
import { currencyExposure, pnlByCurrency, type CurrencyExposure, type CurrencyPnl } from "./currency-totals.ts";
import { PortfolioError } from "./errors.ts";
import { addExact, mulExact, subExact } from "./exact-math.ts";
import { PositionBook } from "./position-book.ts";
import { takeSnapshot, type PortfolioSnapshot } from "./snapshot.ts";

/** One open lot as read out (allocated per read-out; not for the hot path). */
export interface Lot {
  readonly strategy: string;
  readonly instrument: number;
  readonly side: Side;
  /** Entry price in ticks. */
  readonly price: number;
  /** Remaining size in units. */
  readonly size: number;
  /** Timestamp (µs) of the opening fill. */
  readonly ts: number;
  /** Id of the opening fill. */
  readonly fillId: number;
}

/** Positions, lots, P&L and fees of a deployment, per strategy and per instrument. */
export class Portfolio {
  /** The deployment's instruments; ids index every per-instrument read-out. */
  readonly instruments: readonly Instrument[];
  /** Realised P&L (money units) of the last fill applied; 0 for a fill that only opened. */
  lastRealised = 0;
  /** Size in units the last fill applied closed; 0 for a fill that only opened. */
  lastClosed = 0;
  /** Number of fills applied. */
  fillCount = 0;
  /** Moves with every fill applied, so with every change of a position (a restore leaves it alone). */
  positionChanges = 0;
  private readonly strategyIndex = new Map<string, number>();
  private readonly strategyNames: string[] = [];
  private readonly books: (PositionBook | undefined)[] = [];
  private readonly longQty: Float64Array;
  private readonly longCost: Float64Array;
  private readonly shortQty: Float64Array;
  private readonly shortCost: Float64Array;
  private readonly realisedSum: Float64Array;
  private readonly feesSum: Float64Array;
  private readonly fundingSum: Float64Array;
  private readonly bids: Float64Array;
  private readonly asks: Float64Array;
  private readonly marked: Uint8Array;

  /** Takes instruments with dense ids (instruments[i].id === i) and the strategies known up front. */
  constructor(instruments: readonly Instrument[], strategies: readonly string[] = []) {
    instruments.forEach((inst, i) => {
      if (inst.id !== i) {
        throw new PortfolioError("PORTFOLIO_INVALID_INSTRUMENT", `ids must be dense: index=${i} id=${inst.id} symbol=${inst.symbol}`);
      }
    });
    this.instruments = instruments;
    const n = instruments.length;
    this.longQty = new Float64Array(n);
    this.longCost = new Float64Array(n);
    this.shortQty = new Float64Array(n);
    this.shortCost = new Float64Array(n);
    this.realisedSum = new Float64Array(n);
    this.feesSum = new Float64Array(n);
    this.fundingSum = new Float64Array(n);
    this.bids = new Float64Array(n);
    this.asks = new Float64Array(n);
    this.marked = new Uint8Array(n);
    for (const s of strategies) this.strategyId(s);
  }

  /** Names of the strategies seen so far, in order of first appearance. */
  get strategies(): readonly string[] {
    return this.strategyNames;
  }

  /** Applies one fill: closes opposite lots FIFO, opens the rest, adds the fee. Throws PortfolioError. */
  applyFill(fill: Fill): void {
    const i = fill.instrument;
    if (!(i >= 0 && i < this.instruments.length && Number.isInteger(i)) || (fill.side !== 1 && fill.side !== -1) ||
      !Number.isSafeInteger(fill.size) || fill.size <= 0 || !Number.isSafeInteger(fill.price) || !Number.isSafeInteger(fill.fee)) {
      throw new PortfolioError("PORTFOLIO_INVALID_FILL",
        `fill=${fill.id} instrument=${i} side=${fill.side} price=${fill.price} size=${fill.size} fee=${fill.fee}`);
    }
    // A new strategy is registered only once its first fill is accepted, so a refusal changes nothing.
    const s = this.strategyIndex.get(fill.strategy);
    const book = s === undefined ? new PositionBook(fill.strategy, i) : this.bookFor(s, i);
    const ok = book.plan(fill);
    let longQty = this.longQty[i];
    let longCost = this.longCost[i];
    let shortQty = this.shortQty[i];
    let shortCost = this.shortCost[i];
    if (book.side === 1) { longQty -= book.qty; longCost = subExact(longCost, book.cost); }
    else if (book.side === -1) { shortQty -= book.qty; shortCost = subExact(shortCost, book.cost); }
    if (book.planSide === 1) { longQty = addExact(longQty, book.planQty); longCost = addExact(longCost, book.planCost); }
    else if (book.planSide === -1) { shortQty = addExact(shortQty, book.planQty); shortCost = addExact(shortCost, book.planCost); }
    const realised = addExact(this.realisedSum[i], book.planRealisedDelta);
    const fees = addExact(this.feesSum[i], fill.fee);
    if (!ok || Number.isNaN(longQty + longCost + shortQty + shortCost + realised + fees)) {
      throw new PortfolioError("PORTFOLIO_OVERFLOW", `fill=${fill.id} strategy=${fill.strategy} ` +
        `instrument=${this.instruments[i].symbol} side=${fill.side} price=${fill.price} size=${fill.size} fee=${fill.fee}`);
    }
    if (s === undefined) this.books[this.strategyId(fill.strategy) * this.instruments.length + i] = book;
    book.commit(fill);
    this.longQty[i] = longQty;
    this.longCost[i] = longCost;
    this.shortQty[i] = shortQty;
    this.shortCost[i] = shortCost;
    this.realisedSum[i] = realised;
    this.feesSum[i] = fees;
    this.lastRealised = book.planRealisedDelta;
    this.lastClosed = book.planClosedSize;
    this.fillCount++;
    this.positionChanges++;
  }

  /** Records the current bid and ask (ticks) used for unrealised P&L and currency conversion. */
  mark(instrument: number, bid: number, ask: number): void {
    if (!(instrument >= 0 && instrument < this.instruments.length) || !Number.isSafeInteger(bid) || !Number.isSafeInteger(ask)) {
      throw new PortfolioError("PORTFOLIO_INVALID_MARK", `instrument=${instrument} bid=${bid} ask=${ask}`);
    }
    this.bids[instrument] = bid;
    this.asks[instrument] = ask;
    this.marked[instrument] = 1;
  }

  /** True once the instrument has been marked. */
  isMarked(instrument: number): boolean {
    return this.marked[instrument] === 1;
  }

  /** Last bid in ticks (0 before the first mark). */
  bid(instrument: number): number {
    return this.bids[instrument];
  }

  /** Last ask in ticks (0 before the first mark). */
  ask(instrument: number): number {
    return this.asks[instrument];
  }

  /** Net position in units over all strategies. */
  position(instrument: number): number {
    return this.longQty[instrument] - this.shortQty[instrument] + 0;
  }

  /** Position in units of one strategy. */
  positionOf(strategy: string, instrument: number): number {
    return this.existingBook(strategy, instrument)?.position ?? 0;
  }

  /**
   * Average entry price in ticks (a float) of the net position: the signed cost of all open lots over
   * the net size, i.e. the mark at which the instrument's unrealised P&L would be zero with bid = ask.
   * Null when the net position is flat.
   */
  avgEntry(instrument: number): number | null {
    const net = this.longQty[instrument] - this.shortQty[instrument];
    return net === 0 ? null : (this.longCost[instrument] - this.shortCost[instrument]) / net;
  }

  /** Average entry price in ticks (a float) of one strategy's lots; null when it is flat. */
  avgEntryOf(strategy: string, instrument: number): number | null {
    const book = this.existingBook(strategy, instrument);
    return book === undefined || book.qty === 0 ? null : book.cost / book.qty;
  }

  /** Realised P&L before fees, in money units, over all strategies. */
  realised(instrument: number): number {
    return this.realisedSum[instrument];
  }

  /** Realised P&L before fees, in money units, of one strategy. */
  realisedOf(strategy: string, instrument: number): number {
    return this.existingBook(strategy, instrument)?.realised ?? 0;
  }

  /** Fees in money units over all strategies (negative is a net rebate). */
  fees(instrument: number): number {
    return this.feesSum[instrument];
  }

  /** Fees in money units of one strategy. */
  feesOf(strategy: string, instrument: number): number {
    return this.existingBook(strategy, instrument)?.fees ?? 0;
  }

  /** Funding of perpetuals in money units, over the account (received > 0, paid < 0). */
  funding(instrument: number): number {
    return this.fundingSum[instrument];
  }

  /** Books a funding payment on an instrument (money units, received > 0); it is part of net P&L. */
  applyFunding(instrument: number, amount: number): void {
    if (!(instrument >= 0 && instrument < this.instruments.length && Number.isInteger(instrument)) || !Number.isSafeInteger(amount)) {
      throw new PortfolioError("PORTFOLIO_INVALID_FUNDING", `instrument=${instrument} amount=${amount}`);
    }
    const sum = addExact(this.fundingSum[instrument], amount);
    if (Number.isNaN(sum)) throw new PortfolioError("PORTFOLIO_OVERFLOW", `funding instrument=${this.instruments[instrument].symbol} amount=${amount}`);
    this.fundingSum[instrument] = sum;
  }

  /** Unrealised P&L in money units at liquidation value (longs at bid, shorts at ask); 0 before a mark. */
  unrealised(instrument: number): number {
    if (this.marked[instrument] === 0) return 0;
    const value = addExact(
      subExact(mulExact(this.bids[instrument], this.longQty[instrument]), this.longCost[instrument]),
      subExact(this.shortCost[instrument], mulExact(this.asks[instrument], this.shortQty[instrument])),
    );
    if (Number.isNaN(value)) throw this.markOverflow(instrument);
    return value;
  }

  /** Unrealised P&L in money units of one strategy; 0 before a mark. */
  unrealisedOf(strategy: string, instrument: number): number {
    const book = this.existingBook(strategy, instrument);
    if (book === undefined || this.marked[instrument] === 0) return 0;
    const value = book.unrealised(this.bids[instrument], this.asks[instrument]);
    if (Number.isNaN(value)) throw this.markOverflow(instrument);
    return value;
  }

  /** Net P&L in money units: realised + unrealised - fees + funding. */
  net(instrument: number): number {
    const value = addExact(subExact(addExact(this.realisedSum[instrument], this.unrealised(instrument)), this.feesSum[instrument]), this.fundingSum[instrument]);
    if (Number.isNaN(value)) throw this.markOverflow(instrument);
    return value;
  }

  /** Signed cost of the open lots (long cost minus short cost), in money units. */
  signedCost(instrument: number): number {
    return this.longCost[instrument] - this.shortCost[instrument] + 0;
  }

  /** Open lots on an instrument, oldest first per strategy, strategies in order of appearance. */
  lots(instrument: number, strategy?: string): Lot[] {
    const out: Lot[] = [];
    for (const name of strategy === undefined ? this.strategyNames : [strategy]) {
      const book = this.existingBook(name, instrument);
      if (book === undefined || book.side === 0) continue;
      const q = book.lots;
      for (let k = 0; k < q.length; k++) {
        out.push({ strategy: name, instrument, side: book.side, price: q.priceAt(k), size: q.sizeAt(k), ts: q.tsAt(k), fillId: q.fillIdAt(k) });
      }
    }
    return out;
  }

  /** Exposure per currency: base legs in size units, quote legs as the open lots' quote amounts. */
  exposure(): CurrencyExposure[] {
    return currencyExposure(this);
  }

  /** Realised, unrealised, fees and net per quote currency, exact, with their decimals. */
  pnlByCurrency(): CurrencyPnl[] {
    return pnlByCurrency(this);
  }

  /** Net P&L of every currency converted to `accountCurrency` at current mids (a float; see conversion.ts). */
  equity(accountCurrency: string): number {
    return equityIn(this, accountCurrency);
  }

  /** Converts an amount (a float in whole units of `from`) to `to` at current mids; throws PORTFOLIO_NO_RATE. */
  convert(amount: number, from: string, to: string): number {
    if (amount === 0 || from === to) return amount;
    const rate = conversionRate(this, from, to);
    if (rate === null) throw new PortfolioError("PORTFOLIO_NO_RATE", `from=${from} to=${to}`);
    return amount * rate;
  }

  /** Converts money units of an instrument (its quote currency) to a float in whole units of `account`. */
  toAccount(instrument: number, money: number, account: string): number {
    const inst = this.instruments[instrument];
    return this.convert(money / 10 ** (inst.priceDecimals + inst.sizeDecimals), inst.quote, account);
  }

  /** A plain JSON-able copy of the whole state (lots, totals, marks); see restorePortfolio. */
  snapshot(): PortfolioSnapshot {
    return takeSnapshot(this, (s, i) => this.existingBook(s, i));
  }

  /**
   * Loads one strategy's book from a snapshot into an empty portfolio (used by restorePortfolio).
   * Lots are [price, size, ts, fillId] oldest first, all on `side`.
   */
  loadBook(strategy: string, instrument: number, side: Side, lots: readonly (readonly number[])[], realised: number, fees: number): void {
    const book = this.bookFor(this.strategyId(strategy), instrument);
    if (book.side !== 0 || book.realised !== 0 || book.fees !== 0) {
      throw new PortfolioError("PORTFOLIO_SNAPSHOT_INVALID", `duplicate book strategy=${strategy} instrument=${instrument}`);
    }
    for (const [price, size, ts, fillId] of lots) {
      this.applyFill({ id: fillId, orderId: 0, strategy, instrument, side, price, size, fee: 0, liquidity: "maker", ts });
    }
    const r = addExact(this.realisedSum[instrument], realised);
    const f = addExact(this.feesSum[instrument], fees);
    if (!Number.isSafeInteger(realised) || !Number.isSafeInteger(fees) || Number.isNaN(r + f)) {
      throw new PortfolioError("PORTFOLIO_SNAPSHOT_INVALID", `strategy=${strategy} instrument=${instrument} realised=${realised} fees=${fees}`);
    }
    book.realised = realised;
    book.fees = fees;
    this.realisedSum[instrument] = r;
    this.feesSum[instrument] = f;
  }

  /** Makes a strategy known (books in the order strategies were first seen); no-op when known. */
  registerStrategy(name: string): void {
    this.strategyId(name);
  }

  private strategyId(name: string): number {
    let s = this.strategyIndex.get(name);
    if (s === undefined) {
      s = this.strategyNames.length;
      this.strategyIndex.set(name, s);
      this.strategyNames.push(name);
      for (let i = 0; i < this.instruments.length; i++) this.books.push(new PositionBook(name, i));
    }
    return s;
  }

  private bookFor(strategy: number, instrument: number): PositionBook {
    return this.books[strategy * this.instruments.length + instrument] as PositionBook;
  }

  private existingBook(strategy: string, instrument: number): PositionBook | undefined {
    const s = this.strategyIndex.get(strategy);
    return s === undefined ? undefined : this.books[s * this.instruments.length + instrument];
  }

  private markOverflow(instrument: number): PortfolioError {
    return new PortfolioError("PORTFOLIO_OVERFLOW", `instrument=${this.instruments[instrument].symbol} ` +
      `bid=${this.bids[instrument]} ask=${this.asks[instrument]} long=${this.longQty[instrument]} short=${this.shortQty[instrument]}`);
  }
}
