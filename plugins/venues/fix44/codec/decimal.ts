/**
 * Exact decimal <-> scaled-integer mapping straight on ASCII bytes, for the hot path: a FIX
 * price "1.10015" read at 5 decimals is the integer 110015, with no string and no float in
 * between. A value that cannot be represented exactly at the scale (extra non-zero digits, more
 * than 2^53) reads as NaN, which callers treat as "refuse", never as a rounded number.
 */

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Reads ASCII decimal bytes [start, end) as an integer scaled by 10^decimals; NaN if inexact or malformed. */
export function parseScaledAscii(buf: Uint8Array, start: number, end: number, decimals: number): number {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === 45) { negative = true; i++; } else if (i < end && buf[i] === 43) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c === 46) break;
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
    digits++;
  }
  let frac = 0;
  if (i < end) {
    i++; // the point
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c < 48 || c > 57) return Number.NaN;
      if (frac < decimals) { value = value * 10 + (c - 48); frac++; } else if (c !== 48) return Number.NaN;
      digits++;
    }
  }
  if (digits === 0) return Number.NaN;
  for (; frac < decimals; frac++) value *= 10;
  if (value > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return negative ? (value === 0 ? 0 : -value) : value;
}

/** Reads ASCII bytes [start, end) as a signed integer; NaN if malformed or beyond 2^53. */
export function parseIntAscii(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === 45) { negative = true; i++; }
  if (i >= end) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
  }
  if (value > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return negative ? (value === 0 ? 0 : -value) : value;
}

/** Writes a non-negative or negative integer as ASCII at `pos`; returns the position after it. */
export function writeIntAscii(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0) { buf[pos++] = 45; value = -value; }
  if (value < 10) { buf[pos] = 48 + value; return pos + 1; }
  if (value <= 0x7fffffff) {
    // Int32 arithmetic: digits are written backwards from the end of the known length.
    let v = value | 0;
    const len = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    let p = pos + len - 1;
    while (v >= 10) {
      const q = (v / 10) | 0;
      buf[p--] = 48 + v - q * 10;
      v = q;
    }
    buf[p] = 48 + v;
    return pos + len;
  }
  let len = 0;
  for (let v = value; v >= 1; v = Math.floor(v / 10)) len++;
  let p = pos + len - 1;
  for (let v = value; v >= 1; v = Math.floor(v / 10)) buf[p--] = 48 + (v % 10);
  return pos + len;
}

/** Writes an integer scaled by 10^decimals as decimal ASCII (trailing zeros trimmed, at least one digit after a point); returns the end position. */
export function writeScaledAscii(buf: Uint8Array, pos: number, value: number, decimals: number): number {
  if (value < 0) { buf[pos++] = 45; value = -value; }
  if (decimals === 0) return writeIntAscii(buf, pos, value);
  const scale = POW10[decimals] ?? 10 ** decimals;
  if (value <= 0x7fffffff && decimals <= 9) {
    // Int32 fast path (prices and sizes of everyday instruments).
    const v = value | 0;
    const w = (v / scale) | 0;
    let f = v - w * scale;
    pos = writeIntAscii(buf, pos, w);
    if (f === 0) return pos;
    buf[pos++] = 46;
    let width = decimals;
    let q = (f / 10) | 0;
    while (f === q * 10) { f = q; q = (f / 10) | 0; width--; }
    for (let p = pos + width - 1; p >= pos; p--) { q = (f / 10) | 0; buf[p] = 48 + f - q * 10; f = q; }
    return pos + width;
  }
  const whole = Math.floor(value / scale);
  let frac = value - whole * scale;
  pos = writeIntAscii(buf, pos, whole);
  if (frac === 0) return pos;
  buf[pos++] = 46;
  let width = decimals;
  while (frac % 10 === 0) { frac /= 10; width--; }
  for (let p = pos + width - 1; p >= pos; p--) { buf[p] = 48 + (frac % 10); frac = Math.floor(frac / 10); }
  return pos + width;
}
