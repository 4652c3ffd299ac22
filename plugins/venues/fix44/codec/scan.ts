/**
 * One pass over a FIX frame's bytes that does the three byte-level jobs of decoding at once:
 * splits it into tag=value fields (tags and value offsets into a `FixMessage`'s arrays), sums the
 * bytes for the CheckSum, and checks each value against its dictionary type where the tag is
 * known (INT, decimal, CHAR, BOOLEAN), recording the outcome per field as a `FieldClass` for the
 * validator to report in its own order. No strings and no allocation; a refusal is kept as a
 * pending error (code and context) for the decoder to report.
 */
import { parseIntAscii } from "./decimal.ts";
import { FixError } from "./errors.ts";
import type { FixMessage } from "./message.ts";
import { ValueKind } from "../dictionary/types.ts";

const SOH = 1;
const EQ = 61;

/** What the scan found out about one field's value, for validation; indexed like the message's fields. */
export const enum FieldClass {
  Ok = 0,
  /** The tag is not defined in the dictionary. */
  UnknownTag = 1,
  /** The value does not match the field's type. */
  BadFormat = 2,
}

/** Scans frames into a message's field arrays; one per decoder, reused for every message. */
export class FieldScanner {
  /** Per-field class of the last scan (see `FieldClass`). */
  readonly classes: Uint8Array;
  /** Sum of every byte of the last scan's range, valid when it returned `FixError.None`. */
  sum = 0;
  /** Number of fields the last scan recorded (valid when it returned `FixError.None`). */
  count = 0;
  /** Context of the last scan's refusal (offset in the frame, tag, expected, actual). */
  offset = 0;
  tag = 0;
  expected = -1;
  actual = -1;
  private readonly kinds: Uint8Array;
  private readonly maxTag: number;
  private readonly maxFields: number;

  constructor(kinds: Uint8Array, maxTag: number, maxFields: number) {
    this.kinds = kinds;
    this.maxTag = maxTag;
    this.maxFields = maxFields;
    this.classes = new Uint8Array(maxFields);
  }

  private refuse(code: FixError, offset: number, tag = 0, expected = -1, actual = -1): FixError {
    this.offset = offset; this.tag = tag; this.expected = expected; this.actual = actual;
    return code;
  }

  /**
   * Splits bytes [start, end) of `buf` into fields in `m`'s tags/valueStart/valueEnd/ends arrays and
   * classes; returns `FixError.None`, or BadField / BadValueFormat (a DATA field whose length does
   * not fit) / TooManyFields with the context in this scanner. `m`'s other members are not touched.
   */
  scan(buf: Uint8Array, start: number, end: number, m: FixMessage): FixError {
    if (end <= start || buf[end - 1] === SOH) return this.scanTerminated(buf, start, end, m);
    // Not a frame (`frame` only passes ranges that end in SOH): the fields up to the last SOH scan
    // as usual, and the unterminated rest is refused the way a field that meets the end is.
    let last = end - 1;
    while (last >= start && buf[last] !== SOH) last--;
    this.count = 0;
    if (last >= start) {
      const code = this.scanTerminated(buf, start, last + 1, m);
      if (code !== FixError.None) return code;
    }
    return this.refuseUnterminated(buf, start, last + 1, end, m);
  }

  /** Refuses the field at `at` that has no SOH before `end`, after `this.count` good fields. */
  private refuseUnterminated(buf: Uint8Array, start: number, at: number, end: number, m: FixMessage): FixError {
    const n = this.count;
    if (n >= this.maxFields) return this.refuse(FixError.TooManyFields, at - start, 0, this.maxFields, n + 1);
    let tag = 0;
    let p = at;
    for (; p < end; p++) {
      const c = buf[p] as number;
      if (c === EQ) break;
      const d = c - 48;
      if ((d >>> 0) > 9 || p - at >= 9) return this.refuse(FixError.BadField, at - start);
      tag = tag * 10 + d;
    }
    if (p >= end || p === at || tag === 0 || buf[at] === 48) return this.refuse(FixError.BadField, at - start, tag);
    // A DATA value whose length field precedes it cannot end in an SOH that is not there.
    if (tag <= this.maxTag && this.kinds[tag] === ValueKind.Data && n > 0 && m.tags[n - 1] === tag - 1) return this.refuse(FixError.BadValueFormat, at - start, tag);
    return this.refuse(FixError.BadField, at - start, tag);
  }

  /** `scan` of a range whose last byte is an SOH, so every value loop stops at an SOH without a bound check. */
  private scanTerminated(buf: Uint8Array, start: number, end: number, m: FixMessage): FixError {
    const tags = m.tags, vs = m.valueStart, ve = m.valueEnd, ends = m.ends, classes = this.classes;
    const kinds = this.kinds, maxTag = this.maxTag, maxFields = this.maxFields;
    let n = 0;
    let p = start;
    let sum = 0;
    while (p < end) {
      if (n >= maxFields) return this.refuse(FixError.TooManyFields, p - start, 0, maxFields, n + 1);
      let tag = 0;
      const tagStart = p;
      // Tags of one to three digits without a leading zero, read straight; anything else takes the loop.
      // (Digit tests are one unsigned compare: (c - 48) >>> 0 <= 9.)
      const c0 = buf[p] as number, c1 = buf[p + 1] as number;
      const d0 = c0 - 49, d1 = c1 - 48;
      if ((d0 >>> 0) <= 8 && p + 3 < end) {
        if (c1 === EQ) { tag = d0 + 1; sum += c0; p += 2; }
        else if ((d1 >>> 0) <= 9) {
          const c2 = buf[p + 2] as number;
          if (c2 === EQ) { tag = (d0 + 1) * 10 + d1; sum += c0 + c1; p += 3; }
          else {
            const d2 = c2 - 48;
            if ((d2 >>> 0) <= 9 && buf[p + 3] === EQ) { tag = (d0 + 1) * 100 + d1 * 10 + d2; sum += c0 + c1 + c2; p += 4; }
          }
        }
      }
      if (tag === 0) {
        for (; p < end; p++) {
          const c = buf[p] as number;
          if (c === EQ) break;
          const d = c - 48;
          if ((d >>> 0) > 9 || p - tagStart >= 9) return this.refuse(FixError.BadField, tagStart - start);
          tag = tag * 10 + d;
          sum += c;
        }
        if (p >= end || p === tagStart || tag === 0 || buf[tagStart] === 48) return this.refuse(FixError.BadField, tagStart - start, tag);
        p++;
      }
      const valueStart = p;
      const kind = tag <= maxTag ? (kinds[tag] as number) : 0;
      let cls: number = FieldClass.Ok;
      if (kind === ValueKind.Text || kind === 0) {
        if (kind === 0) cls = FieldClass.UnknownTag;
        for (;; p++) {
          const c = buf[p] as number;
          if (c === SOH) break;
          sum += c;
        }
      } else if (kind === ValueKind.Decimal) {
        let points = 0;
        if (p < end && buf[p] === 45) { sum += 45; p++; }
        const digitsStart = p;
        for (;; p++) {
          const c = buf[p] as number;
          if (c === SOH) break;
          sum += c;
          if (((c - 48) >>> 0) > 9) { if (c === 46) points++; else cls = FieldClass.BadFormat; }
        }
        // Without other characters (already refused), the digits are what is not a point.
        if (p - digitsStart === points || points > 1) cls = FieldClass.BadFormat;
      } else if (kind === ValueKind.Int) {
        if (p < end && buf[p] === 45) { sum += 45; p++; }
        const digitsStart = p;
        for (;; p++) {
          const c = buf[p] as number;
          if (c === SOH) break;
          sum += c;
          if (((c - 48) >>> 0) > 9) cls = FieldClass.BadFormat;
        }
        if (p === digitsStart) cls = FieldClass.BadFormat;
      } else if (kind === ValueKind.Data && n > 0 && tags[n - 1] === tag - 1) {
        const len = parseIntAscii(buf, vs[n - 1] as number, ve[n - 1] as number);
        if (!(len >= 0) || valueStart + len >= end || buf[valueStart + len] !== SOH) return this.refuse(FixError.BadValueFormat, tagStart - start, tag);
        for (const stop = valueStart + len; p < stop; p++) sum += buf[p] as number;
      } else {
        for (;; p++) {
          const c = buf[p] as number;
          if (c === SOH) break;
          sum += c;
        }
        const len = p - valueStart;
        if (kind === ValueKind.Char) { if (len !== 1) cls = FieldClass.BadFormat; }
        else if (kind === ValueKind.Bool) { if (len !== 1 || (buf[valueStart] !== 89 && buf[valueStart] !== 78)) cls = FieldClass.BadFormat; }
      }
      if (p >= end || p === valueStart) return this.refuse(FixError.BadField, tagStart - start, tag);
      tags[n] = tag; vs[n] = valueStart; ve[n] = p; ends[n] = n + 1; classes[n] = cls;
      n++;
      p++;
    }
    // Every field contributed its '=' (61) and its SOH (1) besides the bytes summed above.
    this.sum = sum + n * (EQ + SOH);
    this.count = n;
    return FixError.None;
  }
}
