/**
 * Transaction cost analysis of one parent order, accumulated while it lives: the arrival mid
 * (consolidated, when it started), the market's average price over its life (trade VWAP where the
 * feed has trades; on quote-only feeds such as OANDA and FXCM there is no volume, so the benchmark
 * is the tick-weighted mid and `benchmarkBasis` says "ticks"), the spread paid against the mid at
 * each child fill, fees, and participation in observed volume (null without volume).
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { ParentOrder } from "../parents/parent-order.ts";

/** The TCA of one parent as reports and the API give it (prices in decimals, money in quote currency). */
export interface ParentTca {
  id: number;
  algo: string;
  strategy: string;
  symbol: string;
  side: number;
  quantity: number;
  filled: number;
  status: string;
  arrivalPrice: number;
  avgPrice: number;
  /** Cost against arrival, basis points (positive = paid). */
  shortfallBps: number;
  vwapBenchmark: number;
  benchmarkBasis: "volume" | "ticks";
  /** Cost against the benchmark over the parent's life, basis points. */
  vwapSlippageBps: number;
  /** Filled / market volume over the parent's life (null where the feed has no volume). */
  participation: number | null;
  fees: number;
  /** Average distance of child fills from the mid, basis points (positive = paid). */
  spreadPaidBps: number;
  children: number;
  fills: number;
  startTs: number;
  endTs: number;
}

/** Running sums behind one parent's TCA. */
export class TcaAccumulator {
  ticks = 0;
  private sumMid2 = 0;
  volume = 0;
  private volNotional = 0;
  private spread2 = 0;
  private spreadSize = 0;
  fills = 0;

  constructor(
    /** Mid times two at arrival (0 when no venue had a fresh quote: the first fresh mid is taken then). */
    public arrivalMid2: number,
  ) {}

  /** A quote of the symbol while the parent lives (mid times two). */
  onQuote(mid2: number): void {
    if (this.arrivalMid2 === 0) this.arrivalMid2 = mid2;
    this.ticks++;
    this.sumMid2 += mid2;
  }

  /** A market trade of the symbol while the parent lives. */
  onTrade(price: number, size: number): void {
    this.volume += size;
    this.volNotional += price * size;
  }

  /** A child fill with the mid (times two) of its venue at that moment. */
  onFill(side: number, price: number, size: number, mid2: number): void {
    this.fills++;
    if (mid2 > 0) {
      this.spread2 += side * (2 * price - mid2) * size;
      this.spreadSize += size;
    }
  }

  /** The report of `parent` now. */
  report(p: ParentOrder, inst: Instrument, symbol: string, endTs: number): ParentTca {
    const px = 10 ** inst.priceDecimals;
    const money = 10 ** (inst.priceDecimals + inst.sizeDecimals);
    const side = p.spec.side;
    const arrival = this.arrivalMid2 / 2;
    const avg = p.avgPrice;
    const byVolume = this.volume > 0;
    const bench = byVolume ? this.volNotional / this.volume : this.ticks > 0 ? this.sumMid2 / 2 / this.ticks : 0;
    const bps = (a: number, b: number) => (a > 0 && b > 0 ? round2((side * (a - b) * 10_000) / b) : 0);
    return {
      id: p.id,
      algo: p.spec.algo,
      strategy: p.spec.strategy,
      symbol,
      side,
      quantity: p.quantity,
      filled: p.filled,
      status: p.status,
      arrivalPrice: arrival / px,
      avgPrice: round8(avg / px),
      shortfallBps: p.filled > 0 ? bps(avg, arrival) : 0,
      vwapBenchmark: round8(bench / px),
      benchmarkBasis: byVolume ? "volume" : "ticks",
      vwapSlippageBps: p.filled > 0 ? bps(avg, bench) : 0,
      participation: byVolume ? round8(p.filled / this.volume) : null,
      fees: round8(p.fees / money),
      spreadPaidBps: this.spreadSize > 0 && arrival > 0 ? round2((this.spread2 / 2 / this.spreadSize / arrival) * 10_000) : 0,
      children: p.children.length,
      fills: this.fills,
      startTs: p.createdTs,
      endTs,
    };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
