/**
 * Inferring an instrument's scales from its data: the most decimals any price (or size) in a file
 * is written with, trailing zeros aside (`61837.63000000` has 2) and exponent notation expanded
 * (`1.3e-05` has 6). Every value of the file is then exact at those scales. Used when importing
 * a symbol the store and the catalogue do not know.
 */
import type { CsvMapping } from "./mapped-csv.ts";
import { TextCursor } from "./text-cursor.ts";

/** Scales seen in a file: the most price and size decimals, and how many values of each were read. */
export interface SeenDecimals {
  priceDecimals: number;
  sizeDecimals: number;
  prices: number;
  sizes: number;
}

/** Significant decimals of the number written in `buf[start, end)`; -1 if it is not a decimal number. */
export function decimalsOf(buf: Uint8Array, start: number, end: number): number {
  while (start < end && (buf[start] === 32 || buf[start] === 34)) start++;
  while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 34)) end--;
  let i = start;
  if (i < end && (buf[i] === 43 || buf[i] === 45)) i++;
  let digits = 0;
  // Position of the last non-zero digit: decimals after the point, or minus the integer part's trailing zeros.
  let trailingZeros = 0;
  let nonZero = false;
  while (i < end && buf[i] >= 48 && buf[i] <= 57) {
    if (buf[i] === 48) trailingZeros++;
    else {
      trailingZeros = 0;
      nonZero = true;
    }
    digits++;
    i++;
  }
  let decimals = 0;
  if (i < end && buf[i] === 46) {
    i++;
    let frac = 0;
    while (i < end && buf[i] >= 48 && buf[i] <= 57) {
      frac++;
      digits++;
      if (buf[i] !== 48) {
        decimals = frac;
        nonZero = true;
      }
      i++;
    }
  }
  if (digits === 0) return -1;
  let position = decimals > 0 ? decimals : -trailingZeros;
  if (i < end && (buf[i] | 32) === 101) {
    i++;
    let sign = 1;
    if (i < end && (buf[i] === 43 || buf[i] === 45)) {
      if (buf[i] === 45) sign = -1;
      i++;
    }
    let exp = 0;
    const expStart = i;
    while (i < end && buf[i] >= 48 && buf[i] <= 57) {
      exp = Math.min(exp * 10 + (buf[i] - 48), 1000);
      i++;
    }
    if (i === expStart) return -1;
    position -= sign * exp;
  }
  if (i !== end) return -1;
  return nonZero ? Math.max(0, position) : 0;
}

/** Significant decimals of decimal text (see `decimalsOf`); -1 if it is not a decimal number. */
export function textDecimals(text: string): number {
  return decimalsOf(new TextEncoder().encode(text), 0, text.length);
}

/** Resolves a mapping's columns (indexes or header names) to indexes; undefined entries are absent columns. */
function columnIndexes(bytes: Uint8Array, mapping: CsvMapping): { prices: number[]; sizes: number[] } | string {
  let names: string[] = [];
  if (mapping.header) {
    const c = new TextCursor(bytes, (mapping.delimiter ?? ",").charCodeAt(0));
    if (c.nextLine()) while (!c.atLineEnd()) names.push(c.text().trim().replace(/^"(.*)"$/, "$1"));
  }
  const index = (column: number | string | undefined): number | undefined => {
    if (column === undefined || typeof column === "number") return column;
    const at = names.indexOf(column);
    return at < 0 ? undefined : at;
  };
  const bid = index(mapping.bid);
  const ask = index(mapping.ask);
  if (bid === undefined || ask === undefined) return `no bid or ask column (header: ${names.join("|") || "(none)"})`;
  const sizes = [index(mapping.bidSize), index(mapping.askSize)].filter((c): c is number => c !== undefined);
  return { prices: [bid, ask], sizes };
}

/** The most price and size decimals in a quote CSV read with `mapping` (sizes in the file's own unit, before `sizeMultiplier`). */
export function inferCsvDecimals(bytes: Uint8Array, mapping: CsvMapping): SeenDecimals | string {
  const columns = columnIndexes(bytes, mapping);
  if (typeof columns === "string") return columns;
  const last = Math.max(...columns.prices, ...columns.sizes);
  const role = new Int8Array(last + 1);
  for (const c of columns.prices) role[c] = 1;
  for (const c of columns.sizes) role[c] = 2;
  const seen: SeenDecimals = { priceDecimals: 0, sizeDecimals: 0, prices: 0, sizes: 0 };
  const c = new TextCursor(bytes, (mapping.delimiter ?? ",").charCodeAt(0));
  if (mapping.header) c.nextLine();
  while (c.nextLine()) {
    for (let col = 0; col <= last; col++) {
      if (!c.skip()) break;
      if (role[col] === 0) continue;
      const d = decimalsOf(c.buf, c.fieldStart, c.fieldEnd);
      if (d < 0) continue;
      if (role[col] === 1) {
        seen.prices++;
        if (d > seen.priceDecimals) seen.priceDecimals = d;
      } else {
        seen.sizes++;
        if (d > seen.sizeDecimals) seen.sizeDecimals = d;
      }
    }
  }
  return seen;
}

const PRICE_FIELD = /"[bap]":"([^"]*)"/g;
const SIZE_FIELD = /"[BAq]":"([^"]*)"/g;
const LEVEL = /\["([^"]*)","([^"]*)"\]/g;

/** The most price and size decimals in a Binance capture's text (bookTicker, trades, depth levels). */
export function inferBinanceDecimals(text: string): SeenDecimals {
  const seen: SeenDecimals = { priceDecimals: 0, sizeDecimals: 0, prices: 0, sizes: 0 };
  const price = (t: string) => {
    const d = textDecimals(t);
    if (d < 0) return;
    seen.prices++;
    if (d > seen.priceDecimals) seen.priceDecimals = d;
  };
  const size = (t: string) => {
    const d = textDecimals(t);
    if (d < 0) return;
    seen.sizes++;
    if (d > seen.sizeDecimals) seen.sizeDecimals = d;
  };
  for (const m of text.matchAll(PRICE_FIELD)) price(m[1]!);
  for (const m of text.matchAll(SIZE_FIELD)) size(m[1]!);
  for (const m of text.matchAll(LEVEL)) {
    price(m[1]!);
    size(m[2]!);
  }
  return seen;
}
