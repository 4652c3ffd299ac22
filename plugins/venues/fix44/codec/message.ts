/**
 * A decoded FIX message as a flyweight over the bytes it came in: parallel typed arrays of
 * tags and value offsets, reused for every message a decoder reads. Accessors read integers,
 * scaled decimals, characters and timestamps straight from the bytes; only `stringAt` and
 * `toFields` allocate. A view is valid until its decoder decodes the next message; keep what you
 * need by copying values out (or the frame with `bytes().slice()`).
 *
 * Repeating groups: `endOf(i)` is the index after field i's extent at its level — the whole
 * group for a NumInGroup field, the whole instance for a delimiter field, i+1 otherwise.
 * @example
 * const g = msg.indexOf(268);
 * for (let k = 0, p = g + 1, n = msg.intAt(g); k < n; k++, p = msg.endOf(p)) {
 *   const px = msg.scaledIn(270, p, msg.endOf(p), 5);
 * }
 */
import { parseIntAscii, parseScaledAscii } from "./decimal.ts";
import { parseUtcTimestamp } from "./time.ts";
import type { MessageDef } from "../dictionary/types.ts";

/** A decoded message: field positions over the frame's bytes. */
export class FixMessage {
  /** The bytes the offsets point into. */
  buf: Uint8Array = new Uint8Array(0);
  /** Frame start and end (exclusive) in `buf`. */
  start = 0;
  end = 0;
  /** Number of fields, including 8, 9 and 10. */
  count = 0;
  /**
   * Field arrays (tag, value start and end offsets, extent). The decoder hands the view new arrays
   * when it decodes a message (it swaps them with the ones its scan filled), so read them through
   * the view rather than keeping a reference across messages.
   */
  tags: Int32Array;
  valueStart: Int32Array;
  valueEnd: Int32Array;
  /** Index past each field's extent at its level (see the module comment). */
  ends: Int32Array;
  /** The message's dictionary entry; undefined when the MsgType is unknown. */
  def: MessageDef | undefined = undefined;
  /** MsgType packed as in `msgTypeKey`. */
  msgTypeKey = 0;
  /** MsgSeqNum (34), or 0 when absent or malformed. */
  seqNum = 0;
  /** PossDupFlag (43) is Y. */
  possDup = false;
  /**
   * Top-level index by tag, written by the decoder's validation: `tagIndex[tag]` is the field's
   * index when `tagStamp[tag] === indexStamp`; `indexStamp` is 0 when the message was not fully
   * validated, and `indexOf` then walks the fields.
   */
  readonly tagStamp: Int32Array;
  readonly tagIndex: Int32Array;
  indexStamp = 0;

  /** A view of at most `capacity` fields; `maxTag` sizes the by-tag index (tags above it are never indexed). */
  constructor(capacity: number, maxTag = 0) {
    this.tags = new Int32Array(capacity);
    this.valueStart = new Int32Array(capacity);
    this.valueEnd = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.tagStamp = new Int32Array(maxTag + 1);
    this.tagIndex = new Int32Array(maxTag + 1);
  }

  /** Exchanges the field arrays with `other`'s (no copy): how a scan made ahead of decoding becomes this view's. */
  swapFields(other: FixMessage): void {
    const tags = this.tags, vs = this.valueStart, ve = this.valueEnd, ends = this.ends;
    this.tags = other.tags; this.valueStart = other.valueStart; this.valueEnd = other.valueEnd; this.ends = other.ends;
    other.tags = tags; other.valueStart = vs; other.valueEnd = ve; other.ends = ends;
  }

  /** MsgType text from the dictionary (no allocation), or "" when unknown. */
  get msgType(): string {
    return this.def?.msgType ?? "";
  }

  /** Returns the frame's bytes as a view (no copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Index of the first top-level field with this tag (groups are skipped), or -1. */
  indexOf(tag: number): number {
    const stamp = this.indexStamp;
    if (stamp !== 0) return this.tagStamp[tag] === stamp ? (this.tagIndex[tag] as number) : -1;
    const tags = this.tags, ends = this.ends, n = this.count;
    for (let i = 0; i < n; i = ends[i] as number) if (tags[i] === tag) return i;
    return -1;
  }

  /** Index of the first field with this tag in [from, to) at that level (nested groups skipped), or -1. */
  findIn(tag: number, from: number, to: number): number {
    const tags = this.tags, ends = this.ends;
    if (from >= to) return -1;
    if (tags[from] === tag) return from;
    // `from` may be an instance's delimiter, whose extent is the whole instance: step into it.
    for (let i = from + 1; i < to; i = ends[i] as number) if (tags[i] === tag) return i;
    return -1;
  }

  /** Index after field i's extent at its level. */
  endOf(i: number): number {
    return this.ends[i] as number;
  }

  /** True when the top level carries this tag. */
  has(tag: number): boolean {
    return this.indexOf(tag) >= 0;
  }

  /** Integer value of field i; NaN if malformed. */
  intAt(i: number): number {
    return parseIntAscii(this.buf, this.valueStart[i] as number, this.valueEnd[i] as number);
  }

  /** Integer value of a top-level tag, or `missing` when absent; NaN if malformed. */
  int(tag: number, missing = Number.NaN): number {
    const i = this.indexOf(tag);
    return i < 0 ? missing : this.intAt(i);
  }

  /** Decimal value of field i as an integer scaled by 10^decimals; NaN if inexact or malformed. */
  scaledAt(i: number, decimals: number): number {
    return parseScaledAscii(this.buf, this.valueStart[i] as number, this.valueEnd[i] as number, decimals);
  }

  /** Scaled decimal of a top-level tag; NaN when absent, inexact or malformed. */
  scaled(tag: number, decimals: number): number {
    const i = this.indexOf(tag);
    return i < 0 ? Number.NaN : this.scaledAt(i, decimals);
  }

  /** Scaled decimal of a tag inside [from, to); NaN when absent. */
  scaledIn(tag: number, from: number, to: number, decimals: number): number {
    const i = this.findIn(tag, from, to);
    return i < 0 ? Number.NaN : this.scaledAt(i, decimals);
  }

  /** First byte of field i's value (a CHAR field's character code). */
  charAt(i: number): number {
    return this.buf[this.valueStart[i] as number] as number;
  }

  /** Character code of a top-level tag's value, or -1 when absent. */
  char(tag: number): number {
    const i = this.indexOf(tag);
    return i < 0 ? -1 : this.charAt(i);
  }

  /** UTCTimestamp of field i as microseconds since the epoch; NaN if malformed. */
  timestampAt(i: number): number {
    return parseUtcTimestamp(this.buf, this.valueStart[i] as number, this.valueEnd[i] as number);
  }

  /** True when field i's value equals the ASCII text (no allocation). */
  valueIs(i: number, text: string): boolean {
    const s = this.valueStart[i] as number, e = this.valueEnd[i] as number;
    if (e - s !== text.length) return false;
    for (let k = 0; k < text.length; k++) if (this.buf[s + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  /** Value of field i as a string (allocates; for ids and text at the edge). */
  stringAt(i: number): string {
    const s = this.valueStart[i] as number, e = this.valueEnd[i] as number;
    let out = "";
    for (let k = s; k < e; k++) out += String.fromCharCode(this.buf[k] as number);
    return out;
  }

  /** Value of a top-level tag as a string, or undefined when absent. */
  string(tag: number): string | undefined {
    const i = this.indexOf(tag);
    return i < 0 ? undefined : this.stringAt(i);
  }

  /** All fields in wire order as [tag, value] pairs (allocates; for tests, logs and audit). */
  toFields(): [number, string][] {
    const out: [number, string][] = [];
    for (let i = 0; i < this.count; i++) out.push([this.tags[i] as number, this.stringAt(i)]);
    return out;
  }
}
