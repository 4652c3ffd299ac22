/**
 * The frames and loops every side of the isolation-mechanisms bench shares (Bun, Deno, a Deno
 * Worker): a QUOTE frame out (the isolate protocol's 8-byte header and 52-byte body), an ANSWER
 * frame back (header and an f64 computed from the quote), over the project's own ring code. No Bun
 * or Deno API here, so the same file runs in each runtime (`bench/isolation-mechanisms.ts`). The
 * runtime's `FramePort` (`runtime/plugins/isolate/frames.ts`) is not reused: it takes a
 * SharedArrayBuffer (a mapped /dev/shm file is a plain ArrayBuffer) and imports msgpack, which the
 * Deno side cannot resolve; the header, doorbell and sleep here follow its protocol.
 */
import { PEEK_CORRUPT, PEEK_EMPTY, RingReader, RingWriter, type RingPlacement } from "../../gpu-bridge/shm/ring.ts";
import { Offset, requestRingOffset, responseRingOffset, maxFrameFor } from "../../gpu-bridge/shm/layout.ts";
import { BACK, DOORBELL_BACK, DOORBELL_TO_ISOLATE, FRAME_HEADER, FRAME_VERSION, Kind, QUOTE_BODY, TO_ISOLATE } from "../../runtime/plugins/isolate/protocol.ts";

/** Bytes of the frame out (header + QUOTE body, 60) and of the frame back (header + f64, 16). */
export const QUOTE_FRAME = FRAME_HEADER + QUOTE_BODY;
export const ANSWER_FRAME = FRAME_HEADER + 8;

/**
 * Values of the phase word the runtime side writes: the other side naps, spins, or returns; INNER
 * asks a relaying Deno host to time its Worker hop alone (`relay`), and a Worker to spin.
 */
export const Phase = { IDLE: 0, RUN: 1, STOP: 2, INNER: 3 } as const;

/** Byte offset of the phase word in a SharedArrayBuffer laid out as the isolate's (a spare control line). */
export const SAB_PHASE = 448;
/** Byte offset of the phase word in a /dev/shm bridge segment (the client-written heartbeat line, unused here). */
export const SEG_PHASE = Offset.CLIENT_HEARTBEAT;
/**
 * The INNER exchange in the segment (bench-only words in lines the bridge layout leaves unused):
 * the runtime writes the trips to time at INNER_TRIPS, sets the phase to INNER and waits for IDLE;
 * the host writes back, as f64, this request's p50 and p99 and, over every request so far, p50,
 * p99, p99.9 and the count (ns), and the wrong answers (i32).
 */
export const INNER_TRIPS = SEG_PHASE + 4;
export const INNER_WRONG = SEG_PHASE + 8;
export const INNER_RESULTS = Offset.SERVER_EPOCH + 4;
/** Bytes of the SharedArrayBuffer the bench's Workers use (control lines and the two isolate rings, no mirror). */
export const SAB_BYTES = BACK.dataOffset + BACK.capacity;
/** Ring capacity of the /dev/shm segment (as the isolate's rings). */
export const SEG_CAPACITY = TO_ISOLATE.capacity;

/** The isolate's rings in a SharedArrayBuffer: out is towards the isolate. */
export const SAB_OUT: RingPlacement = TO_ISOLATE;
export const SAB_BACK: RingPlacement = BACK;
/** The bridge segment's rings (`gpu-bridge/shm/layout.ts`), for a segment of SEG_CAPACITY. */
export const SEG_OUT: RingPlacement = { dataOffset: requestRingOffset(), capacity: SEG_CAPACITY, tailOffset: Offset.REQ_TAIL, headOffset: Offset.REQ_HEAD, maxFrame: maxFrameFor(SEG_CAPACITY) };
export const SEG_BACK: RingPlacement = { dataOffset: responseRingOffset(SEG_CAPACITY), capacity: SEG_CAPACITY, tailOffset: Offset.RESP_TAIL, headOffset: Offset.RESP_HEAD, maxFrame: maxFrameFor(SEG_CAPACITY) };

/** Word index of the doorbell a sleeping server waits on (the word after it: it is asleep). */
export const BELL = DOORBELL_TO_ISOLATE >> 2;
/** Word index of the doorbell a relaying host waits on for the answer (`relay` with hand-off). */
export const BACK_BELL = DOORBELL_BACK >> 2;

/** One side's view of a buffer holding a pair of rings. */
export interface Link {
  readonly words: Int32Array;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly out: RingWriter;
  readonly in: RingReader;
  /** Word index of the phase word. */
  readonly phase: number;
}

/** Builds a side's link over `buffer[offset, offset + length)`, writing to ring `out` and reading ring `inRing`. */
export function link(buffer: ArrayBufferLike, offset: number, length: number, out: RingPlacement, inRing: RingPlacement, phaseAt: number): Link {
  const words = new Int32Array(buffer, offset, length >> 2);
  return { words, view: new DataView(buffer, offset, length), bytes: new Uint8Array(buffer, offset, length), out: new RingWriter(words, out), in: new RingReader(words, inRing), phase: phaseAt >> 2 };
}

/** The answer a server owes quote `k` (bid + ask + ts, as written by `sendQuote`): exact in f64. */
export function expectedAnswer(k: number): number {
  return 2 * 114_500 + 3 + 7 * k + k;
}

/** Writes quote number `k` (instrument 3, ts k, bid 114,500 + 7k, ask 114,503) and publishes it; false when the ring is full. */
export function sendQuote(l: Link, k: number, now: number): boolean {
  const at = l.out.tryClaim(QUOTE_FRAME);
  if (at < 0) return false;
  const v = l.view;
  v.setUint8(at, Kind.QUOTE);
  v.setUint8(at + 1, FRAME_VERSION);
  v.setUint16(at + 2, 0, true);
  v.setUint32(at + 4, QUOTE_BODY, true);
  const b = at + FRAME_HEADER;
  v.setInt32(b, 3, true);
  v.setFloat64(b + 4, now, true);
  v.setFloat64(b + 12, k, true);
  v.setFloat64(b + 20, 114_500 + 7 * k, true);
  v.setFloat64(b + 28, 114_503, true);
  v.setFloat64(b + 36, 1_000_000, true);
  v.setFloat64(b + 44, 900_000, true);
  l.out.commit(QUOTE_FRAME);
  return true;
}

/** The answer in the ANSWER frame waiting on `l` (NaN when none is), released; throws on a corrupt ring or a wrong kind. */
export function takeAnswer(l: Link): number {
  const len = l.in.peek();
  if (len === PEEK_EMPTY) return Number.NaN;
  if (len === PEEK_CORRUPT) throw new Error("BENCH_RING_CORRUPT: ring=back");
  const at = l.in.payloadOffset();
  const kind = l.view.getUint8(at);
  if (kind !== Kind.ANSWER || len !== ANSWER_FRAME) throw new Error(`BENCH_FRAME: ring=back kind=${kind} bytes=${len}`);
  const a = l.view.getFloat64(at + FRAME_HEADER, true);
  l.in.release();
  return a;
}

/** Answers the QUOTE frame waiting on `l` (length `len`) with bid + ask + ts; throws when it is not a quote or the ring back is full. */
export function answerQuote(l: Link, len: number): void {
  const at = l.in.payloadOffset();
  const v = l.view;
  if (v.getUint8(at) !== Kind.QUOTE || len !== QUOTE_FRAME) throw new Error(`BENCH_FRAME: ring=out kind=${v.getUint8(at)} bytes=${len}`);
  const b = at + FRAME_HEADER;
  const answer = v.getFloat64(b + 20, true) + v.getFloat64(b + 28, true) + v.getFloat64(b + 12, true);
  l.in.release();
  const o = l.out.tryClaim(ANSWER_FRAME);
  if (o < 0) throw new Error("BENCH_RING_FULL: ring=back");
  v.setUint8(o, Kind.ANSWER);
  v.setUint8(o + 1, FRAME_VERSION);
  v.setUint16(o + 2, 0, true);
  v.setUint32(o + 4, 8, true);
  v.setFloat64(o + FRAME_HEADER, answer, true);
  l.out.commit(ANSWER_FRAME);
}

/**
 * The server's loop: answers every quote while the phase word says RUN (spinning), naps through
 * `nap()` while it says IDLE, returns on STOP. With `sleepy`, waits on the doorbell word BELL
 * (as the isolate's sleeping side does, `frames.ts`) instead of spinning when no frame is waiting.
 */
export function serve(l: Link, nap: () => void, sleepy: boolean): void {
  const w = l.words;
  for (let idle = 0; ; ) {
    const len = l.in.peek();
    if (len >= 0) {
      answerQuote(l, len);
      if (sleepy) ringBell(w, BACK_BELL);
      idle = 0;
      continue;
    }
    if (len === PEEK_CORRUPT) throw new Error("BENCH_RING_CORRUPT: ring=out");
    if (sleepy) {
      const ph = Atomics.load(w, l.phase);
      if (ph === Phase.STOP) return;
      if (ph !== Phase.INNER) sleepOnBell(l, BELL, 2);
      continue;
    }
    if ((++idle & 1023) !== 0) continue;
    const ph = Atomics.load(w, l.phase);
    if (ph === Phase.STOP) return;
    if (ph === Phase.IDLE) nap();
  }
}

/** Sleeps on doorbell word `bell` until a frame waits on `l` (committed with `ringBell`) or `ms` pass (the protocol of `FramePort.sleep`). */
export function sleepOnBell(l: Link, bell: number, ms: number): void {
  const w = l.words;
  Atomics.store(w, bell + 1, 1);
  const seen = Atomics.load(w, bell);
  if (l.in.peek() === PEEK_EMPTY) Atomics.wait(w, bell, seen, ms);
  Atomics.store(w, bell + 1, 0);
}

/** Wakes a side asleep on doorbell word `bell` (default BELL), if it said it sleeps (the protocol of `FramePort.commit`). */
export function ringBell(words: Int32Array, bell: number = BELL): void {
  if (Atomics.load(words, bell + 1) === 0) return;
  Atomics.add(words, bell, 1);
  Atomics.notify(words, bell);
}

/**
 * The relay of a trusted host between the segment (`seg`, the runtime on the other side) and a
 * Worker (`inner`, its rings in a SharedArrayBuffer): each frame is copied to the other ring as it
 * is, the Worker's doorbell rung; the segment's phase word is mirrored into the inner buffer's.
 * With `handoff`, the host sleeps on BACK_BELL once it has handed a frame over, until the Worker's
 * answer is there, so a Worker that shares the host's core gets it at once (else it waits for the
 * spinning host's time slice to end).
 */
export function relay(seg: Link, inner: Link, nap: () => void, handoff: boolean, timeInner: () => void): void {
  let phase: number = Phase.IDLE;
  for (let idle = 0; ; ) {
    let moved = copyFrame(seg, inner);
    if (moved) {
      ringBell(inner.words);
      if (handoff) sleepOnBell(inner, BACK_BELL, 2);
    }
    moved = copyFrame(inner, seg) || moved;
    if (moved) {
      idle = 0;
      continue;
    }
    if ((++idle & 1023) !== 0) continue;
    const ph = Atomics.load(seg.words, seg.phase);
    if (ph !== phase) {
      phase = ph;
      Atomics.store(inner.words, inner.phase, ph);
      ringBell(inner.words);
    }
    if (ph === Phase.STOP) return;
    if (ph === Phase.IDLE) nap();
    if (ph === Phase.INNER) {
      timeInner();
      phase = Phase.IDLE;
      Atomics.store(inner.words, inner.phase, phase);
      Atomics.store(seg.words, seg.phase, phase);
    }
  }
}

/**
 * The client's side of `n` timed round trips (after `warm` untimed) over `l`: each quote sent,
 * the server's doorbell rung when `sleepy`, the answer awaited spinning and checked; `record`
 * gets each timed trip's ns by `clock` (ns). `state.seq` numbers the quotes. Returns the wrong answers.
 */
export function clientTrips(l: Link, sleepy: boolean, state: { seq: number }, n: number, warm: number, clock: () => number, record: (ns: number) => void): number {
  const stuckNs = 30e9;
  let bad = 0;
  for (let k = -warm; k < n; k++) {
    const seq = state.seq++;
    const t0 = clock();
    if (!sendQuote(l, seq, t0)) throw new Error("BENCH_RING_FULL: ring=out");
    if (sleepy) ringBell(l.words);
    let a = takeAnswer(l);
    for (let spins = 0; Number.isNaN(a); a = takeAnswer(l)) {
      if ((++spins & 0xfffff) === 0 && clock() - t0 > stuckNs) throw new Error(`BENCH_STUCK: quote=${seq} no answer after ${stuckNs / 1e9}s`);
    }
    const t1 = clock();
    if (a !== expectedAnswer(seq)) bad++;
    if (k >= 0) record(t1 - t0);
  }
  return bad;
}

/** Moves one frame from `from`'s ring in to `to`'s ring out; false when none was waiting. */
function copyFrame(from: Link, to: Link): boolean {
  const len = from.in.peek();
  if (len === PEEK_EMPTY) return false;
  if (len === PEEK_CORRUPT) throw new Error("BENCH_RING_CORRUPT: ring=relay");
  const at = to.out.tryClaim(len);
  if (at < 0) throw new Error("BENCH_RING_FULL: ring=relay");
  const src = from.in.payloadOffset();
  const a = from.bytes;
  const b = to.bytes;
  for (let k = 0; k < len; k++) b[at + k] = a[src + k]!;
  from.in.release();
  to.out.commit(len);
  return true;
}
