/**
 * Replay files read once per process: each file a replay reaches is parsed into columns
 * (`readColumns`) and kept, keyed by path, size, modification time and how it is read (format,
 * instrument, mapping), so a second replay of the same day in the process (a parameter sweep, a
 * benchmark's floor and pipeline, a paper session restarted) reads typed arrays instead of
 * parsing text again. The cache is bounded in bytes; the least recently used files go first.
 */
import { statSync } from "node:fs";
import { ColumnarQuoteReader, readColumns, type QuoteColumns } from "../../formats/columnar-quotes.ts";
import type { QuoteReader } from "../../formats/quote-reader.ts";

/** Bytes of columns kept at most (about 25 days of EURUSD at 136k quotes a day). */
export const DAY_CACHE_MAX_BYTES = 128 * 1024 * 1024;

const cache = new Map<string, QuoteColumns>();
let held = 0;
/** Files read from text (misses) and from the cache (hits), for tests and benchmarks. */
export const dayCacheStats = { misses: 0, hits: 0 };

/** A reader over `path` as `open` would read it, from the cache when the same file was read the same way before. */
export function openCachedDay(path: string, how: string, open: (path: string) => QuoteReader): QuoteReader {
  let key: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) return open(path); // a bi5 day folder: read as it is, uncached
    key = `${path}\u0000${st.size}\u0000${st.mtimeMs}\u0000${how}`;
  } catch {
    return open(path); // the opener reports what is wrong with it
  }
  let columns = cache.get(key);
  if (columns !== undefined) {
    dayCacheStats.hits++;
    cache.delete(key); // most recently used last
    cache.set(key, columns);
    return new ColumnarQuoteReader(columns);
  }
  dayCacheStats.misses++;
  columns = readColumns(open(path));
  if (columns.bytes <= DAY_CACHE_MAX_BYTES) {
    cache.set(key, columns);
    held += columns.bytes;
    for (const [k, c] of cache) {
      if (held <= DAY_CACHE_MAX_BYTES) break;
      cache.delete(k);
      held -= c.bytes;
    }
  }
  return new ColumnarQuoteReader(columns);
}

/** Forgets every cached file. */
export function clearDayCache(): void {
  cache.clear();
  held = 0;
}
