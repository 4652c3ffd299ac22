/**
 * Maps integer order ids to pool handles with open addressing in typed arrays: linear probing from
 * a home slot that keeps consecutive ids together (see `homeSlot`), power-of-two capacity at least
 * twice the pool, deletion by backward shift (no tombstones), so lookups stay short under constant
 * churn and nothing is allocated after construction. Every typed array of the book is written once
 * when it is made (`fill`), so that no page of it is first touched, and faulted in by the kernel
 * (15-50 µs each on a loaded VM), in the middle of a command.
 */

const EMPTY = -1;

/**
 * Returns the home slot of a safe-integer id in a table of `2 ** bits` slots (`shift` = 35 - bits):
 * ids go in blocks of eight consecutive ones (one cache line of keys), and blocks are spread by
 * Fibonacci hashing, which gives the blocks of any run of consecutive ids no longer than the table
 * distinct, evenly spread homes. Order ids mostly rise by one, so a new id lands on a line the ids
 * just before it warmed, where a full mix sends each new id to a cold line (a cache and TLB miss).
 * The block number's bits above 18 are folded in so that strides of 2 ** 21 and more still spread.
 */
function homeSlot(id: number, shift: number): number {
  const lo = id >>> 0;
  const hi = (id / 4294967296) >>> 0;
  let b = (lo >>> 3) + Math.imul(hi, 0x85ebca6b);
  b ^= b >>> 18;
  const m = Math.imul(b, 0x9e3779b1);
  return ((m >>> shift) << 3) | ((lo ^ m) & 7);
}

/** Fixed-capacity hash index from order id to handle. */
export class IdIndex {
  private readonly keys: Float64Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  /** `homeSlot`'s shift for this table's size. */
  private readonly shift: number;

  /** Allocates room for `maxEntries` ids. */
  constructor(maxEntries: number) {
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(0);
    this.values = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.shift = 35 - Math.log2(cap);
  }

  /** Returns the handle stored for `id`, or -1. */
  get(id: number): number {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = homeSlot(id, this.shift);
    for (;;) {
      const v = values[i];
      if (v === EMPTY) return EMPTY;
      if (keys[i] === id) return v;
      i = (i + 1) & mask;
    }
  }

  /** Stores `handle` for `id`, which must not be present. */
  set(id: number, handle: number): void {
    const mask = this.mask;
    let i = homeSlot(id, this.shift);
    while (this.values[i] !== EMPTY) i = (i + 1) & mask;
    this.keys[i] = id;
    this.values[i] = handle;
  }

  /** Removes `id` if present. */
  delete(id: number): void {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    const shift = this.shift;
    let i = homeSlot(id, shift);
    for (;;) {
      if (values[i] === EMPTY) return;
      if (keys[i] === id) break;
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home allows.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (values[j] === EMPTY) break;
      const home = homeSlot(keys[j], shift);
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = EMPTY;
  }
}
