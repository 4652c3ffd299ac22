/**
 * One single-producer/single-consumer ring of length-prefixed frames inside a shared segment.
 * The producer owns the tail word and the consumer the head word; each publishes its position
 * with an `Atomics.store` after touching the data, and reads the other's with `Atomics.load`, which
 * gives the release/acquire pairing the protocol needs. Positions are byte counters modulo 2^32;
 * the index in the ring is `position & (capacity - 1)`. The producer keeps the last head it read
 * and reads the word again only when that head leaves too little room: the head's cache line,
 * which the consumer writes on every release, then crosses between the cores only when the ring
 * is nearly full, not on every claim.
 */
import { frameBytes, LENGTH_BYTES, WRAP_MARKER } from "./layout.ts";

/** `tryClaim` result: the ring has no room for the frame now. */
export const CLAIM_FULL = -1;
/** `tryClaim` result: the payload is larger than the ring's largest frame. */
export const CLAIM_TOO_LARGE = -2;
/** `peek` result: no frame is waiting. */
export const PEEK_EMPTY = -1;
/** `peek` result: the next length word is impossible; the ring can no longer be read. */
export const PEEK_CORRUPT = -2;

/** Where a ring lives inside the segment. */
export interface RingPlacement {
  /** Byte offset of the ring's data in the segment. */
  readonly dataOffset: number;
  /** Bytes of data, a power of two. */
  readonly capacity: number;
  /** Byte offset of the producer's tail word. */
  readonly tailOffset: number;
  /** Byte offset of the consumer's head word. */
  readonly headOffset: number;
  /** Largest payload in bytes. */
  readonly maxFrame: number;
}

/** The producer side of a ring: try-claim, write the payload in place, commit or abort. */
export class RingWriter {
  private tail: number;
  /** The consumer's head as last read (the room it shows is never more than there is). */
  private head: number;
  private claimStart = -1;
  private claimSkip = 0;
  private claimLen = 0;
  private readonly mask: number;

  constructor(
    private readonly words: Int32Array,
    private readonly at: RingPlacement,
  ) {
    this.mask = at.capacity - 1;
    this.tail = Atomics.load(words, at.tailOffset >> 2) >>> 0;
    this.head = Atomics.load(words, at.headOffset >> 2) >>> 0;
  }

  /**
   * Reserves room for a payload of `len` bytes and returns the byte offset in the segment where
   * the payload goes, or CLAIM_FULL / CLAIM_TOO_LARGE. Never waits.
   */
  tryClaim(len: number): number {
    const at = this.at;
    if (len > at.maxFrame || len < 0) return CLAIM_TOO_LARGE;
    const need = frameBytes(len);
    const idx = this.tail & this.mask;
    const toEnd = at.capacity - idx;
    let skip = 0;
    let start = idx;
    if (need > toEnd) {
      skip = toEnd;
      start = 0;
    }
    if (((this.tail - this.head) >>> 0) + skip + need > at.capacity) {
      // The cached head shows too little room: the consumer may have released more since.
      this.head = Atomics.load(this.words, at.headOffset >> 2) >>> 0;
      if (((this.tail - this.head) >>> 0) + skip + need > at.capacity) return CLAIM_FULL;
    }
    this.claimStart = start;
    this.claimSkip = skip;
    this.claimLen = len;
    return at.dataOffset + start + LENGTH_BYTES;
  }

  /** Publishes the claimed frame; `len` may shrink the claim (defaults to the claimed length). */
  commit(len: number = this.claimLen): void {
    if (this.claimStart < 0) return;
    const at = this.at;
    const w = this.words;
    w[(at.dataOffset + this.claimStart) >> 2] = len;
    if (this.claimSkip > 0) w[(at.dataOffset + (this.tail & this.mask)) >> 2] = WRAP_MARKER;
    this.tail = (this.tail + this.claimSkip + frameBytes(len)) >>> 0;
    this.claimStart = -1;
    Atomics.store(w, at.tailOffset >> 2, this.tail | 0);
  }

  /** Drops the claim; nothing becomes visible to the consumer. */
  abort(): void {
    this.claimStart = -1;
  }

  /** Writes a raw length word at the tail and publishes it; only for fault-injection tests. */
  publishRawLength(lengthWord: number, advance: number): void {
    this.words[(this.at.dataOffset + (this.tail & this.mask)) >> 2] = lengthWord;
    this.tail = (this.tail + advance) >>> 0;
    Atomics.store(this.words, this.at.tailOffset >> 2, this.tail | 0);
  }

  /** Bytes in flight (published, not yet consumed). */
  used(): number {
    return (this.tail - (Atomics.load(this.words, this.at.headOffset >> 2) >>> 0)) >>> 0;
  }
}

/** The consumer side of a ring: peek the next frame, read it in place, release it. */
export class RingReader {
  private head: number;
  private frameStart = 0;
  private frameSkip = 0;
  private frameLen = -1;
  private readonly mask: number;

  constructor(
    private readonly words: Int32Array,
    private readonly at: RingPlacement,
  ) {
    this.mask = at.capacity - 1;
    this.head = Atomics.load(words, at.headOffset >> 2) >>> 0;
  }

  /** Returns the next payload's length (its bytes start at `payloadOffset()`), PEEK_EMPTY or PEEK_CORRUPT. */
  peek(): number {
    const at = this.at;
    const tail = Atomics.load(this.words, at.tailOffset >> 2) >>> 0;
    if (tail === this.head) return PEEK_EMPTY;
    const avail = (tail - this.head) >>> 0;
    let idx = this.head & this.mask;
    let skip = 0;
    let len = this.words[(at.dataOffset + idx) >> 2]!;
    if (len === WRAP_MARKER) {
      skip = at.capacity - idx;
      idx = 0;
      if (avail <= skip) return PEEK_CORRUPT;
      len = this.words[at.dataOffset >> 2]!;
    }
    if (len < 0 || len > at.maxFrame || avail > at.capacity || skip + frameBytes(len) > avail) return PEEK_CORRUPT;
    this.frameStart = idx;
    this.frameSkip = skip;
    this.frameLen = len;
    return len;
  }

  /** Byte offset in the segment of the payload found by the last successful `peek`. */
  payloadOffset(): number {
    return this.at.dataOffset + this.frameStart + LENGTH_BYTES;
  }

  /** Releases the frame found by the last successful `peek`, giving its room back to the producer. */
  release(): void {
    if (this.frameLen < 0) return;
    this.head = (this.head + this.frameSkip + frameBytes(this.frameLen)) >>> 0;
    this.frameLen = -1;
    Atomics.store(this.words, this.at.headOffset >> 2, this.head | 0);
  }

  /** Drops everything published so far (used by a sidecar that re-attaches after a restart). */
  skipAll(): void {
    this.head = Atomics.load(this.words, this.at.tailOffset >> 2) >>> 0;
    this.frameLen = -1;
    Atomics.store(this.words, this.at.headOffset >> 2, this.head | 0);
  }
}
