/** Writing and reading isolate frames (header, msgpack body, tail) over the shared buffer's rings (both sides use these). */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { FRAME_HEADER, FRAME_VERSION, frameProblem } from "./protocol.ts";
import { CLAIM_FULL, PEEK_CORRUPT, PEEK_EMPTY, RingReader, RingWriter } from "../../../gpu-bridge/shm/ring.ts";

// One encoder and one decoder per thread: msgpack's encode()/decode() build a new one (and a 2 KiB
// buffer) on every call, which was most of a context round trip's cost.
const encoder = new Encoder();
const decoder = new Decoder();

/** A msgpack encoding of `value` in its own buffer (safe to keep). */
export function packed(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/** The msgpack value of `bytes[at, at + n)` (a queued write's `[method, args]`). */
export function unpackBytes(bytes: Uint8Array, at: number, n: number): unknown {
  return decoder.decode(bytes.subarray(at, at + n));
}

/** Copies `n` bytes of `from` into `to` at `at` (a loop for the few bytes of a hot frame's tail: no view made). */
export function copyBytes(to: Uint8Array, at: number, from: Uint8Array, n: number): void {
  if (n > 64) to.set(from.subarray(0, n), at);
  else for (let k = 0; k < n; k++) to[at + k] = from[k]!;
}

/** One side's view of the shared buffer. */
export class FramePort {
  readonly words: Int32Array;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly out: RingWriter;
  readonly in: RingReader;
  /** Word index of this side's doorbell (the word after it: this side is asleep on it). */
  readonly bell: number;

  constructor(
    buffer: SharedArrayBuffer,
    outRing: ConstructorParameters<typeof RingWriter>[1],
    inRing: ConstructorParameters<typeof RingReader>[1],
    private readonly outDoorbell: number,
    inDoorbell: number,
  ) {
    this.bell = inDoorbell >> 2;
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

  /**
   * Claims a frame of `kind` with `body` bytes of body and `tail` bytes after it, writes its
   * header and returns the offset of its body; publish it with `commit(FRAME_HEADER + body + tail)`.
   */
  begin(kind: number, body: number, tail: number): number {
    const at = this.claim(FRAME_HEADER + body + tail);
    const v = this.view;
    v.setUint8(at, kind);
    v.setUint8(at + 1, FRAME_VERSION);
    v.setUint16(at + 2, 0, true);
    v.setUint32(at + 4, body, true);
    return at + FRAME_HEADER;
  }

  /**
   * Publishes the claimed frame and, when the other side said it sleeps, rings its doorbell and
   * wakes it. A side that is not asleep is left alone: the tail's store and the sleeping word's read
   * here, and the sleeping word's store and the tail's read in `sleep`, are all sequentially
   * consistent, so a side that starts to sleep after this read sees the frame before it waits.
   */
  commit(len: number): void {
    this.out.commit(len);
    const bell = this.outDoorbell >> 2;
    if (Atomics.load(this.words, bell + 1) === 0) return;
    Atomics.add(this.words, bell, 1);
    Atomics.notify(this.words, bell);
  }

  /**
   * Sleeps on this side's doorbell until the other side commits a frame or `ms` pass; returns at
   * once when a frame is already waiting. The sleeping word is set first (sequentially consistent
   * with the sender's doorbell increment and its read of that word), so no frame goes unnoticed.
   */
  sleep(ms: number): void {
    const w = this.words;
    Atomics.store(w, this.bell + 1, 1);
    const seen = Atomics.load(w, this.bell);
    if (this.in.peek() === PEEK_EMPTY) Atomics.wait(w, this.bell, seen, ms);
    Atomics.store(w, this.bell + 1, 0);
  }

  /** `sleep` without blocking the thread's event loop (a plugin with grants); resolves on a frame or after `ms`. */
  async sleepAsync(ms: number): Promise<void> {
    const w = this.words;
    Atomics.store(w, this.bell + 1, 1);
    const seen = Atomics.load(w, this.bell);
    if (this.in.peek() === PEEK_EMPTY) {
      const r = Atomics.waitAsync(w, this.bell, seen, ms);
      if (r.async) await r.value;
    }
    Atomics.store(w, this.bell + 1, 0);
  }

  /** Sends a frame of `kind` with a msgpack body. */
  sendPacked(kind: number, body: unknown): void {
    this.sendWithTail(kind, body, this.bytes, 0);
  }

  /**
   * Sends a frame of `kind` whose msgpack body (none when undefined) is followed by the first
   * `tailBytes` bytes of `tail` (queued context writes, `write-queue.ts`); with neither, the frame is
   * the header alone.
   */
  sendWithTail(kind: number, body: unknown, tail: Uint8Array, tailBytes: number): void {
    // A view of the encoder's buffer, copied into the ring before the next encode.
    const packed = body === undefined ? null : encoder.encodeSharedRef(body);
    const n = packed === null ? 0 : packed.length;
    const at = this.begin(kind, n, tailBytes);
    if (packed !== null) this.bytes.set(packed, at);
    copyBytes(this.bytes, at + n, tail, tailBytes);
    this.commit(FRAME_HEADER + n + tailBytes);
  }

  /** Returns the next frame's length (read its kind with `kind()`), PEEK_EMPTY, or throws on a corrupt ring. */
  next(): number {
    const len = this.in.peek();
    if (len === PEEK_CORRUPT) throw new Error("ISOLATE_RING_CORRUPT");
    return len;
  }

  /** Kind of the frame found by `next`. */
  kind(): number {
    return this.bytes[this.in.payloadOffset()]!;
  }

  /**
   * Null when this side reads the `len`-byte frame found by `next`, else the one line refusing it
   * (a version or kind it does not know, or a body longer than the frame); `dir` names the ring.
   */
  problem(dir: string, len: number): string | null {
    const at = this.in.payloadOffset();
    const p = len < FRAME_HEADER ? frameProblem(dir, len > 0 ? this.bytes[at]! : -1, -1, len) : frameProblem(dir, this.bytes[at]!, this.bytes[at + 1]!, len);
    if (p !== null || FRAME_HEADER + this.view.getUint32(at + 4, true) <= len) return p;
    return `ISOLATE_FRAME_UNKNOWN: ring=${dir} unknown=length kind=${this.bytes[at]} body=${this.view.getUint32(at + 4, true)} bytes=${len}`;
  }

  /** Byte offset just past the `len`-byte frame found by `next`. */
  end(len: number): number {
    return this.in.payloadOffset() + len;
  }

  /** Byte offset of the body of the frame found by `next`. */
  body(): number {
    return this.in.payloadOffset() + FRAME_HEADER;
  }

  /** Bytes of the body of the frame found by `next`. */
  bodyBytes(): number {
    return this.view.getUint32(this.in.payloadOffset() + 4, true);
  }

  /** Byte offset of the tail (after the body) of the frame found by `next`. */
  tailAt(): number {
    return this.body() + this.bodyBytes();
  }

  /** The msgpack body of the frame found by `next` (null when it has none). */
  unpack(): unknown {
    const n = this.bodyBytes();
    if (n === 0) return null;
    const at = this.body();
    return decoder.decode(this.bytes.subarray(at, at + n));
  }

  /** Gives the frame's room back. */
  release(): void {
    this.in.release();
  }
}

export { PEEK_EMPTY };
