/**
 * The performance report of a run, computed incrementally (O(1) memory, no allocation per sample)
 * from an equity curve and per-trade outcomes. Definitions (risk-free rate 0):
 * - Returns are simple returns between consecutive samples, r = E[k] / E[k-1] - 1. The caller samples
 *   account equity including starting capital (e.g. capital + portfolio.equity("USD")) at a regular
 *   interval such as once per simulated second.
 * - Periods per year: `periodsPerYear` if given, else a year (default 365 days of µs) divided by the
 *   mean interval between samples.
 * - Sharpe = mean(r) / sd(r) * sqrt(periodsPerYear), sd with n - 1 (sample standard deviation).
 * - Sortino = mean(r) / dd * sqrt(periodsPerYear), dd = sqrt(sum(min(r, 0)^2) / n) (target 0).
 * - Max drawdown = max over k of (running peak - E[k]) in account currency; maxDrawdownPct is the
 *   same as a fraction of the running peak (0.1 = 10%), over points where the peak is positive.
 * - Calmar = CAGR / maxDrawdownPct, CAGR = (E[last] / E[first])^(1 / years) - 1 with years from the
 *   first and last sample timestamps (a loss of everything is CAGR -1).
 * - pnl = E[last] - E[first]. Trades come from onTrade: a closing trade's outcome is its realised P&L
 *   minus its fee; winRate = outcomes > 0 / trades; profitFactor = sum of positive outcomes / -sum
 *   of negative ones. turnover = sum of |notional| of every onTrade call; fees = sum of every fee.
 * A ratio that cannot be formed (fewer than two returns, zero variance or downside, no trades, no
 * losing trade, a non-positive equity before a return, a non-finite result) is null, never NaN or
 * Infinity.
 */

/** Options of the tracker. */
export interface PerformanceOptions {
  /** Return periods in a year; default derived from the sample timestamps. */
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
}

const YEAR_MICROS = 365 * 24 * 3600 * 1e6;

/** Running performance statistics of one run. */
export class PerformanceTracker {
  private readonly periodsPerYear: number | undefined;
  private readonly yearMicros: number;
  private n = 0;
  private firstTs = 0;
  private lastTs = 0;
  private firstEquity = 0;
  private lastEquity = 0;
  private peak = 0;
  private maxDd = 0;
  private maxDdPct: number | null = null;
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
    this.periodsPerYear = options.periodsPerYear;
    this.yearMicros = options.yearMicros ?? YEAR_MICROS;
  }

  /** Adds an equity sample; returns false (and ignores it) if ts goes backwards or equity is not finite. */
  sample(ts: number, equity: number): boolean {
    if (!Number.isFinite(equity) || !Number.isFinite(ts) || (this.n > 0 && ts < this.lastTs)) return false;
    if (this.n === 0) {
      this.firstTs = ts;
      this.firstEquity = equity;
      this.peak = equity;
    } else {
      const prev = this.lastEquity;
      if (prev > 0) {
        const r = equity / prev - 1;
        this.returns++;
        const delta = r - this.meanR;
        this.meanR += delta / this.returns;
        this.m2 += delta * (r - this.meanR);
        if (r < 0) this.downSq += r * r;
      } else {
        this.returnsValid = false;
      }
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
    const ppy = this.periodsPerYear ?? (this.n > 1 && this.lastTs > this.firstTs ? this.yearMicros / ((this.lastTs - this.firstTs) / (this.n - 1)) : null);
    const usable = this.returnsValid && this.returns >= 2 && ppy !== null;
    const sd = this.returns >= 2 ? Math.sqrt(this.m2 / (this.returns - 1)) : 0;
    const down = this.returns >= 2 ? Math.sqrt(this.downSq / this.returns) : 0;
    const years = (this.lastTs - this.firstTs) / this.yearMicros;
    let calmar: number | null = null;
    if (this.n > 1 && years > 0 && this.firstEquity > 0 && this.maxDdPct !== null && this.maxDdPct > 0) {
      const cagr = this.lastEquity <= 0 ? -1 : (this.lastEquity / this.firstEquity) ** (1 / years) - 1;
      calmar = cagr / this.maxDdPct;
    }
    return {
      pnl: this.n > 0 ? this.lastEquity - this.firstEquity : 0,
      sharpe: usable && sd > 0 ? finite((this.meanR / sd) * Math.sqrt(ppy)) : null,
      sortino: usable && down > 0 ? finite((this.meanR / down) * Math.sqrt(ppy)) : null,
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
    };
  }
}

function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}
