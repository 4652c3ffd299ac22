/**
 * Calendar arithmetic for timestamps in text, without `Date` objects: civil date to days since
 * the epoch, and a byte parser for the common date-time spellings of market-data files
 * (`YYYYMMDD HH:MM:SS.fff`, `YYYY-MM-DD HH:MM:SS.ffffff`, ISO 8601 with `T` and `Z` or an offset).
 * Times without an offset are UTC; fractions are kept to the microsecond and finer digits are truncated.
 */

/** Returns days since 1970-01-01 for a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Microseconds in one day. */
export const DAY_US = 86_400_000_000;

/** Returns epoch microseconds at UTC midnight of a `YYYYMMDD` or `YYYY-MM-DD` date text; NaN if it is not one. */
export function parseDateText(text: string): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (m === null) return Number.NaN;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return Number.NaN;
  return daysFromCivil(Number(m[1]), mo, d) * DAY_US;
}

function digitsAt(buf: Uint8Array, at: number, count: number, end: number): number {
  if (at + count > end) return -1;
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Parses a date-time in `buf[start, end)` to epoch microseconds; NaN if it is not one.
 * Accepts `YYYYMMDD`, `YYYY-MM-DD` or `YYYY/MM/DD`, then a space or `T`, then `HH:MM:SS` or
 * `HHMMSS`, an optional fraction after `.` or `,`, and an optional trailing `Z` or offset from UTC
 * (`+02:00`, `-0500`, `+01`).
 */
export function parseDateTimeBytes(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === 32) start++;
  while (end > start && buf[end - 1] === 32) end--;
  if (end > start && buf[end - 1] === 90) end--;
  let i = start;
  const year = digitsAt(buf, i, 4, end);
  i += 4;
  const dateSep = buf[i] === 45 || buf[i] === 47;
  if (dateSep) i++;
  const month = digitsAt(buf, i, 2, end);
  i += 2;
  if (dateSep) {
    if (buf[i] !== buf[start + 4]) return Number.NaN;
    i++;
  }
  const day = digitsAt(buf, i, 2, end);
  i += 2;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
  let us = daysFromCivil(year, month, day) * DAY_US;
  if (i === end) return us;
  if (buf[i] !== 32 && buf[i] !== 84) return Number.NaN;
  i++;
  const hh = digitsAt(buf, i, 2, end);
  i += 2;
  const timeSep = buf[i] === 58;
  if (timeSep) i++;
  const mm = digitsAt(buf, i, 2, end);
  i += 2;
  if (timeSep) {
    if (buf[i] !== 58) return Number.NaN;
    i++;
  }
  const ss = digitsAt(buf, i, 2, end);
  i += 2;
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return Number.NaN;
  us += ((hh * 60 + mm) * 60 + ss) * 1_000_000;
  if (i < end && (buf[i] === 46 || buf[i] === 44)) {
    i++;
    let scale = 100_000;
    const fracStart = i;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      us += d * scale;
      scale /= 10;
      if (scale < 1) scale = 0;
      i++;
    }
    if (i === fracStart) return Number.NaN;
  }
  // An ISO 8601 offset from UTC: `+HH:MM`, `+HHMM` or `+HH` (and `-`).
  if (i < end && (buf[i] === 43 || buf[i] === 45)) {
    const sign = buf[i] === 45 ? -1 : 1;
    i++;
    const oh = digitsAt(buf, i, 2, end);
    i += 2;
    let om = 0;
    if (i < end) {
      if (buf[i] === 58) i++;
      om = digitsAt(buf, i, 2, end);
      i += 2;
    }
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    us -= sign * (oh * 60 + om) * 60_000_000;
  }
  return i === end ? us : Number.NaN;
}
