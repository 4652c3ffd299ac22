/**
 * What a backtest tearsheet shows, as plain JSON kept with the stored result: the equity curve,
 * mid-price bars per traded instrument, every fill with its P&L, fee and slippage in the account
 * currency, P&L by strategy, instrument and hour of day, trade outcomes and holding times. The
 * HTML file and the dashboard's Backtests view both render this one shape.
 */

/** One fill as the tearsheet shows it (money in the account currency, price and size as decimals). */
export interface TearsheetFill {
  /** Kernel time, integer microseconds. */
  readonly ts: number;
  readonly instrument: string;
  readonly strategy: string;
  /** 1 buy, -1 sell. */
  readonly side: 1 | -1;
  readonly price: number;
  readonly size: number;
  readonly fee: number;
  /** Realised P&L this fill closed, before its fee (0 for an opening fill). */
  readonly realised: number;
  /** Cost against the mid when the fill was applied: positive paid more than mid, negative earned spread. */
  readonly slippage: number;
  readonly liquidity: string;
}

/** Mid-price bars of one instrument: parallel arrays, time in seconds since the epoch. */
export interface TearsheetBars {
  readonly symbol: string;
  readonly priceDecimals: number;
  /** Bar length in seconds. */
  readonly barSeconds: number;
  readonly time: number[];
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
}

/** Totals of one group (a strategy or an instrument). */
export interface TearsheetGroup {
  readonly name: string;
  /** Realised P&L minus fees of its fills (open positions at the end are not in it). */
  readonly pnl: number;
  readonly realised: number;
  readonly fees: number;
  readonly slippage: number;
  readonly fills: number;
  /** Closing fills (trades, as the performance report counts them). */
  readonly trades: number;
  /** Traded notional in the account currency. */
  readonly turnover: number;
}

/** The tearsheet of one backtest. */
export interface TearsheetData {
  readonly version: 1;
  /** Kernel time of the first and last market events (µs). */
  readonly period: { readonly fromTs: number; readonly toTs: number };
  readonly currency: string;
  readonly capital: number;
  /** Account equity (capital + P&L) samples: seconds since the epoch and value. */
  readonly equity: { readonly time: number[]; readonly value: number[] };
  readonly bars: TearsheetBars[];
  readonly fills: TearsheetFill[];
  /** Fills seen in all (more than `fills.length` when the list was capped). */
  readonly fillsTotal: number;
  readonly byStrategy: TearsheetGroup[];
  readonly byInstrument: TearsheetGroup[];
  /** Outcome (realised minus fee) of closing fills by UTC hour of day, 24 entries. */
  readonly byHour: number[];
  /** Outcome of each closing fill (realised minus fee), in order. */
  readonly tradeOutcomes: number[];
  /** Seconds from a strategy's position leaving flat to returning to flat (or flipping), per instrument. */
  readonly holdingSeconds: number[];
  /** Model and policy versions that drove the run, when any did ({} otherwise). */
  readonly versions: Record<string, string>;
  /** The deployment's enabled strategies and their params as written (what two runs are compared by). */
  readonly strategies: { readonly name: string; readonly plugin: string; readonly params: Record<string, unknown> }[];
}
