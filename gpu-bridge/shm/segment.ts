/**
 * A bridge segment: the /dev/shm file mapped shared with `Bun.mmap`, its header words and its two
 * ring placements. The client (runtime) creates and initialises it; the sidecar attaches to it.
 */
import { closeSync, ftruncateSync, openSync, statSync } from "node:fs";
import { bridgeError, type BridgeError } from "./errors.ts";
import {
  HEADER_BYTES,
  isPowerOfTwo,
  MAGIC,
  MAX_CAPACITY,
  maxFrameFor,
  MIN_CAPACITY,
  Offset,
  PROTOCOL_VERSION,
  requestRingOffset,
  responseRingOffset,
  segmentBytes,
  ServerState,
} from "./layout.ts";
import type { RingPlacement } from "./ring.ts";

/** A mapped segment with typed views over it. */
export class Segment {
  readonly words: Int32Array;
  readonly capacity: number;
  readonly maxFrame: number;
  readonly requests: RingPlacement;
  readonly responses: RingPlacement;

  private constructor(
    readonly path: string,
    readonly bytes: Uint8Array,
  ) {
    this.words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    this.capacity = this.words[Offset.RING_CAPACITY >> 2]! >>> 0;
    this.maxFrame = this.words[Offset.MAX_FRAME >> 2]! >>> 0;
    this.requests = {
      dataOffset: requestRingOffset(),
      capacity: this.capacity,
      tailOffset: Offset.REQ_TAIL,
      headOffset: Offset.REQ_HEAD,
      maxFrame: this.maxFrame,
    };
    this.responses = {
      dataOffset: responseRingOffset(this.capacity),
      capacity: this.capacity,
      tailOffset: Offset.RESP_TAIL,
      headOffset: Offset.RESP_HEAD,
      maxFrame: this.maxFrame,
    };
  }

  /** Creates (or truncates) the segment file and writes a fresh header; MAGIC is written last. */
  static create(path: string, capacity: number, heartbeatMs: number): Segment | BridgeError {
    if (!isPowerOfTwo(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
      return bridgeError("SHM_CONFIG_INVALID", `capacity=${capacity} expected=power_of_two_in_[${MIN_CAPACITY},${MAX_CAPACITY}]`);
    }
    if (!Number.isInteger(heartbeatMs) || heartbeatMs < 1) {
      return bridgeError("SHM_CONFIG_INVALID", `heartbeat_ms=${heartbeatMs} expected=integer>=1`);
    }
    let bytes: Uint8Array;
    try {
      const fd = openSync(path, "w+", 0o600);
      try {
        ftruncateSync(fd, segmentBytes(capacity));
      } finally {
        closeSync(fd);
      }
      bytes = Bun.mmap(path, { shared: true });
    } catch (e) {
      return bridgeError("SHM_IO", `path=${path} op=create cause=${(e as Error).message}`);
    }
    const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    w.fill(0);
    w[Offset.VERSION >> 2] = PROTOCOL_VERSION;
    w[Offset.RING_CAPACITY >> 2] = capacity;
    w[Offset.HEADER_BYTES >> 2] = HEADER_BYTES;
    w[Offset.MAX_FRAME >> 2] = maxFrameFor(capacity);
    w[Offset.HEARTBEAT_MS >> 2] = heartbeatMs;
    w[Offset.CLIENT_PID >> 2] = process.pid;
    Atomics.store(w, Offset.MAGIC >> 2, MAGIC);
    return new Segment(path, bytes);
  }

  /**
   * Maps an existing segment. Checks the magic and the size; the version is returned in the
   * segment for the caller to compare, so a sidecar can report a mismatch through SERVER_STATE.
   */
  static attach(path: string): Segment | BridgeError {
    let bytes: Uint8Array;
    try {
      const size = statSync(path).size;
      if (size < HEADER_BYTES) return bridgeError("SHM_BAD_MAGIC", `path=${path} size=${size}`);
      bytes = Bun.mmap(path, { shared: true });
    } catch (e) {
      return bridgeError("SHM_IO", `path=${path} op=attach cause=${(e as Error).message}`);
    }
    const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    if (Atomics.load(w, Offset.MAGIC >> 2) !== MAGIC) return bridgeError("SHM_BAD_MAGIC", `path=${path} magic=${w[0]! >>> 0}`);
    const cap = w[Offset.RING_CAPACITY >> 2]! >>> 0;
    if (!isPowerOfTwo(cap) || bytes.byteLength < segmentBytes(cap)) {
      return bridgeError("SHM_BAD_MAGIC", `path=${path} capacity=${cap} size=${bytes.byteLength}`);
    }
    return new Segment(path, bytes);
  }

  /** Reads a header word (unsigned). */
  load(offset: number): number {
    return Atomics.load(this.words, offset >> 2) >>> 0;
  }

  /** Writes a header word with release ordering. */
  store(offset: number, value: number): void {
    Atomics.store(this.words, offset >> 2, value | 0);
  }

  /** Increments a heartbeat word. */
  bump(offset: number): void {
    Atomics.add(this.words, offset >> 2, 1);
  }

  /** The protocol version written by the segment's creator. */
  version(): number {
    return this.load(Offset.VERSION);
  }

  /** The heartbeat period both sides promise, in milliseconds. */
  heartbeatMs(): number {
    return this.load(Offset.HEARTBEAT_MS);
  }

  /** The sidecar's state word (see `ServerState`). */
  serverState(): number {
    return this.load(Offset.SERVER_STATE);
  }
}

export { ServerState };
