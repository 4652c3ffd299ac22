/**
 * Exact decimal <-> scaled-integer mapping straight on ASCII bytes, for the hot path: a FIX
 * price "1.10015" read at 5 decimals is the integer 110015, with no string and no float in
 * between. A value that cannot be represented exactly at the scale (extra non-zero digits, more
 * than 2^53) reads as NaN, which callers treat as "refuse", never as a rounded number.
 */

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
  let len = 0;
  for (let v = value; v > 0; v = Math.floor(v / 10)) len++;
  let p = pos + len - 1;
  for (let v = value; v > 0; v = Math.floor(v / 10)) buf[p--] = 48 + (v % 10);
  return pos + len;
}

/** Writes an integer scaled by 10^decimals as decimal ASCII (trailing zeros trimmed, at least one digit after a point); returns the end position. */
export function writeScaledAscii(buf: Uint8Array, pos: number, value: number, decimals: number): number {
  if (value < 0) { buf[pos++] = 45; value = -value; }
  if (decimals === 0) return writeIntAscii(buf, pos, value);
  let scale = 1;
  for (let d = 0; d < decimals; d++) scale *= 10;
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
