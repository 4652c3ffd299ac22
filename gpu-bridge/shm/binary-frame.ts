/**
 * Fixed-layout binary frames for the hot sidecar messages (verdicts, VaR requests, inference
 * batches): a 16-byte header and a run of float64 values, written and read in place with no
 * allocation. Control messages stay msgpack; a binary frame starts with 0xc1, a byte msgpack
 * never uses, so both can share a ring and a reader tells them apart by the first byte.
 *
 * Request:  [0] 0xc1, [1] kind, [2..3] value count (u16 LE), [4..7] id (u32 LE), [8..15] deadline µs (f64 LE), [16..] values (f64 LE).
 * Response: [0] 0xc1, [1] status, [2..3] value count, [4..7] id, [8] kind, [9..15] zero, [16..] values.
 */

/** First byte of every binary frame (never used by msgpack). */
export const BINARY_MARK = 0xc1;
/** Bytes before the first value. */
export const BINARY_HEADER = 16;
/** Most values one frame carries (the count is a u16). */
export const BINARY_MAX_VALUES = 0xffff;

/** The hot message kinds carried as binary frames. */
export const BinaryKind = { ECHO: 0, VERDICT: 1, VAR: 2, INFER: 3 } as const;

/** Size in bytes of a binary frame carrying `count` values. */
export function binaryFrameSize(count: number): number {
  return BINARY_HEADER + 8 * count;
}

/** True when the frame at `off` is a binary frame (not msgpack). */
export function isBinaryFrame(bytes: Uint8Array, off: number): boolean {
  return bytes[off] === BINARY_MARK;
}

/** Writes a request frame at `off` of `dv`; returns its length in bytes. The caller sized the slot with `binaryFrameSize`. */
export function writeBinaryRequest(dv: DataView, off: number, kind: number, id: number, deadlineUs: number, values: Float64Array, count: number): number {
  dv.setUint8(off, BINARY_MARK);
  dv.setUint8(off + 1, kind);
  dv.setUint16(off + 2, count, true);
  dv.setUint32(off + 4, id, true);
  dv.setFloat64(off + 8, deadlineUs, true);
  let at = off + BINARY_HEADER;
  for (let i = 0; i < count; i++, at += 8) dv.setFloat64(at, values[i]!, true);
  return at - off;
}

/** Writes a response frame at `off` of `dv`; returns its length in bytes. */
export function writeBinaryResponse(dv: DataView, off: number, status: number, kind: number, id: number, values: Float64Array, count: number): number {
  dv.setUint8(off, BINARY_MARK);
  dv.setUint8(off + 1, status);
  dv.setUint16(off + 2, count, true);
  dv.setUint32(off + 4, id, true);
  dv.setUint32(off + 8, kind, true);
  dv.setUint32(off + 12, 0, true);
  let at = off + BINARY_HEADER;
  for (let i = 0; i < count; i++, at += 8) dv.setFloat64(at, values[i]!, true);
  return at - off;
}

/** The header of a binary frame as read in place (one reused object per reader). */
export interface BinaryHeader {
  /** Request: the kind; response: the status. */
  code: number;
  count: number;
  id: number;
  /** Request: the deadline in µs since the epoch; response: the kind. */
  word: number;
}

/**
 * Reads a frame of `len` bytes at `off` into `head` and its values into `out`; returns false (and
 * reads nothing into `out`) when the frame is not a well-formed binary frame or `out` is too short.
 */
export function readBinaryFrame(dv: DataView, off: number, len: number, head: BinaryHeader, out: Float64Array, response: boolean): boolean {
  if (len < BINARY_HEADER || dv.getUint8(off) !== BINARY_MARK) return false;
  const count = dv.getUint16(off + 2, true);
  if (len !== binaryFrameSize(count) || count > out.length) return false;
  head.code = dv.getUint8(off + 1);
  head.count = count;
  head.id = dv.getUint32(off + 4, true);
  head.word = response ? dv.getUint32(off + 8, true) : dv.getFloat64(off + 8, true);
  let at = off + BINARY_HEADER;
  for (let i = 0; i < count; i++, at += 8) out[i] = dv.getFloat64(at, true);
  return true;
}
