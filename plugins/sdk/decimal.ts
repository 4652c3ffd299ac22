/**
 * Exact conversion between decimal text and scaled integers, for the edges (config, venue
 * adapters, admin API). Nothing here uses floating point arithmetic on the value.
 */

/** Result of parsing decimal text: the scaled integer or a reason it could not be represented. */
export type ParsedDecimal = { ok: true; value: number } | { ok: false; reason: string };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Exponents beyond this cannot give a safe integer at any scale (or are all zeros after the point). */
const MAX_EXPONENT = 400;

/**
 * Parses decimal text, plain or in exponent notation (`1.3e-05`, `2E+3`), into an integer scaled
 * by 10^decimals, refusing anything inexact. The exponent moves the decimal point on the digit
 * string itself: no floating point is involved.
 * @example parseScaled("1.14427", 5) // { ok: true, value: 114427 }
 * @example parseScaled("1.3e-05", 8) // { ok: true, value: 1300 }
 */
export function parseScaled(text: string, decimals: number): ParsedDecimal {
  const m = DECIMAL.exec(text.trim());
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) return { ok: false, reason: `not a decimal number: "${text}"` };
  const sign = m[1] === "-" ? -1 : 1;
  let intPart = m[2];
  let frac = m[3] ?? "";
  if (m[4] !== undefined) {
    const exp = Number(m[4]);
    if (Math.abs(exp) > MAX_EXPONENT) {
      if (/^0*$/.test(intPart + frac)) return { ok: true, value: 0 };
      return { ok: false, reason: exp > 0 ? `"${text}" is too large at ${decimals} decimals` : `"${text}" has more than ${decimals} decimals` };
    }
    const shifted = shiftPoint(intPart, frac, exp);
    intPart = shifted[0];
    frac = shifted[1];
  }
  // Trailing zeros beyond the scale are harmless; other digits would be lost.
  if (frac.length > decimals) {
    const extra = frac.slice(decimals);
    if (!/^0*$/.test(extra)) {
      const plain = m[4] === undefined ? "" : ` (= ${m[1] === "-" ? "-" : ""}${intPart || "0"}.${frac})`;
      return { ok: false, reason: `"${text}"${plain} has more than ${decimals} decimals` };
    }
    frac = frac.slice(0, decimals);
  }
  const digits = intPart + frac.padEnd(decimals, "0");
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `"${text}" is too large at ${decimals} decimals` };
  return { ok: true, value: sign * value || 0 };
}

/** Moves the decimal point of `intPart.frac` by `exp` places (right when positive); returns the new parts. */
function shiftPoint(intPart: string, frac: string, exp: number): [string, string] {
  const all = intPart + frac;
  const point = intPart.length + exp;
  if (point <= 0) return ["", "0".repeat(-point) + all];
  if (point >= all.length) return [all + "0".repeat(point - all.length), ""];
  return [all.slice(0, point), all.slice(point)];
}

/** Parses a JavaScript number (e.g. from YAML or JSON) as decimal text into a scaled integer. */
export function parseScaledNumber(value: number, decimals: number): ParsedDecimal {
  if (!Number.isFinite(value)) return { ok: false, reason: `not a finite number: ${value}` };
  // Shortest round-trip text of the double is the decimal the author wrote (exponent notation included).
  return parseScaled(String(value), decimals);
}

/** Formats a scaled integer as decimal text with exactly `decimals` digits after the point. */
export function formatScaled(value: number, decimals: number): string {
  const negative = value < 0;
  const digits = String(Math.abs(value)).padStart(decimals + 1, "0");
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

/** Converts a scaled integer to a double, for display and for float-only math such as features. */
export function scaledToNumber(value: number, decimals: number): number {
  return value / 10 ** decimals;
}
