/** Writing and reading isolate frames over the shared buffer's rings (both sides use these). */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { CLAIM_FULL, PEEK_CORRUPT, PEEK_EMPTY, RingReader, RingWriter } from "../../../gpu-bridge/shm/ring.ts";

// One encoder and one decoder per thread: msgpack's encode()/decode() build a new one (and a 2 KiB
// buffer) on every call, which was most of a context round trip's cost.
const encoder = new Encoder();
const decoder = new Decoder();

/** A msgpack encoding of `value` in its own buffer (safe to keep). */
export function packed(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/** One side's view of the shared buffer. */
export class FramePort {
  readonly words: Int32Array;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly out: RingWriter;
  readonly in: RingReader;

  constructor(
    buffer: SharedArrayBuffer,
    outRing: ConstructorParameters<typeof RingWriter>[1],
    inRing: ConstructorParameters<typeof RingReader>[1],
    private readonly outDoorbell: number,
  ) {
    this.words = new Int32Array(buffer);
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    this.out = new RingWriter(this.words, outRing);
    this.in = new RingReader(this.words, inRing);
  }

  /** Claims room for a `len`-byte payload and returns its offset; throws when the ring cannot take it. */
  claim(len: number): number {
    const at = this.out.tryClaim(len);
    if (at === CLAIM_FULL) throw new Error("ISOLATE_RING_FULL: the other side stopped reading");
    if (at < 0) throw new Error(`ISOLATE_FRAME_TOO_LARGE: bytes=${len}`);
    return at;
  }

  /** Publishes the claimed frame and rings the other side's doorbell. */
  commit(len: number): void {
    this.out.commit(len);
    Atomics.add(this.words, this.outDoorbell >> 2, 1);
    Atomics.notify(this.words, this.outDoorbell >> 2);
  }

  /** Sends a frame of `kind` with a msgpack body. */
  sendPacked(kind: number, body: unknown): void {
    // A view of the encoder's buffer, copied into the ring before the next encode.
    const packed = encoder.encodeSharedRef(body);
    const at = this.claim(4 + packed.length);
    this.view.setInt32(at, kind, true);
    this.bytes.set(packed, at + 4);
    this.commit(4 + packed.length);
  }

  /**
   * Sends a frame of `kind` whose msgpack body (null when undefined) is followed by `tail`, a
   * sequence of msgpack values already encoded (queued context writes); with neither, the frame
   * is the kind alone (4 bytes, nothing to encode or decode).
   */
  sendWithTail(kind: number, body: unknown, tail: readonly Uint8Array[]): void {
    if (body === undefined && tail.length === 0) {
      const at = this.claim(4);
      this.view.setInt32(at, kind, true);
      this.commit(4);
      return;
    }
    const packed = encoder.encodeSharedRef(body === undefined ? null : body);
    let len = 4 + packed.length;
    for (const t of tail) len += t.length;
    const at = this.claim(len);
    this.view.setInt32(at, kind, true);
    this.bytes.set(packed, at + 4);
    let to = at + 4 + packed.length;
    for (const t of tail) {
      this.bytes.set(t, to);
      to += t.length;
    }
    this.commit(len);
  }

  /** The body and the tail values of the frame found by `next` (a 4-byte frame: null and none). */
  unpackWithTail(len: number): { body: unknown; tail: unknown[] } {
    if (len <= 4) return { body: null, tail: [] };
    const at = this.body();
    const values = [...decoder.decodeMulti(this.bytes.subarray(at, at + len - 4))];
    return { body: values[0], tail: values.slice(1) };
  }

  /** Returns the next frame's length (read its kind with `kind()`), PEEK_EMPTY, or throws on a corrupt ring. */
  next(): number {
    const len = this.in.peek();
    if (len === PEEK_CORRUPT) throw new Error("ISOLATE_RING_CORRUPT");
    return len;
  }

  /** Kind of the frame found by `next`. */
  kind(): number {
    return this.view.getInt32(this.in.payloadOffset(), true);
  }

  /** Byte offset of the body of the frame found by `next`. */
  body(): number {
    return this.in.payloadOffset() + 4;
  }

  /** The msgpack body of the frame found by `next` (length `len` including the kind). */
  unpack(len: number): unknown {
    const at = this.body();
    return decoder.decode(this.bytes.subarray(at, at + len - 4));
  }

  /** Gives the frame's room back. */
  release(): void {
    this.in.release();
  }
}

export { PEEK_EMPTY };
