/**
 * The performance report of a run, computed incrementally (O(1) memory, no allocation per sample)
 * from an equity curve and per-trade outcomes. Definitions (risk-free rate 0):
 * - Ratios use period returns, never the raw samples: the period is `periodUs` (default one UTC
 *   day), and a period's return is r = E(last sample of the period) / E(last sample of the previous
 *   period) - 1 (the first period against the first sample; the period in progress counts; a
 *   period without samples, such as a closed weekend, is skipped). The caller samples account
 *   equity including starting capital (e.g. capital + portfolio.equity("USD")) as often as it likes
 *   (e.g. every 10 s): the sampling interval changes drawdowns, not the ratios.
 * - With fewer than `minPeriods` returns (default 20) Sharpe, Sortino and Calmar are null and
 *   `ratiosNote` says why ("needs ≥ 20 days, have 1"): a ratio annualised from a few hours or a few
 *   days says nothing.
 * - Periods per year: `periodsPerYear` if given, else a year (default 365 days of µs) / periodUs.
 * - Sharpe = mean(r) / sd(r) * sqrt(periodsPerYear), sd with n - 1 (sample standard deviation).
 * - Sortino = mean(r) / dd * sqrt(periodsPerYear), dd = sqrt(sum(min(r, 0)^2) / n) (target 0).
 * - Max drawdown = max over samples k of (running peak - E[k]) in account currency; maxDrawdownPct
 *   is the same as a fraction of the running peak (0.1 = 10%), over points where the peak is positive.
 * - Calmar = CAGR / maxDrawdownPct, CAGR = (E[last] / E[first])^(1 / years) - 1 with years from the
 *   first and last sample timestamps (a loss of everything is CAGR -1).
 * - pnl = E[last] - E[first]. Trades come from onTrade: a closing trade's outcome is its realised P&L
 *   minus its fee; winRate = outcomes > 0 / trades; profitFactor = sum of positive outcomes / -sum
 *   of negative ones. turnover = sum of |notional| of every onTrade call; fees = sum of every fee.
 * A ratio that cannot be formed (too few periods, zero variance or downside, no trades, no losing
 * trade, a non-positive equity before a return, a non-finite result) is null, never NaN or Infinity.
 */

/** Options of the tracker. */
export interface PerformanceOptions {
  /** Length of a return period in µs, aligned on the epoch (UTC days by default); default one day. */
  periodUs?: number;
  /** Fewest period returns for Sharpe, Sortino and Calmar; default 20. */
  minPeriods?: number;
  /** Return periods in a year; default yearMicros / periodUs. */
  periodsPerYear?: number;
  /** Length of a year in µs; default 365 days. */
  yearMicros?: number;
}

/** The report a backtest prints. Money in account currency (floats). */
export interface PerformanceReport {
  pnl: number;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownPct: number | null;
  calmar: number | null;
  winRate: number | null;
  profitFactor: number | null;
  turnover: number;
  fees: number;
  trades: number;
  samples: number;
  periodsPerYear: number | null;
  /** The period whose returns the ratios use, in words ("day", "hour", "10 s"). */
  returnPeriod: string;
  /** Number of period returns so far (the period in progress included). */
  returnPeriods: number;
  /** Why Sharpe, Sortino and Calmar are null when there are too few periods ("needs ≥ 20 days, have 1"); null otherwise. */
  ratiosNote: string | null;
}

const DAY_MICROS = 24 * 3600 * 1e6;
const YEAR_MICROS = 365 * DAY_MICROS;
const DEFAULT_MIN_PERIODS = 20;

/** Names a period length in words: "day", "3 days", "hour", "10 s". */
export function periodName(periodUs: number, plural = false): string {
  const units: [number, string, string][] = [
    [DAY_MICROS, "day", "days"],
    [3600e6, "hour", "hours"],
    [60e6, "minute", "minutes"],
    [1e6, "second", "seconds"],
  ];
  for (const [u, one, many] of units)
    if (periodUs % u === 0) {
      const k = periodUs / u;
      return k === 1 ? (plural ? many : one) : `${k} ${many}`;
    }
  return `${periodUs} µs`;
}

/** Running performance statistics of one run. */
export class PerformanceTracker {
  private readonly periodUs: number;
  private readonly minPeriods: number;
  private readonly periodsPerYear: number;
  private readonly yearMicros: number;
  private n = 0;
  private firstTs = 0;
  private lastTs = 0;
  private firstEquity = 0;
  private lastEquity = 0;
  private peak = 0;
  private maxDd = 0;
  private maxDdPct: number | null = null;
  // The period in progress and the equity its return is measured from.
  private period = 0;
  private periodBase = 0;
  private periodSamples = 0;
  // Completed period returns (Welford).
  private returns = 0;
  private meanR = 0;
  private m2 = 0;
  private downSq = 0;
  private returnsValid = true;
  private trades = 0;
  private wins = 0;
  private grossProfit = 0;
  private grossLoss = 0;
  private feeSum = 0;
  private turnover = 0;

  constructor(options: PerformanceOptions = {}) {
    this.periodUs = options.periodUs ?? DAY_MICROS;
    if (!(this.periodUs > 0)) throw new RangeError(`periodUs must be > 0: periodUs=${options.periodUs}`);
    this.minPeriods = Math.max(2, options.minPeriods ?? DEFAULT_MIN_PERIODS);
    this.yearMicros = options.yearMicros ?? YEAR_MICROS;
    this.periodsPerYear = options.periodsPerYear ?? this.yearMicros / this.periodUs;
  }

  /** Adds an equity sample; returns false (and ignores it) if ts goes backwards or equity is not finite. */
  sample(ts: number, equity: number): boolean {
    if (!Number.isFinite(equity) || !Number.isFinite(ts) || (this.n > 0 && ts < this.lastTs)) return false;
    const period = Math.floor(ts / this.periodUs);
    if (this.n === 0) {
      this.firstTs = ts;
      this.firstEquity = equity;
      this.peak = equity;
      this.period = period;
      this.periodBase = equity;
    } else if (period !== this.period) {
      // The previous period closed at the last sample before this one.
      if (this.periodSamples > 0) this.addReturn(this.periodBase, this.lastEquity);
      this.period = period;
      this.periodBase = this.lastEquity;
      this.periodSamples = 1;
    } else {
      this.periodSamples++;
    }
    if (equity > this.peak) this.peak = equity;
    const dd = this.peak - equity;
    if (dd > this.maxDd) this.maxDd = dd;
    if (this.peak > 0) {
      const pct = dd / this.peak;
      if (this.maxDdPct === null || pct > this.maxDdPct) this.maxDdPct = pct;
    }
    this.lastTs = ts;
    this.lastEquity = equity;
    this.n++;
    return true;
  }

  private addReturn(from: number, to: number): void {
    if (!(from > 0)) {
      this.returnsValid = false;
      return;
    }
    const r = to / from - 1;
    this.returns++;
    const delta = r - this.meanR;
    this.meanR += delta / this.returns;
    this.m2 += delta * (r - this.meanR);
    if (r < 0) this.downSq += r * r;
  }

  /**
   * Records a fill's outcome in account currency. `closes` is true for a fill that closed a position
   * (it counts as a trade with outcome realisedPnl - fee); opening fills pass false and add only
   * their fee and notional.
   */
  onTrade(realisedPnl: number, fee: number, notional: number, closes = true): void {
    this.feeSum += fee;
    this.turnover += Math.abs(notional);
    if (!closes) return;
    const outcome = realisedPnl - fee;
    this.trades++;
    if (outcome > 0) {
      this.wins++;
      this.grossProfit += outcome;
    } else if (outcome < 0) {
      this.grossLoss -= outcome;
    }
  }

  /** The report so far. */
  report(): PerformanceReport {
    // The period in progress counts as one more return.
    let k = this.returns;
    let mean = this.meanR;
    let m2 = this.m2;
    let downSq = this.downSq;
    let valid = this.returnsValid;
    if (this.periodSamples > 0) {
      if (this.periodBase > 0) {
        const r = this.lastEquity / this.periodBase - 1;
        k++;
        const delta = r - mean;
        mean += delta / k;
        m2 += delta * (r - mean);
        if (r < 0) downSq += r * r;
      } else valid = false;
    }
    const enough = k >= this.minPeriods;
    const ppy = this.periodsPerYear;
    const usable = valid && enough;
    const sd = k >= 2 ? Math.sqrt(m2 / (k - 1)) : 0;
    const down = k >= 2 ? Math.sqrt(downSq / k) : 0;
    const years = (this.lastTs - this.firstTs) / this.yearMicros;
    let calmar: number | null = null;
    if (enough && this.n > 1 && years > 0 && this.firstEquity > 0 && this.maxDdPct !== null && this.maxDdPct > 0) {
      const cagr = this.lastEquity <= 0 ? -1 : (this.lastEquity / this.firstEquity) ** (1 / years) - 1;
      calmar = cagr / this.maxDdPct;
    }
    return {
      pnl: this.n > 0 ? this.lastEquity - this.firstEquity : 0,
      sharpe: usable && sd > 0 ? finite((mean / sd) * Math.sqrt(ppy)) : null,
      sortino: usable && down > 0 ? finite((mean / down) * Math.sqrt(ppy)) : null,
      maxDrawdown: this.maxDd,
      maxDrawdownPct: this.maxDdPct,
      calmar: finite(calmar),
      winRate: this.trades > 0 ? this.wins / this.trades : null,
      profitFactor: this.grossLoss > 0 ? this.grossProfit / this.grossLoss : null,
      turnover: this.turnover,
      fees: this.feeSum,
      trades: this.trades,
      samples: this.n,
      periodsPerYear: ppy,
      returnPeriod: periodName(this.periodUs),
      returnPeriods: k,
      ratiosNote: enough ? null : `needs ≥ ${this.minPeriods} ${periodName(this.periodUs, true)}, have ${k}`,
    };
  }
}

function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}
