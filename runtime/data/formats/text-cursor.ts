/**
 * A cursor over delimited text held as bytes: it walks lines and parses fields in place, exact
 * decimals (plain or in exponent notation, `1.3e-05`) straight into scaled integers, with no
 * string, regex or object per row. A parse that
 * fails returns NaN and leaves a failure code and the field's byte range behind, so that the
 * caller builds an error message only for bad rows.
 */

/** Why the last field failed to parse. */
export const FieldFailure = { None: 0, Missing: 1, NotANumber: 2, TooManyDecimals: 3, TooLarge: 4 } as const;
/** One of the `FieldFailure` codes. */
export type FieldFailure = (typeof FieldFailure)[keyof typeof FieldFailure];

const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
const decoder = new TextDecoder();

/** Walks the lines of a text buffer and parses the fields of the current line left to right. */
export class TextCursor {
  /** 1-based number of the current line. */
  line = 0;
  /** Byte offset of the current line's start. */
  lineStart = 0;
  /** Byte offset just past the current line's last character (before any `\r\n`). */
  lineEnd = 0;
  /** Byte offset of the next field; past `lineEnd` once the line's fields are used up. */
  pos = 0;
  /** Why the last parse failed; `None` after a good one. */
  failure: FieldFailure = FieldFailure.None;
  /** Byte range of the last field parsed or skipped. */
  fieldStart = 0;
  fieldEnd = 0;
  /** Decimals the last failed scaled parse asked for. */
  failDecimals = 0;
  private next0 = 0;

  constructor(
    readonly buf: Uint8Array,
    /** Field delimiter byte, e.g. 44 for ",". */
    public delim = 44,
  ) {
    // A UTF-8 byte order mark, as spreadsheets write, is not part of the first field.
    if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.next0 = 3;
  }

  /** Moves to the next non-blank line; returns false at the end of the buffer. */
  nextLine(): boolean {
    const buf = this.buf;
    const n = buf.length;
    let i = this.next0;
    while (i < n) {
      const start = i;
      this.line++;
      const nl = buf.indexOf(10, i);
      const stop = nl < 0 ? n : nl;
      i = nl < 0 ? n : nl + 1;
      let end = stop;
      if (end > start && buf[end - 1] === 13) end--;
      if (end > start) {
        this.next0 = i;
        this.lineStart = start;
        this.lineEnd = end;
        this.pos = start;
        return true;
      }
    }
    this.next0 = n;
    return false;
  }

  /** True when every field of the current line has been consumed. */
  atLineEnd(): boolean {
    return this.pos > this.lineEnd;
  }

  /** Skips one field; returns false if there was none. */
  skip(): boolean {
    if (this.pos > this.lineEnd) {
      this.failure = FieldFailure.Missing;
      return false;
    }
    this.fieldStart = this.pos;
    const end = this.fieldStop(this.pos);
    this.fieldEnd = end;
    this.pos = end + 1;
    return true;
  }

  /** Returns the next field as text (for symbols and error messages, not for numbers). */
  text(): string {
    if (!this.skip()) return "";
    return decoder.decode(this.buf.subarray(this.fieldStart, this.fieldEnd));
  }

  /** Parses the next field as an exact decimal scaled by 10^decimals; NaN with `failure` set if it is not one. */
  scaled(decimals: number): number {
    const buf = this.buf;
    let i = this.pos;
    this.fieldStart = i;
    if (i > this.lineEnd) {
      this.fieldEnd = i;
      return this.fail(FieldFailure.Missing, decimals);
    }
    const end = this.fieldStop(i);
    this.fieldEnd = end;
    this.pos = end + 1;
    // Surrounding spaces are tolerated, as spreadsheets write them.
    while (i < end && buf[i] === 32) i++;
    let stop = end;
    while (stop > i && buf[stop - 1] === 32) stop--;
    if (i === stop) return this.fail(FieldFailure.Missing, decimals);
    let sign = 1;
    const c0 = buf[i];
    if (c0 === 45) {
      sign = -1;
      i++;
    } else if (c0 === 43) i++;
    const numberStart = i;
    let value = 0;
    let digits = 0;
    while (i < stop) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      digits++;
      i++;
    }
    let frac = 0;
    let inexact = false;
    if (i < stop && buf[i] === 46) {
      i++;
      while (i < stop) {
        const d = buf[i] - 48;
        if (d < 0 || d > 9) break;
        if (frac < decimals) {
          value = value * 10 + d;
          frac++;
        } else if (d !== 0) inexact = true;
        digits++;
        i++;
      }
    }
    if (i < stop && (buf[i] | 32) === 101 && digits > 0) return this.scaledExponent(numberStart, i, stop, sign, decimals);
    if (i !== stop || digits === 0) return this.fail(FieldFailure.NotANumber, decimals);
    if (inexact) return this.fail(FieldFailure.TooManyDecimals, decimals);
    if (frac < decimals) value *= POW10[decimals - frac];
    if (value > Number.MAX_SAFE_INTEGER) return this.fail(FieldFailure.TooLarge, decimals);
    this.failure = FieldFailure.None;
    return sign * value || 0;
  }

  /**
   * Parses a number in exponent notation (`1.3e-05`, `2E+3`) whose mantissa is `buf[start, e)`:
   * the exponent moves the decimal point over the mantissa's digits, which are then read exactly
   * at `decimals`, as a plain number would be. No floating point, no allocation.
   */
  private scaledExponent(start: number, e: number, stop: number, sign: number, decimals: number): number {
    const buf = this.buf;
    let i = e + 1;
    let expSign = 1;
    if (i < stop && (buf[i] === 45 || buf[i] === 43)) {
      if (buf[i] === 45) expSign = -1;
      i++;
    }
    if (i === stop) return this.fail(FieldFailure.NotANumber, decimals);
    let exp = 0;
    while (i < stop) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return this.fail(FieldFailure.NotANumber, decimals);
      // Past a few hundred the answer no longer changes (too large, or too fine unless all zeros).
      if (exp < 100_000) exp = exp * 10 + d;
      i++;
    }
    exp *= expSign;
    // Digits of the mantissa, and where the point falls among them once shifted and scaled.
    let intDigits = 0;
    let j = start;
    while (j < e && buf[j] !== 46) {
      intDigits++;
      j++;
    }
    const cut = intDigits + exp + decimals;
    let value = 0;
    let index = 0;
    for (j = start; j < e; j++) {
      const d = buf[j] - 48;
      if (d < 0 || d > 9) continue; // the point
      if (index < cut) {
        value = value * 10 + d;
        if (value > Number.MAX_SAFE_INTEGER) return this.fail(FieldFailure.TooLarge, decimals);
      } else if (d !== 0) return this.fail(FieldFailure.TooManyDecimals, decimals);
      index++;
    }
    if (cut > index && value !== 0) {
      const zeros = cut - index;
      if (zeros >= POW10.length) return this.fail(FieldFailure.TooLarge, decimals);
      value *= POW10[zeros];
      if (value > Number.MAX_SAFE_INTEGER) return this.fail(FieldFailure.TooLarge, decimals);
    }
    this.failure = FieldFailure.None;
    return sign * value || 0;
  }

  /** Describes the last failure for an error message, naming the field. */
  describe(field: string): string {
    const text = this.fieldText();
    switch (this.failure) {
      case FieldFailure.Missing:
        return `${field}: missing`;
      case FieldFailure.TooManyDecimals:
        return `${field}: "${text}" has more than ${this.failDecimals} decimals`;
      case FieldFailure.TooLarge:
        return `${field}: "${text}" is too large`;
      default:
        return `${field}: not a number: "${text}"`;
    }
  }

  /** Returns the last field parsed or skipped as text (at most 40 characters), for error messages. */
  fieldText(): string {
    return decoder.decode(this.buf.subarray(this.fieldStart, Math.min(this.fieldEnd, this.fieldStart + 40)));
  }

  /** Returns the current line as text, for error messages. */
  lineText(): string {
    return decoder.decode(this.buf.subarray(this.lineStart, Math.min(this.lineEnd, this.lineStart + 80)));
  }

  private fieldStop(from: number): number {
    const buf = this.buf;
    const d = this.delim;
    const end = this.lineEnd;
    let i = from;
    while (i < end && buf[i] !== d) i++;
    return i;
  }

  private fail(code: FieldFailure, decimals: number): number {
    this.failure = code;
    this.failDecimals = decimals;
    return Number.NaN;
  }
}
