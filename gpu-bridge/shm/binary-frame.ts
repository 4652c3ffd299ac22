/**
 * Fixed-layout binary frames for the hot sidecar messages (verdicts, register writes, VaR
 * requests, inference batches): a 16-byte header and a body whose layout is fixed by the frame's
 * kind, read and written in place. Control messages stay msgpack; a binary frame starts with
 * 0xc1, a byte msgpack never uses, so both share a ring and a reader tells them apart by the
 * first byte. Byte 1 is the frame version: a side refuses a version or kind it does not know.
 * Bytes 0..7 (mark, version, kind, status, id) keep their place in every future version, so an
 * unknown frame can still be answered by id.
 *
 * Header: [0] 0xc1, [1] version, [2] kind, [3] status (response; 0 in a request), [4..7] id (u32 LE),
 * [8..15] f64 LE: request, deadline in µs since the epoch; response, the sidecar's compute time in ns.
 * Values of the echo kind: f64 LE from byte 16. Bodies of the other kinds: gpu-bridge/PROTOCOL.md.
 */

/** First byte of every binary frame (never used by msgpack). */
export const BINARY_MARK = 0xc1;
/** The frame layout version this side writes and reads. */
export const FRAME_VERSION = 1;
/** Bytes before the body. */
export const BINARY_HEADER = 16;
/** Most f64 values an echo frame carries (the bench and tests). */
export const BINARY_MAX_VALUES = 0xffff;

/** The hot message kinds carried as binary frames. */
export const BinaryKind = { ECHO: 0, CHECK: 1, REGS: 2, VAR: 3, VAR_BOOTSTRAP: 4, INFER: 5 } as const;
/** Names of the kinds, by kind (for messages). */
export const BINARY_KIND_NAMES = ["echo", "check", "regs", "var", "var.bootstrap", "infer"] as const;

/** `readFrameHeader` result: a frame of this version and a known kind. */
export const FRAME_OK = 0;
/** `readFrameHeader` result: not a binary frame (msgpack) or shorter than a header. */
export const FRAME_NOT_BINARY = 1;
/** `readFrameHeader` result: a binary frame of a version this side does not speak. */
export const FRAME_UNKNOWN_VERSION = 2;
/** `readFrameHeader` result: a binary frame of a kind this side does not know. */
export const FRAME_UNKNOWN_KIND = 3;

/** Size in bytes of an echo frame carrying `count` f64 values. */
export function binaryFrameSize(count: number): number {
  return BINARY_HEADER + 8 * count;
}

/** True when the frame at `off` is a binary frame (not msgpack). */
export function isBinaryFrame(bytes: Uint8Array, off: number): boolean {
  return bytes[off] === BINARY_MARK;
}

/** Writes a frame header at `off`: `word` is the deadline (request) or the compute time in ns (response). */
export function writeFrameHeader(dv: DataView, off: number, kind: number, status: number, id: number, word: number): void {
  dv.setUint8(off, BINARY_MARK);
  dv.setUint8(off + 1, FRAME_VERSION);
  dv.setUint8(off + 2, kind);
  dv.setUint8(off + 3, status);
  dv.setUint32(off + 4, id, true);
  dv.setFloat64(off + 8, word, true);
}

/** The header of a binary frame as read in place (one reused object per reader). */
export interface BinaryHeader {
  version: number;
  kind: number;
  status: number;
  id: number;
  /** Request: the deadline in µs since the epoch; response: the sidecar's compute time in ns. */
  word: number;
  /** Body bytes (the frame's length less the header). */
  bodyBytes: number;
}

/** Returns a zeroed header to read into. */
export function emptyHeader(): BinaryHeader {
  return { version: 0, kind: 0, status: 0, id: 0, word: 0, bodyBytes: 0 };
}

/**
 * Reads the header of the `len`-byte frame at `off` into `h` and says whether this side can read
 * its body (FRAME_OK) or why not. The id, version and kind are read for every binary frame, so an
 * unknown one can be answered and named.
 */
export function readFrameHeader(dv: DataView, off: number, len: number, h: BinaryHeader): number {
  if (len < BINARY_HEADER || dv.getUint8(off) !== BINARY_MARK) return FRAME_NOT_BINARY;
  h.version = dv.getUint8(off + 1);
  h.kind = dv.getUint8(off + 2);
  h.status = dv.getUint8(off + 3);
  h.id = dv.getUint32(off + 4, true);
  h.word = dv.getFloat64(off + 8, true);
  h.bodyBytes = len - BINARY_HEADER;
  if (h.version !== FRAME_VERSION) return FRAME_UNKNOWN_VERSION;
  if (h.kind >= BINARY_KIND_NAMES.length) return FRAME_UNKNOWN_KIND;
  return FRAME_OK;
}

/** The one line naming a frame this side refuses (`SHM_FRAME_UNKNOWN` context). */
export function unknownFrameContext(ring: string, h: BinaryHeader, why: number): string {
  const what = why === FRAME_UNKNOWN_VERSION ? "version" : "kind";
  return `ring=${ring} unknown=${what} frame_version=${h.version} speaks=${FRAME_VERSION} kind=${h.kind} id=${h.id} bytes=${BINARY_HEADER + h.bodyBytes}`;
}

/** Writes an echo request (f64 values) at `off` of `dv`; returns its length in bytes. */
export function writeBinaryRequest(dv: DataView, off: number, kind: number, id: number, deadlineUs: number, values: Float64Array, count: number): number {
  writeFrameHeader(dv, off, kind, 0, id, deadlineUs);
  let at = off + BINARY_HEADER;
  for (let i = 0; i < count; i++, at += 8) dv.setFloat64(at, values[i]!, true);
  return at - off;
}

/** Writes an echo response (f64 values) at `off` of `dv`; returns its length in bytes. */
export function writeBinaryResponse(dv: DataView, off: number, status: number, kind: number, id: number, values: Float64Array, count: number): number {
  writeFrameHeader(dv, off, kind, status, id, 0);
  let at = off + BINARY_HEADER;
  for (let i = 0; i < count; i++, at += 8) dv.setFloat64(at, values[i]!, true);
  return at - off;
}

/**
 * Reads a frame of `len` bytes at `off` into `head` and its f64 body into `out`; returns false (and
 * reads nothing into `out`) when it is not a binary frame of this version and a known kind, when
 * the body is not a whole number of f64, or when `out` is too short.
 */
export function readBinaryFrame(dv: DataView, off: number, len: number, head: BinaryHeader, out: Float64Array): boolean {
  if (readFrameHeader(dv, off, len, head) !== FRAME_OK) return false;
  const count = head.bodyBytes / 8;
  if (!Number.isInteger(count) || count > out.length) return false;
  let at = off + BINARY_HEADER;
  for (let i = 0; i < count; i++, at += 8) out[i] = dv.getFloat64(at, true);
  return true;
}

const utf8 = new TextDecoder();

/** A binary response as handed to a caller: its kind, the sidecar's compute time and a copy of its body. */
export interface FrameReply {
  readonly frame: true;
  readonly kind: number;
  /** The sidecar's compute time in ns (0 when it does not measure). */
  readonly elapsedNs: number;
  readonly body: Uint8Array;
}

/** True when a response body is a binary frame's reply. */
export function isFrameReply(v: unknown): v is FrameReply {
  return typeof v === "object" && v !== null && (v as FrameReply).frame === true;
}

/** The text of an error reply's body (UTF-8). */
export function frameText(body: Uint8Array): string {
  return utf8.decode(body);
}

/** Reads a NUL-padded ASCII field of `n` bytes at `off` of `bytes`. */
export function readFixedText(bytes: Uint8Array, off: number, n: number): string {
  let end = off;
  while (end < off + n && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(off, end));
}
