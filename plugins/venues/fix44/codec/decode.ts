/**
 * The FIX decoder: frames tag=value messages out of a byte stream (BeginString, BodyLength,
 * CheckSum) and decodes a frame into a reusable `FixMessage` view, validating it against the
 * data dictionary — field syntax, known tags, tags allowed for the message type, duplicates,
 * required tags, value formats and repeating-group structure. Nothing here throws or allocates
 * per message; every refusal is a `FixError` code with its context in `decoder.error`.
 *
 * The bytes are read once: `frame` runs the field scan (tokenise + checksum sum + per-type value
 * checks, scan.ts) over the frame it found, and `decodeFramed` on that same frame reuses the scan
 * instead of reading the bytes again. Errors are still reported in the order the checks would
 * meet them: framing first, then field syntax, then validation field by field.
 */
import { FixError, type FixErrorDetail } from "./errors.ts";
import { FixMessage } from "./message.ts";
import { FieldClass, FieldScanner } from "./scan.ts";
import { type Dictionary, type GroupDef, type MessageDef } from "../dictionary/types.ts";

const SOH = 1;
const ROLE_HEADER = 1;
const ROLE_BODY = 2;
const ROLE_TRAILER = 3;
const ROLE_HEADER_GROUP = 4;
const ROLE_BODY_GROUP = 5;
/** Bit set on a role when the tag is required at the top level (header or body). */
const REQUIRED = 8;
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
export class FixDecoder {
  readonly dict: Dictionary;
  /** The view the last `decode` filled. */
  readonly message: FixMessage;
  /** Context of the last error; reused. */
  readonly error: FixErrorDetail = { code: FixError.None, tag: 0, offset: 0, expected: -1, actual: -1 };
  private readonly maxFields: number;
  private readonly maxBodyLength: number;
  private readonly validate: boolean;
  private readonly scanner: FieldScanner;
  /** Field arrays `frame`'s scan fills, swapped into `message` by `decodeFramed`, so framing never disturbs the current view. */
  private readonly ahead: FixMessage;
  /** The frame the last `frame` call scanned and accepted, for `decodeFramed` to reuse once. */
  private scannedBuf: Uint8Array | undefined = undefined;
  private scannedStart = 0;
  private scannedLength = 0;
  private scannedCode: FixError = FixError.None;
  private generation = 0;
  private readonly beginString: Uint8Array;
  private readonly roles = new Map<MessageDef, Uint8Array>();
  private lastDef: MessageDef | undefined = undefined;
  private lastRoles: Uint8Array = new Uint8Array(0);
  /** Distinct top-level required tags of `lastDef` (header and body). */
  private lastRequired = 0;
  private readonly requiredCounts = new Map<MessageDef, number>();
  private lastKey = -1;
  private lastKeyDef: MessageDef | undefined = undefined;
  private readonly groupMembers = new Map<GroupDef, Uint8Array>();

  constructor(dict: Dictionary, options: DecoderOptions = {}) {
    this.dict = dict;
    this.maxFields = options.maxFields ?? 2048;
    this.maxBodyLength = options.maxBodyLength ?? 1 << 20;
    this.validate = options.validate ?? true;
    if (!Number.isInteger(this.maxFields) || this.maxFields < 8) throw new Error(`FIX_DECODER_CONFIG: maxFields=${this.maxFields} expected=integer>=8`);
    this.message = new FixMessage(this.maxFields, dict.maxTag);
    this.scanner = new FieldScanner(dict.kinds, dict.maxTag, this.maxFields);
    this.ahead = new FixMessage(this.maxFields);
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
    this.scannedBuf = undefined;
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
    const length = trailer + 7 - start;
    const code = this.scanner.scan(buf, start, trailer + 7, this.ahead);
    let sum = 0;
    // The scan summed the CheckSum field too: "10=", three digits and the SOH.
    if (code === FixError.None) sum = this.scanner.sum - (49 + 48 + EQ + 3 * 48 + d0 + d1 + d2 + SOH);
    else for (let i = start; i < trailer; i++) sum += buf[i] as number;
    const expected = d0 * 100 + d1 * 10 + d2;
    if ((sum & 255) !== expected) {
      this.fail(FixError.BadChecksum, trailer - start, 10, sum & 255, expected);
      return -length;
    }
    this.scannedBuf = buf; this.scannedStart = start; this.scannedLength = length; this.scannedCode = code;
    return length;
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

  /**
   * Decodes a message that `frame` accepted (length `length` at `start`) into `message`. Right
   * after `frame` accepted this same range of this same buffer, its scan is reused (so the bytes
   * must not be rewritten in between); otherwise the bytes are scanned here.
   */
  decodeFramed(buf: Uint8Array, start: number, length: number): FixError {
    const m = this.message;
    m.buf = buf; m.start = start; m.end = start + length; m.count = 0; m.def = undefined;
    m.msgTypeKey = 0; m.seqNum = 0; m.possDup = false; m.indexStamp = 0;
    this.error.code = FixError.None;
    const scanner = this.scanner;
    const reuse = this.scannedBuf === buf && this.scannedStart === start && this.scannedLength === length;
    this.scannedBuf = undefined;
    if (reuse) m.swapFields(this.ahead);
    const scanned = reuse ? this.scannedCode : scanner.scan(buf, start, start + length, m);
    if (scanned !== FixError.None) return this.fail(scanned, scanner.offset, scanner.tag, scanner.expected, scanner.actual);
    const tags = m.tags, vs = m.valueStart;
    const n = scanner.count;
    m.count = n;
    if (n < 4 || tags[2] !== 35) return this.fail(FixError.BadFieldOrder, 0, 35);
    let key = 0;
    const ts = vs[2] as number, te = m.valueEnd[2] as number;
    if (te - ts > 3) return this.fail(FixError.UnknownMsgType, ts - start, 35);
    for (let i = ts; i < te; i++) key |= (buf[i] as number) << (8 * (i - ts));
    m.msgTypeKey = key;
    if (key !== this.lastKey) { this.lastKey = key; this.lastKeyDef = this.dict.messagesByKey.get(key); }
    m.def = this.lastKeyDef;
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

  /**
   * Role of every tag in a message type (see ROLE_*, with the REQUIRED bit on top-level required
   * tags), built the first time the type is seen; sets `lastRequired` to its count of required tags.
   */
  private rolesFor(def: MessageDef): Uint8Array {
    if (def === this.lastDef) return this.lastRoles;
    let roles = this.roles.get(def);
    if (roles === undefined) {
      roles = new Uint8Array(this.dict.maxTag + 1);
      for (const t of this.dict.header.fields) roles[t] = ROLE_HEADER;
      for (const t of this.dict.header.groups.keys()) roles[t] = ROLE_HEADER_GROUP;
      for (const t of def.fields) if (roles[t] === 0) roles[t] = ROLE_BODY;
      for (const t of def.groups.keys()) roles[t] = ROLE_BODY_GROUP;
      for (const t of this.dict.trailerTags) roles[t] = ROLE_TRAILER;
      // A required tag that has no role can never be present: it is counted but never marked, so
      // the count is never reached and the message is refused naming it.
      const required = new Set([...def.required, ...this.dict.header.required]);
      for (const t of required) if (t <= this.dict.maxTag && (roles[t] as number) !== 0) roles[t] = (roles[t] as number) | REQUIRED;
      this.roles.set(def, roles);
      this.requiredCounts.set(def, required.size);
    }
    this.lastDef = def;
    this.lastRoles = roles;
    this.lastRequired = this.requiredCounts.get(def) as number;
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

  /** A fresh stamp for the by-tag index; the stamps are cleared before the counter would wrap. */
  private nextGeneration(): number {
    if (this.generation >= 0x7ffffffe) {
      this.message.tagStamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  private validateFields(start: number): FixError {
    const m = this.message, dict = this.dict, tags = m.tags, classes = this.scanner.classes;
    const def = m.def;
    if (def === undefined) return this.fail(FixError.UnknownMsgType, (m.valueStart[2] as number) - start, 35);
    const roles = this.rolesFor(def);
    const requiredCount = this.lastRequired;
    let requiredSeen = 0;
    const gen = this.nextGeneration();
    const seen = m.tagStamp, at = m.tagIndex;
    const n = m.count;
    let inBody = false;
    let i = 0;
    while (i < n) {
      const tag = tags[i] as number;
      const cls = classes[i] as number;
      if (cls !== FieldClass.Ok) return this.fail(cls === FieldClass.UnknownTag ? FixError.UnknownTag : FixError.BadValueFormat, (m.valueStart[i] as number) - start, tag);
      if (seen[tag] === gen) return this.fail(FixError.DuplicateTag, (m.valueStart[i] as number) - start, tag);
      seen[tag] = gen;
      at[tag] = i;
      const role = roles[tag] as number;
      requiredSeen += role >>> 3;
      switch (role & 7) {
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
          const header = (role & 7) === ROLE_HEADER_GROUP;
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
    // Every required tag counted once (duplicates were refused above) means none is missing;
    // otherwise the first missing one in dictionary order is named.
    if (requiredSeen !== requiredCount) this.missingRequired(def, gen);
    if (this.error.code !== FixError.None) return this.error.code;
    m.indexStamp = gen;
    return FixError.None;
  }

  /** Fails with the first required tag (body, then header) not stamped with `gen`, if any. */
  private missingRequired(def: MessageDef, gen: number): void {
    const m = this.message, seen = m.tagStamp;
    const required = def.required;
    for (let k = 0; k < required.length; k++) {
      const tag = required[k] as number;
      if (seen[tag] !== gen) { this.fail(FixError.RequiredTagMissing, m.end - m.start, tag); return; }
    }
    const hreq = this.dict.header.required;
    for (let k = 0; k < hreq.length; k++) {
      const tag = hreq[k] as number;
      if (seen[tag] !== gen) { this.fail(FixError.RequiredTagMissing, m.end - m.start, tag); return; }
    }
  }

  /** Validates the group whose NumInGroup field is at `i`; returns the index after it or -1. */
  private parseGroup(group: GroupDef, i: number, start: number, depth: number): number {
    const m = this.message, tags = m.tags, classes = this.scanner.classes;
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
        if (classes[p] === FieldClass.UnknownTag) { this.fail(FixError.UnknownTag, (m.valueStart[p] as number) - start, tag); return -1; }
        if (tag === group.delimiter || members[tag] === 0) break;
        if (classes[p] === FieldClass.BadFormat) { this.fail(FixError.BadValueFormat, (m.valueStart[p] as number) - start, tag); return -1; }
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
}
