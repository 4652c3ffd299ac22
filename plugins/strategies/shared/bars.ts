/**
 * Time bars from a quote stream: the strategies of this library decide on bar closes (the last mid
 * of each `barUs` interval of kernel time), not on every tick, so their EMAs, channels and
 * volatility have a horizon stated in bars. A bar closes when the first quote of a later interval
 * arrives; intervals without quotes produce no bar. No allocation after construction.
 */

/** Samples a mid price into bars of fixed duration. */
export class BarSampler {
  /** Close (last mid, ticks) of the bar that closed last; NaN before the first close. */
  close = NaN;
  /** Bars closed so far. */
  count = 0;
  private bar = -1;
  private last = NaN;

  constructor(readonly barUs: number) {}

  /** Feeds a mid at `ts`; returns true when it closed the previous bar (read `close`). */
  push(ts: number, mid: number): boolean {
    const bar = Math.floor(ts / this.barUs);
    let closed = false;
    if (bar > this.bar && this.bar >= 0 && Number.isFinite(this.last)) {
      this.close = this.last;
      this.count++;
      closed = true;
    }
    this.bar = bar;
    this.last = mid;
    return closed;
  }
}

/** An exponential moving average over bar closes, with alpha = 2 / (periodBars + 1). */
export class BarEma {
  /** Current value; NaN before the first update. */
  value = NaN;
  /** Updates seen. */
  count = 0;
  private readonly alpha: number;

  constructor(readonly periodBars: number) {
    this.alpha = 2 / (periodBars + 1);
  }

  /** Folds in a bar close and returns the new value. */
  update(x: number): number {
    this.value = this.count === 0 ? x : this.value + this.alpha * (x - this.value);
    this.count++;
    return this.value;
  }

  /** True once it has seen `periodBars` closes. */
  get ready(): boolean {
    return this.count >= this.periodBars;
  }
}
