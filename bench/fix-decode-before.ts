/**
 * The FIX decoder as it was before issue 13's fast-path work (main dbeb381), kept verbatim as the
 * same-run baseline for bench/fix-decode-ab.ts and as the reference the differential test holds the
 * new decoder to (same result code, same error context, same view for every fuzzed message).
 *
 * The FIX decoder: frames tag=value messages out of a byte stream (BeginString, BodyLength,
 * CheckSum) and decodes a frame into a reusable `FixMessage` view, validating it against the
 * data dictionary — field syntax, known tags, tags allowed for the message type, duplicates,
 * required tags, value formats and repeating-group structure. Nothing here throws or allocates
 * per message; every refusal is a `FixError` code with its context in `decoder.error`.
 */
import { FixError, type FixErrorDetail } from "../plugins/venues/fix44/codec/errors.ts";
import { FixMessage } from "../plugins/venues/fix44/codec/message.ts";
import { type Dictionary, type GroupDef, type MessageDef, ValueKind } from "../plugins/venues/fix44/dictionary/types.ts";

const SOH = 1;
const ROLE_HEADER = 1;
const ROLE_BODY = 2;
const ROLE_TRAILER = 3;
const ROLE_HEADER_GROUP = 4;
const ROLE_BODY_GROUP = 5;
const EQ = 61;

/** Decoder limits; checked once at construction. */
export interface DecoderOptions {
  /** Most fields one message may carry (default 2048). */
  readonly maxFields?: number;
  /** Largest BodyLength accepted (default 1 MiB); larger is garbled. */
  readonly maxBodyLength?: number;
  /** Validate against the dictionary (default true); framing and syntax are always checked. */
  readonly validate?: boolean;
}

/** Frames and decodes FIX messages; one instance per session or thread, reused for every message. */
export class FixDecoderBefore {
  readonly dict: Dictionary;
  /** The view the last `decode` filled. */
  readonly message: FixMessage;
  /** Context of the last error; reused. */
  readonly error: FixErrorDetail = { code: FixError.None, tag: 0, offset: 0, expected: -1, actual: -1 };
  private readonly maxFields: number;
  private readonly maxBodyLength: number;
  private readonly validate: boolean;
  private readonly seen: Int32Array;
  private generation = 0;
  private readonly beginString: Uint8Array;
  private readonly roles = new Map<MessageDef, Uint8Array>();
  private readonly groupMembers = new Map<GroupDef, Uint8Array>();

  constructor(dict: Dictionary, options: DecoderOptions = {}) {
    this.dict = dict;
    this.maxFields = options.maxFields ?? 2048;
    this.maxBodyLength = options.maxBodyLength ?? 1 << 20;
    this.validate = options.validate ?? true;
    if (!Number.isInteger(this.maxFields) || this.maxFields < 8) throw new Error(`FIX_DECODER_CONFIG: maxFields=${this.maxFields} expected=integer>=8`);
    this.message = new FixMessage(this.maxFields);
    this.seen = new Int32Array(dict.maxTag + 1);
    this.beginString = new Uint8Array(dict.beginString.length);
    for (let i = 0; i < dict.beginString.length; i++) this.beginString[i] = dict.beginString.charCodeAt(i);
  }

  private fail(code: FixError, offset: number, tag = 0, expected = -1, actual = -1): FixError {
    const e = this.error;
    e.code = code; e.offset = offset; e.tag = tag; e.expected = expected; e.actual = actual;
    return code;
  }

  /**
   * Finds the message that starts at `start` in bytes [start, end): returns its length (> 0),
   * 0 when more bytes are needed, or a negative number -n meaning "not a message: skip n bytes"
   * with the reason in `error` (garbled, bad length, bad checksum).
   */
  frame(buf: Uint8Array, start: number, end: number): number {
    let p = start;
    if (end - p < 2) return 0;
    if (buf[p] !== 56 || buf[p + 1] !== EQ) return this.skip(FixError.Garbled, buf, start, end, 0);
    p += 2;
    const bsStart = p;
    while (p < end && buf[p] !== SOH) if (++p - bsStart > 16) return this.skip(FixError.Garbled, buf, start, end, 8);
    if (p >= end) return 0;
    if (p - bsStart !== this.beginString.length || !this.sameBytes(buf, bsStart, this.beginString)) {
      return this.skip(FixError.BadBeginString, buf, start, end, 8);
    }
    p++;
    if (end - p < 2) return 0;
    if (buf[p] !== 57 || buf[p + 1] !== EQ) return this.skip(FixError.Garbled, buf, start, end, 9);
    p += 2;
    let bodyLength = 0;
    const lenStart = p;
    for (; p < end && buf[p] !== SOH; p++) {
      const c = (buf[p] as number) - 48;
      if (c < 0 || c > 9 || p - lenStart >= 8) return this.skip(FixError.Garbled, buf, start, end, 9);
      bodyLength = bodyLength * 10 + c;
    }
    if (p >= end) return 0;
    if (p === lenStart || bodyLength > this.maxBodyLength) return this.skip(FixError.Garbled, buf, start, end, 9);
    const bodyStart = p + 1;
    const trailer = bodyStart + bodyLength;
    if (end < trailer + 7) {
      // A checksum field already complete before the declared end means the length is wrong.
      const found = this.findTrailer(buf, bodyStart - 1, end);
      if (found >= 0 && found < trailer) {
        this.fail(FixError.BadLength, found - start, 9, bodyLength, found - bodyStart);
        return -(found + 7 - start);
      }
      return 0;
    }
    if (buf[trailer - 1] !== SOH || buf[trailer] !== 49 || buf[trailer + 1] !== 48 || buf[trailer + 2] !== EQ || buf[trailer + 6] !== SOH) {
      const found = this.findTrailer(buf, bodyStart - 1, end);
      this.fail(FixError.BadLength, trailer - start, 9, bodyLength, found >= 0 ? found - bodyStart : -1);
      return -(found >= 0 ? found + 7 - start : this.resync(buf, start + 1, end) - start);
    }
    const d0 = (buf[trailer + 3] as number) - 48, d1 = (buf[trailer + 4] as number) - 48, d2 = (buf[trailer + 5] as number) - 48;
    if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      this.fail(FixError.Garbled, trailer - start, 10);
      return -(trailer + 7 - start);
    }
    let sum = 0;
    for (let i = start; i < trailer; i++) sum += buf[i] as number;
    const expected = d0 * 100 + d1 * 10 + d2;
    if ((sum & 255) !== expected) {
      this.fail(FixError.BadChecksum, trailer - start, 10, sum & 255, expected);
      return -(trailer + 7 - start);
    }
    return trailer + 7 - start;
  }

  private sameBytes(buf: Uint8Array, at: number, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
    return true;
  }

  /** Position of the SOH that precedes a complete "10=ddd<SOH>" in (from, end), or -1. */
  private findTrailer(buf: Uint8Array, from: number, end: number): number {
    for (let i = from; i + 7 < end; i++) {
      if (buf[i] === SOH && buf[i + 1] === 49 && buf[i + 2] === 48 && buf[i + 3] === EQ && buf[i + 7] === SOH) return i + 1;
    }
    return -1;
  }

  /** Position of the next "8=" that starts a line of the stream, at or after `from`, or `end`. */
  private resync(buf: Uint8Array, from: number, end: number): number {
    for (let i = from; i + 1 < end; i++) if (buf[i] === 56 && buf[i + 1] === EQ && (i === 0 || buf[i - 1] === SOH)) return i;
    // A final "8" may be the start of the next message: keep it.
    if (end - 1 >= from && buf[end - 1] === 56 && buf[end - 2] === SOH) return end - 1;
    return end;
  }

  private skip(code: FixError, buf: Uint8Array, start: number, end: number, tag: number): number {
    this.fail(code, 0, tag);
    return -(this.resync(buf, start + 1, end) - start);
  }

  /** Frames and decodes one complete message in bytes [start, end); the frame must fill the range. */
  decode(buf: Uint8Array, start = 0, end = buf.length): FixError {
    const n = this.frame(buf, start, end);
    if (n === 0) return this.fail(FixError.Truncated, end - start);
    if (n < 0) return this.error.code;
    if (n !== end - start) return this.fail(FixError.BadLength, n, 9, n, end - start);
    return this.decodeFramed(buf, start, n);
  }

  /** Decodes a message that `frame` accepted (length `length` at `start`) into `message`. */
  decodeFramed(buf: Uint8Array, start: number, length: number): FixError {
    const m = this.message;
    m.buf = buf; m.start = start; m.end = start + length; m.count = 0; m.def = undefined;
    m.msgTypeKey = 0; m.seqNum = 0; m.possDup = false;
    this.error.code = FixError.None;
    const tags = m.tags, vs = m.valueStart, ve = m.valueEnd, ends = m.ends;
    const kinds = this.dict.kinds;
    const maxTag = this.dict.maxTag;
    const end = start + length;
    let n = 0;
    let p = start;
    while (p < end) {
      if (n >= this.maxFields) return this.fail(FixError.TooManyFields, p - start, 0, this.maxFields, n + 1);
      let tag = 0;
      const tagStart = p;
      for (; p < end; p++) {
        const c = buf[p] as number;
        if (c === EQ) break;
        const d = c - 48;
        if (d < 0 || d > 9 || p - tagStart >= 9) return this.fail(FixError.BadField, tagStart - start);
        tag = tag * 10 + d;
      }
      if (p >= end || p === tagStart || tag === 0 || buf[tagStart] === 48) return this.fail(FixError.BadField, tagStart - start, tag);
      p++;
      const valueStart = p;
      if (tag <= maxTag && kinds[tag] === ValueKind.Data && n > 0 && tags[n - 1] === tag - 1) {
        const len = m.intAt(n - 1);
        if (!(len >= 0) || valueStart + len >= end || buf[valueStart + len] !== SOH) return this.fail(FixError.BadValueFormat, tagStart - start, tag);
        p = valueStart + len;
      } else {
        while (p < end && buf[p] !== SOH) p++;
      }
      if (p >= end) return this.fail(FixError.BadField, tagStart - start, tag);
      if (p === valueStart) return this.fail(FixError.BadField, tagStart - start, tag);
      tags[n] = tag; vs[n] = valueStart; ve[n] = p; ends[n] = n + 1;
      n++;
      p++;
    }
    m.count = n;
    if (n < 4 || tags[2] !== 35) return this.fail(FixError.BadFieldOrder, 0, 35);
    let key = 0;
    const ts = vs[2] as number, te = ve[2] as number;
    if (te - ts > 3) return this.fail(FixError.UnknownMsgType, ts - start, 35);
    for (let i = ts; i < te; i++) key |= (buf[i] as number) << (8 * (i - ts));
    m.msgTypeKey = key;
    m.def = this.dict.messagesByKey.get(key);
    // Session fields the session layer needs even when validation fails later.
    for (let i = 3; i < n; i++) {
      const t = tags[i] as number;
      if (t === 34) m.seqNum = m.intAt(i) || 0;
      else if (t === 43) m.possDup = buf[vs[i] as number] === 89;
      else if (t !== 49 && t !== 56 && t !== 52 && t !== 50 && t !== 57 && t !== 122 && t !== 97 && t !== 115 && t !== 128) break;
    }
    if (!this.validate) return this.checkSyntaxOnly(start);
    return this.validateFields(start);
  }

  private checkSyntaxOnly(start: number): FixError {
    const m = this.message;
    if (m.def === undefined) return this.fail(FixError.UnknownMsgType, (m.valueStart[2] as number) - start, 35);
    return FixError.None;
  }

  /** Role of every tag in a message type (see ROLE_*), built the first time the type is seen. */
  private rolesFor(def: MessageDef): Uint8Array {
    let roles = this.roles.get(def);
    if (roles === undefined) {
      roles = new Uint8Array(this.dict.maxTag + 1);
      for (const t of this.dict.header.fields) roles[t] = ROLE_HEADER;
      for (const t of this.dict.header.groups.keys()) roles[t] = ROLE_HEADER_GROUP;
      for (const t of def.fields) if (roles[t] === 0) roles[t] = ROLE_BODY;
      for (const t of def.groups.keys()) roles[t] = ROLE_BODY_GROUP;
      for (const t of this.dict.trailerTags) roles[t] = ROLE_TRAILER;
      this.roles.set(def, roles);
    }
    return roles;
  }

  /** Membership of a group's tags as an array indexed by tag. */
  private membersOf(group: GroupDef): Uint8Array {
    let members = this.groupMembers.get(group);
    if (members === undefined) {
      members = new Uint8Array(this.dict.maxTag + 1);
      for (const t of group.members) members[t] = 1;
      this.groupMembers.set(group, members);
    }
    return members;
  }

  private validateFields(start: number): FixError {
    const m = this.message, dict = this.dict, tags = m.tags, kinds = dict.kinds;
    const def = m.def;
    if (def === undefined) return this.fail(FixError.UnknownMsgType, (m.valueStart[2] as number) - start, 35);
    const roles = this.rolesFor(def);
    const gen = ++this.generation;
    const seen = this.seen;
    const maxTag = dict.maxTag;
    const n = m.count;
    let inBody = false;
    let i = 0;
    while (i < n) {
      const tag = tags[i] as number;
      if (tag > maxTag || kinds[tag] === 0) return this.fail(FixError.UnknownTag, (m.valueStart[i] as number) - start, tag);
      if (!this.checkFormat(i)) return this.fail(FixError.BadValueFormat, (m.valueStart[i] as number) - start, tag);
      if (seen[tag] === gen) return this.fail(FixError.DuplicateTag, (m.valueStart[i] as number) - start, tag);
      seen[tag] = gen;
      switch (roles[tag]) {
        case ROLE_TRAILER:
          if (tag === 10 && i !== n - 1) return this.fail(FixError.BadFieldOrder, (m.valueStart[i] as number) - start, tag);
          i++;
          break;
        case ROLE_HEADER:
          if (inBody) return this.fail(FixError.BadFieldOrder, (m.valueStart[i] as number) - start, tag);
          i++;
          break;
        case ROLE_BODY:
          inBody = true;
          i++;
          break;
        case ROLE_HEADER_GROUP:
        case ROLE_BODY_GROUP: {
          const header = roles[tag] === ROLE_HEADER_GROUP;
          if (header && inBody) return this.fail(FixError.BadFieldOrder, (m.valueStart[i] as number) - start, tag);
          inBody = !header;
          const group = (header ? dict.header.groups.get(tag) : def.groups.get(tag)) as GroupDef;
          const next = this.parseGroup(group, i, start, 0);
          if (next < 0) return this.error.code;
          i = next;
          break;
        }
        default:
          return this.fail(FixError.TagNotInMessage, (m.valueStart[i] as number) - start, tag);
      }
    }
    const required = def.required;
    for (let k = 0; k < required.length; k++) {
      const tag = required[k] as number;
      if (seen[tag] !== gen) return this.fail(FixError.RequiredTagMissing, m.end - m.start, tag);
    }
    const hreq = dict.header.required;
    for (let k = 0; k < hreq.length; k++) {
      const tag = hreq[k] as number;
      if (seen[tag] !== gen) return this.fail(FixError.RequiredTagMissing, m.end - m.start, tag);
    }
    return FixError.None;
  }

  /** Validates the group whose NumInGroup field is at `i`; returns the index after it or -1. */
  private parseGroup(group: GroupDef, i: number, start: number, depth: number): number {
    const m = this.message, tags = m.tags, kinds = this.dict.kinds;
    const count = m.intAt(i);
    if (!(count >= 0) || depth > 16) { this.fail(FixError.BadValueFormat, (m.valueStart[i] as number) - start, group.countTag); return -1; }
    let p = i + 1;
    const members = this.membersOf(group);
    const n = m.count - 1; // the CheckSum field never belongs to a group
    for (let k = 0; k < count; k++) {
      if (p >= n || tags[p] !== group.delimiter) {
        this.fail(FixError.BadGroupCount, (m.valueStart[i] as number) - start, group.countTag, count, k);
        return -1;
      }
      const instance = p;
      p++;
      while (p < n) {
        const tag = tags[p] as number;
        if (tag > this.dict.maxTag || kinds[tag] === 0) { this.fail(FixError.UnknownTag, (m.valueStart[p] as number) - start, tag); return -1; }
        if (tag === group.delimiter || members[tag] === 0) break;
        if (!this.checkFormat(p)) { this.fail(FixError.BadValueFormat, (m.valueStart[p] as number) - start, tag); return -1; }
        const nested = group.groups.get(tag);
        if (nested !== undefined) {
          const next = this.parseGroup(nested, p, start, depth + 1);
          if (next < 0) return -1;
          p = next;
        } else p++;
      }
      m.ends[instance] = p;
    }
    if (p < n && tags[p] === group.delimiter) {
      this.fail(FixError.BadGroupCount, (m.valueStart[i] as number) - start, group.countTag, count, count + 1);
      return -1;
    }
    m.ends[i] = p;
    return p;
  }

  private checkFormat(i: number): boolean {
    const m = this.message, buf = m.buf;
    const s = m.valueStart[i] as number, e = m.valueEnd[i] as number;
    switch (this.dict.kinds[m.tags[i] as number]) {
      case ValueKind.Int: {
        let p = s;
        if (buf[p] === 45) p++;
        if (p >= e) return false;
        for (; p < e; p++) { const c = buf[p] as number; if (c < 48 || c > 57) return false; }
        return true;
      }
      case ValueKind.Decimal: {
        let p = s, digits = 0, point = false;
        if (buf[p] === 45) p++;
        for (; p < e; p++) {
          const c = buf[p] as number;
          if (c === 46 && !point) point = true;
          else if (c >= 48 && c <= 57) digits++;
          else return false;
        }
        return digits > 0;
      }
      case ValueKind.Char:
        return e - s === 1;
      case ValueKind.Bool:
        return e - s === 1 && (buf[s] === 89 || buf[s] === 78);
      default:
        return true;
    }
  }
}
