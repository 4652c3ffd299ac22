/**
 * Merging several market sources into one stream in event time: by ts, then by the order the
 * sources were given (the blueprint's total order). A k-way merge over the sources' `peekTs`,
 * so nothing is buffered and nothing is allocated per event.
 */
import { MergeHeap } from "./merge-heap.ts";
import type { MarketEvent, MarketSource, SourceBadRows } from "./market-source.ts";

/** Several sources read as one, in (ts, source order). */
export class MergedSource implements MarketSource {
  readonly name: string;
  private readonly heap: MergeHeap;

  constructor(
    /** The merged sources; their order breaks ties on ts. */
    readonly sources: readonly MarketSource[],
    name?: string,
  ) {
    this.name = name ?? `merge(${sources.map((s) => s.name).join(",")})`;
    this.heap = new MergeHeap(sources.length);
    sources.forEach((s, i) => this.heap.set(i, s.peekTs()));
  }

  /** Problems counted by all the merged sources. */
  get errorCount(): number {
    let n = 0;
    for (const s of this.sources) n += s.errorCount;
    return n;
  }

  /** Bad rows per input of every merged source. */
  badRowsBySource(): SourceBadRows[] {
    return this.sources.flatMap((s) => s.badRowsBySource?.() ?? []);
  }

  peekTs(): number {
    return this.heap.topTs();
  }

  next(out: MarketEvent): boolean {
    if (this.heap.topTs() === Infinity) return false;
    const slot = this.heap.top();
    const source = this.sources[slot];
    if (!source.next(out)) {
      // A source that peeked an event but had none is treated as exhausted.
      this.heap.set(slot, Infinity);
      return this.next(out);
    }
    this.heap.set(slot, source.peekTs());
    return true;
  }

  close(): void {
    for (const s of this.sources) s.close();
  }
}

/**
 * Merges sources by (ts, source order).
 * @example const market = mergeSources([replay, synthetic]);
 */
export function mergeSources(sources: readonly MarketSource[], name?: string): MergedSource {
  return new MergedSource(sources, name);
}
