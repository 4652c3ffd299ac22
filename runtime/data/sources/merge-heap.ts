/**
 * A binary min-heap of k slots keyed by (ts, slot index): the k-way merge behind replays of
 * several files and merges of several sources. Keys live in a typed array and the heap holds
 * slot indexes, so updating the head after each event allocates nothing. Ties on ts go to the
 * lower slot, which makes merges deterministic: same inputs, same order.
 */

/** Min-heap of slots ordered by their current ts, then by slot index. */
export class MergeHeap {
  private readonly ts: Float64Array;
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;

  /** Builds a heap of `k` slots, all keyed Infinity until set. */
  constructor(readonly size: number) {
    this.ts = new Float64Array(size).fill(Infinity);
    this.heap = Int32Array.from({ length: size }, (_, i) => i);
    this.pos = Int32Array.from({ length: size }, (_, i) => i);
  }

  /** Slot with the smallest (ts, slot); -1 if the heap has no slots. */
  top(): number {
    return this.size === 0 ? -1 : this.heap[0];
  }

  /** Smallest ts over all slots (Infinity when all are exhausted). */
  topTs(): number {
    return this.size === 0 ? Infinity : this.ts[this.heap[0]];
  }

  /** Current key of a slot. */
  keyOf(slot: number): number {
    return this.ts[slot];
  }

  /** Sets the key of a slot and restores heap order (the key may go up or down). */
  set(slot: number, ts: number): void {
    this.ts[slot] = ts;
    const i = this.pos[slot];
    if (!this.siftUp(i)) this.siftDown(i);
  }

  private less(a: number, b: number): boolean {
    const ta = this.ts[a];
    const tb = this.ts[b];
    return ta < tb || (ta === tb && a < b);
  }

  private place(i: number, slot: number): void {
    this.heap[i] = slot;
    this.pos[slot] = i;
  }

  private siftUp(i: number): boolean {
    const slot = this.heap[i];
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent];
      if (!this.less(slot, p)) break;
      this.place(i, p);
      i = parent;
    }
    this.place(i, slot);
    return i !== start;
  }

  private siftDown(i: number): void {
    const slot = this.heap[i];
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(this.heap[child + 1], this.heap[child])) child++;
      const c = this.heap[child];
      if (!this.less(c, slot)) break;
      this.place(i, c);
      i = child;
    }
    this.place(i, slot);
  }
}
