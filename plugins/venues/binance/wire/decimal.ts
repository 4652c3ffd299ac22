/**
 * Decimal text as Binance sends it ("61837.63000000") to integers scaled by 10^decimals, and back.
 * Exact: a value with non-zero digits beyond the scale is refused (NaN), never rounded.
 */

/** Parses decimal text into an integer scaled by 10^decimals; NaN if malformed or inexact at that scale. */
export function parseDecimal(text: unknown, decimals: number): number {
  if (typeof text !== "string" || text.length === 0) return Number.NaN;
  let value = 0;
  let frac = -1;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 46) {
      if (frac >= 0) return Number.NaN;
      frac = 0;
      continue;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) return Number.NaN;
    digits++;
    if (frac < 0) value = value * 10 + d;
    else if (frac < decimals) {
      value = value * 10 + d;
      frac++;
    } else if (d !== 0) return Number.NaN;
  }
  if (digits === 0) return Number.NaN;
  const scaled = value * 10 ** (decimals - Math.max(frac, 0));
  return Number.isSafeInteger(scaled) ? scaled : Number.NaN;
}

/** Formats a non-negative scaled integer as the shortest exact decimal text ("0.001", "61837.63"). */
export function formatDecimal(value: number, decimals: number): string {
  const digits = String(Math.abs(value)).padStart(decimals + 1, "0");
  let text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  if (decimals > 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return value < 0 ? `-${text}` : text;
}

/** Parses signed decimal text ("-0.01234567") into an integer at 10^decimals, rounding half away from zero beyond it; NaN if malformed. */
export function parseDecimalRounded(text: unknown, decimals: number): number {
  if (typeof text !== "string") return Number.NaN;
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return Number.NaN;
  const frac = m[3] ?? "";
  let v = Number(m[2]! + frac.slice(0, decimals).padEnd(decimals, "0"));
  if (frac.length > decimals && frac.charCodeAt(decimals) >= 53) v += 1;
  if (!Number.isSafeInteger(v)) return Number.NaN;
  return m[1] === "-" ? -v : v;
}
