/**
 * A growable ring-buffer queue: first in, first out, with no allocation per item once it has grown
 * to its working size. The sim venue queues its in-flight requests and reports here and schedules
 * one shared callback per item instead of a closure.
 */

/** First-in-first-out queue of items. */
export class Fifo<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(capacity = 64) {
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Number of queued items. */
  get size(): number {
    return this.count;
  }

  /** Appends an item. */
  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the oldest item; throws when empty (a caller's bookkeeping bug). */
  shift(): T {
    if (this.count === 0) throw new Error("FIFO_EMPTY: shift on an empty queue");
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
