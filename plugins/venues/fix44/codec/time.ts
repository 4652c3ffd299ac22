/**
 * FIX UTCTimestamp text (YYYYMMDD-HH:MM:SS[.sss[sss]]) <-> integer microseconds since the
 * epoch, on bytes and without Date objects, using the days-from-civil algorithm.
 */

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digitsAt(buf: Uint8Array, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = (buf[pos + i] as number) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Reads a UTCTimestamp from bytes [start, end) as microseconds since the epoch; NaN if malformed. */
export function parseUtcTimestamp(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len !== 17 && len !== 21 && len !== 24 && len !== 27) return Number.NaN;
  if (buf[start + 8] !== 45 || buf[start + 11] !== 58 || buf[start + 14] !== 58) return Number.NaN;
  const y = digitsAt(buf, start, 4), mo = digitsAt(buf, start + 4, 2), d = digitsAt(buf, start + 6, 2);
  const h = digitsAt(buf, start + 9, 2), mi = digitsAt(buf, start + 12, 2), s = digitsAt(buf, start + 15, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return Number.NaN;
  let micros = 0;
  if (len > 17) {
    if (buf[start + 17] !== 46) return Number.NaN;
    const n = len - 18;
    const f = digitsAt(buf, start + 18, n);
    if (f < 0) return Number.NaN;
    micros = n === 3 ? f * 1000 : n === 6 ? f : Math.floor(f / 1000);
  }
  return ((daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1_000_000) + micros;
}

function put2(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = 48 + Math.floor(v / 10);
  buf[pos + 1] = 48 + (v % 10);
}

/** The last second formatted ("YYYYMMDD-HH:MM:SS"), reused while messages keep coming in the same second. */
const cached = new Uint8Array(17);
let cachedSecond = Number.NaN;

/** Writes microseconds since the epoch as a UTCTimestamp with milliseconds (21 bytes); returns the end position. */
export function writeUtcTimestamp(buf: Uint8Array, pos: number, micros: number): number {
  const totalMs = Math.floor(micros / 1000);
  const ms = totalMs % 1000;
  const secs = Math.floor(totalMs / 1000);
  if (secs !== cachedSecond) {
    writeSecond(cached, 0, secs);
    cachedSecond = secs;
  }
  for (let i = 0; i < 17; i++) buf[pos + i] = cached[i] as number;
  buf[pos + 17] = 46;
  buf[pos + 18] = 48 + Math.floor(ms / 100);
  put2(buf, pos + 19, ms % 100);
  return pos + 21;
}

function writeSecond(buf: Uint8Array, pos: number, secs: number): void {
  const days = Math.floor(secs / 86400);
  let rem = secs - days * 86400;
  // civil-from-days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  put2(buf, pos, Math.floor(y / 100));
  put2(buf, pos + 2, y % 100);
  put2(buf, pos + 4, m);
  put2(buf, pos + 6, d);
  buf[pos + 8] = 45;
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  put2(buf, pos + 9, h);
  buf[pos + 11] = 58;
  put2(buf, pos + 12, mi);
  buf[pos + 14] = 58;
  put2(buf, pos + 15, rem - mi * 60);
}
