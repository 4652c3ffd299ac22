/**
 * The consolidated top of book across liquidity providers: each provider's last quote per
 * instrument, and the best bid and ask over all of them (sizes summed at the best price).
 */

/** Last quotes per provider and instrument, and their consolidation. */
export class ConsolidatedBook {
  private readonly bid: Float64Array;
  private readonly ask: Float64Array;
  private readonly bidSize: Float64Array;
  private readonly askSize: Float64Array;

  constructor(
    readonly providers: number,
    readonly instruments: number,
  ) {
    const n = providers * instruments;
    this.bid = new Float64Array(n);
    this.ask = new Float64Array(n);
    this.bidSize = new Float64Array(n);
    this.askSize = new Float64Array(n);
  }

  /** Records a provider's quote (0 price = side absent). */
  set(provider: number, instrument: number, bid: number, bidSize: number, ask: number, askSize: number): void {
    const i = provider * this.instruments + instrument;
    this.bid[i] = bid;
    this.bidSize[i] = bidSize;
    this.ask[i] = ask;
    this.askSize[i] = askSize;
  }

  /** Forgets a provider's quotes (its session went down). */
  clear(provider: number): void {
    for (let k = 0; k < this.instruments; k++) this.set(provider, k, 0, 0, 0, 0);
  }

  /** Best bid over providers and the size shown there; [0, 0] when none. */
  bestBid(instrument: number): [number, number] {
    let best = 0;
    let size = 0;
    for (let p = 0; p < this.providers; p++) {
      const i = p * this.instruments + instrument;
      const b = this.bid[i]!;
      if (b <= 0 || this.bidSize[i]! <= 0) continue;
      if (b > best) {
        best = b;
        size = this.bidSize[i]!;
      } else if (b === best) size += this.bidSize[i]!;
    }
    return [best, size];
  }

  /** Best ask over providers and the size shown there; [0, 0] when none. */
  bestAsk(instrument: number): [number, number] {
    let best = 0;
    let size = 0;
    for (let p = 0; p < this.providers; p++) {
      const i = p * this.instruments + instrument;
      const a = this.ask[i]!;
      if (a <= 0 || this.askSize[i]! <= 0) continue;
      if (best === 0 || a < best) {
        best = a;
        size = this.askSize[i]!;
      } else if (a === best) size += this.askSize[i]!;
    }
    return [best, size];
  }

  /** Provider showing the best price on the side an order of `side` takes (-1 when none). */
  bestProvider(instrument: number, side: 1 | -1, eligible: (provider: number) => boolean): number {
    let best = -1;
    let price = 0;
    for (let p = 0; p < this.providers; p++) {
      if (!eligible(p)) continue;
      const i = p * this.instruments + instrument;
      const x = side === 1 ? this.ask[i]! : this.bid[i]!;
      if (x <= 0) continue;
      if (best < 0 || (side === 1 ? x < price : x > price)) {
        best = p;
        price = x;
      }
    }
    return best;
  }
}
