/**
 * The FIX encoder: writes one message at a time into a reusable buffer, body first, then puts
 * BeginString and BodyLength in front of it and the CheckSum after, so a message is built in
 * one pass with no intermediate strings. Values are written from integers, scaled decimals,
 * characters and ASCII strings; `finish` returns a view that stays valid until the next `begin`.
 * @example
 * enc.begin("D"); enc.str(11, "ord-1"); enc.scaled(44, 110015, 5); const bytes = enc.finish();
 */
import { writeIntAscii, writeScaledAscii } from "./decimal.ts";
import { writeUtcTimestamp } from "./time.ts";

const SOH = 1;
/** Room kept before the body for "8=<BeginString>|9=<len>|". */
const PREFIX = 40;

/** Builds FIX messages into a reusable buffer. */
export class FixEncoder {
  private buf: Uint8Array;
  private pos = PREFIX;
  private readonly beginString: string;

  constructor(beginString: string, capacity = 4096) {
    if (beginString.length > 20) throw new Error(`FIX_ENCODER_CONFIG: beginString=${beginString} expected=at most 20 characters`);
    this.beginString = beginString;
    this.buf = new Uint8Array(Math.max(capacity, 256));
  }

  private ensure(extra: number): void {
    if (this.pos + extra + 8 <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra + 64));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  private tag(tag: number): void {
    this.ensure(32);
    this.pos = writeIntAscii(this.buf, this.pos, tag);
    this.buf[this.pos++] = 61;
  }

  /** Starts a message of this MsgType, discarding any unfinished one. */
  begin(msgType: string): this {
    this.pos = PREFIX;
    return this.str(35, msgType);
  }

  /** Appends tag=<ASCII text>; characters above 0xFF are written as '?'. */
  str(tag: number, value: string): this {
    this.tag(tag);
    this.ensure(value.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      buf[p++] = c === SOH || c > 255 ? 63 : c;
    }
    buf[p++] = SOH;
    this.pos = p;
    return this;
  }

  /** Appends tag=<integer>. */
  int(tag: number, value: number): this {
    this.tag(tag);
    this.pos = writeIntAscii(this.buf, this.pos, value);
    this.buf[this.pos++] = SOH;
    return this;
  }

  /** Appends tag=<decimal> from an integer scaled by 10^decimals, exactly. */
  scaled(tag: number, value: number, decimals: number): this {
    this.tag(tag);
    this.pos = writeScaledAscii(this.buf, this.pos, value, decimals);
    this.buf[this.pos++] = SOH;
    return this;
  }

  /** Appends tag=<one character> given its code, e.g. 49 for '1'. */
  char(tag: number, code: number): this {
    this.tag(tag);
    this.buf[this.pos++] = code;
    this.buf[this.pos++] = SOH;
    return this;
  }

  /** Appends tag=Y or tag=N. */
  bool(tag: number, value: boolean): this {
    return this.char(tag, value ? 89 : 78);
  }

  /** Appends tag=<UTCTimestamp with milliseconds> from microseconds since the epoch. */
  timestamp(tag: number, micros: number): this {
    this.tag(tag);
    this.pos = writeUtcTimestamp(this.buf, this.pos, micros);
    this.buf[this.pos++] = SOH;
    return this;
  }

  /** Appends tag=<raw bytes> (a DATA field; write its LENGTH field first). */
  raw(tag: number, value: Uint8Array): this {
    this.tag(tag);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    this.buf[this.pos++] = SOH;
    return this;
  }

  /** Appends tag=<bytes [start, end) of another buffer>, e.g. a value copied from a decoded message. */
  copy(tag: number, src: Uint8Array, start: number, end: number): this {
    this.tag(tag);
    this.ensure(end - start);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
    this.buf[this.pos++] = SOH;
    return this;
  }

  /** Completes the message with BeginString, BodyLength and CheckSum; returns a view valid until the next `begin`. */
  finish(): Uint8Array {
    const buf = this.buf;
    const bodyLength = this.pos - PREFIX;
    let lenDigits = 1;
    for (let v = bodyLength; v >= 10; v = Math.floor(v / 10)) lenDigits++;
    const prefixLength = 2 + this.beginString.length + 1 + 2 + lenDigits + 1;
    let p = PREFIX - prefixLength;
    const start = p;
    buf[p++] = 56; buf[p++] = 61;
    for (let i = 0; i < this.beginString.length; i++) buf[p++] = this.beginString.charCodeAt(i);
    buf[p++] = SOH; buf[p++] = 57; buf[p++] = 61;
    p = writeIntAscii(buf, p, bodyLength);
    buf[p] = SOH;
    let sum = 0;
    for (let i = start; i < this.pos; i++) sum += buf[i] as number;
    sum &= 255;
    this.ensure(8);
    const out = this.buf;
    let q = this.pos;
    out[q++] = 49; out[q++] = 48; out[q++] = 61;
    out[q++] = 48 + Math.floor(sum / 100); out[q++] = 48 + (Math.floor(sum / 10) % 10); out[q++] = 48 + (sum % 10);
    out[q++] = SOH;
    return out.subarray(start, q);
  }
}

/** Converts text with '|' as the field separator into FIX bytes (for tests and fixtures). */
export function fixBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text[i] === "|" ? SOH : text.charCodeAt(i);
  return out;
}

/** Converts FIX bytes into text with '|' as the field separator (for logs and tests). */
export function fixText(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += bytes[i] === SOH ? "|" : String.fromCharCode(bytes[i] as number);
  return out;
}
