/**
 * A FIFO queue of open lots held as struct-of-arrays in a power-of-two ring, so opening and closing
 * lots on the hot path allocates nothing until the ring has to grow (it doubles, amortised O(1)).
 * All lots in one queue are on the same side; the owning PositionBook keeps that side.
 */

/** Open lots of one strategy on one instrument, oldest first. */
export class LotQueue {
  private prices: Float64Array;
  private sizes: Float64Array;
  private tss: Float64Array;
  private fillIds: Float64Array;
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(capacity = 4) {
    let cap = 1;
    while (cap < capacity) cap *= 2;
    this.prices = new Float64Array(cap);
    this.sizes = new Float64Array(cap);
    this.tss = new Float64Array(cap);
    this.fillIds = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Number of open lots. */
  get length(): number {
    return this.count;
  }

  /** Entry price in ticks of the i-th oldest lot. */
  priceAt(i: number): number {
    return this.prices[(this.head + i) & this.mask];
  }

  /** Remaining size in units of the i-th oldest lot. */
  sizeAt(i: number): number {
    return this.sizes[(this.head + i) & this.mask];
  }

  /** Timestamp (µs) of the fill that opened the i-th oldest lot. */
  tsAt(i: number): number {
    return this.tss[(this.head + i) & this.mask];
  }

  /** Id of the fill that opened the i-th oldest lot. */
  fillIdAt(i: number): number {
    return this.fillIds[(this.head + i) & this.mask];
  }

  /** Appends a lot as the newest. */
  push(price: number, size: number, ts: number, fillId: number): void {
    if (this.count === this.mask + 1) this.grow();
    const at = (this.head + this.count) & this.mask;
    this.prices[at] = price;
    this.sizes[at] = size;
    this.tss[at] = ts;
    this.fillIds[at] = fillId;
    this.count++;
  }

  /** Removes the `n` oldest lots. */
  drop(n: number): void {
    this.head = (this.head + n) & this.mask;
    this.count -= n;
  }

  /** Sets the remaining size of the oldest lot (after a partial close). */
  setOldestSize(size: number): void {
    this.sizes[this.head] = size;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const prices = new Float64Array(cap);
    const sizes = new Float64Array(cap);
    const tss = new Float64Array(cap);
    const fillIds = new Float64Array(cap);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & this.mask;
      prices[i] = this.prices[from];
      sizes[i] = this.sizes[from];
      tss[i] = this.tss[from];
      fillIds[i] = this.fillIds[from];
    }
    this.prices = prices;
    this.sizes = sizes;
    this.tss = tss;
    this.fillIds = fillIds;
    this.head = 0;
    this.mask = cap - 1;
  }
}
