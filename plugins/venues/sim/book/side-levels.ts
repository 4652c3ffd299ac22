/**
 * The price levels of one side of a book (or of a stop book): levels from the `LevelPool`, found by
 * price through 32-tick pages (`PagePool`), with the side's non-empty pages sorted best last in a
 * `PriceLadder` keyed by page number. Best level: the top page's best bit. Adding a level at a new
 * price sets a bit (and, only for a page not yet used, inserts one page into a short ladder);
 * an emptied level is released at once and clears its bit. Nothing shifts per level, nothing is
 * allocated, and no pass over the side ever runs on the command path.
 */
import type { LevelPool } from "./level-pool.ts";
import { NIL } from "./order-pool.ts";
import { PAGE_TICKS, type PagePool, pageOf } from "./page-pool.ts";
import { PriceLadder } from "./price-ladder.ts";

/** Entries of a side's page cache (a power of two). */
const PAGE_CACHE = 64;

/** Occupied levels of one side, best first by price. */
export class SideLevels {
  /** Non-empty pages of this side, keyed by page number, best last. */
  readonly ladder: PriceLadder;
  private readonly higher: boolean;
  /**
   * Pages looked up lately, direct-mapped by page number mod 64 (number, handle): a side's live
   * pages are a few dozen consecutive numbers, so nearly every lookup skips the pages' hash index.
   */
  private readonly cachedNumber = new Float64Array(PAGE_CACHE).fill(Number.NaN);
  private readonly cachedPage = new Int32Array(PAGE_CACHE).fill(NIL);

  /**
   * Creates an empty side for a book of `capacity` orders; `tag` (0..3) tells this side's pages
   * apart from the other sides' in the shared `pages`.
   */
  constructor(capacity: number, higherIsBetter: boolean, private readonly levels: LevelPool, private readonly pages: PagePool, private readonly tag: number) {
    this.ladder = new PriceLadder(capacity + 1, higherIsBetter);
    this.higher = higherIsBetter;
  }

  /** Handle of this side's page `n`, or NIL. */
  private page(n: number): number {
    const c = n & (PAGE_CACHE - 1);
    if (this.cachedNumber[c] === n) return this.cachedPage[c];
    const p = this.pages.find(this.tag, n);
    if (p !== NIL) {
      this.cachedNumber[c] = n;
      this.cachedPage[c] = p;
    }
    return p;
  }

  /** Best tick offset among the bits of a non-zero page mask. */
  private bestBit(m: number): number {
    return this.higher ? 31 - Math.clz32(m) : 31 - Math.clz32(m & -m);
  }

  /** Best level's handle, or NIL when the side is empty. */
  best(): number {
    const ladder = this.ladder;
    if (ladder.size === 0) return NIL;
    const p = ladder.levels[ladder.size - 1];
    return this.pages.slots[p * PAGE_TICKS + this.bestBit(this.pages.mask[p])];
  }

  /** The next level after `l` going away from the best, or NIL. */
  worse(l: number): number {
    const pages = this.pages;
    const p = pages.levelPage[l];
    const k = this.levels.price[l] - pages.number[p] * PAGE_TICKS;
    // Bits below k when higher is better, above k when lower is better.
    const m = pages.mask[p] & (this.higher ? (1 << k) - 1 : ~((2 << k) - 1));
    if (m !== 0) return pages.slots[p * PAGE_TICKS + this.bestBit(m)];
    const at = this.ladder.find(pages.number[p]);
    if (at <= 0) return NIL;
    const q = this.ladder.levels[at - 1];
    return pages.slots[q * PAGE_TICKS + this.bestBit(pages.mask[q])];
  }

  /** The level at `price`, or NIL. */
  levelAt(price: number): number {
    const n = pageOf(price);
    const p = this.page(n);
    return p === NIL ? NIL : this.pages.slots[p * PAGE_TICKS + (price - n * PAGE_TICKS)];
  }

  /** Appends order `h` to the back of the queue at `price`, creating the level (and page) if needed. */
  append(h: number, price: number): void {
    const pages = this.pages;
    const n = pageOf(price);
    let p = this.page(n);
    if (p === NIL) {
      p = pages.alloc(this.tag, n);
      this.ladder.insertAt(-this.ladder.find(n) - 1, n, p);
    }
    const k = price - n * PAGE_TICKS;
    const slot = p * PAGE_TICKS + k;
    let l = pages.slots[slot];
    if (l === NIL) {
      l = this.levels.alloc(price);
      pages.slots[slot] = l;
      pages.mask[p] |= 1 << k;
      pages.levelPage[l] = p;
    }
    this.levels.append(l, h);
  }

  /** Unlinks order `h` from `level` on this side, dropping the level if it empties. */
  remove(h: number, level: number): void {
    this.levels.unlink(h);
    if (this.levels.count[level] === 0) this.drop(level);
  }

  /** Releases empty level `l` and, if its page has no level left, the page. */
  drop(l: number): void {
    const pages = this.pages;
    const p = pages.levelPage[l];
    const n = pages.number[p];
    const k = this.levels.price[l] - n * PAGE_TICKS;
    pages.slots[p * PAGE_TICKS + k] = NIL;
    pages.levelPage[l] = NIL;
    this.levels.release(l);
    const m = pages.mask[p] & ~(1 << k);
    pages.mask[p] = m;
    if (m !== 0) return;
    const ladder = this.ladder;
    if (ladder.levels[ladder.size - 1] === p) ladder.size--;
    else ladder.removeAt(ladder.find(n));
    pages.release(this.tag, p);
    const c = n & (PAGE_CACHE - 1);
    if (this.cachedNumber[c] === n) {
      this.cachedNumber[c] = Number.NaN;
      this.cachedPage[c] = NIL;
    }
  }
}
