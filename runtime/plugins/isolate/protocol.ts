/**
 * The wire between the runtime and an isolated plugin: one SharedArrayBuffer holding two
 * single-producer/single-consumer rings of length-prefixed frames (the same `RingWriter` and
 * `RingReader` as the sidecar bridges), one towards the isolate and one back, plus two doorbell
 * words, and the context mirror (`mirror-layout.ts`) the runtime writes for the isolate's reads.
 * Quotes, trades, the submit and its answer, and the queued context writes travel as fixed-layout
 * binary; the rare and control frames as msgpack.
 *
 * ```
 * byte 0    ┌──────────── control (one cache line per word) ───────────┐
 *   0       │ to-isolate tail │ 64 to-isolate head │ 128 back tail │ 192 back head │
 *   256     │ to-isolate doorbell, 260 isolate asleep │ 320 back doorbell, 324 runtime asleep │ 384 isolate heap, KiB │
 * byte 512  ├──────────── to-isolate ring (RING_BYTES) ───────────────────┤
 *           ├──────────── back ring (RING_BYTES) ─────────────────────────┤
 * MIRROR_AT ├──────────── context mirror (MIRROR_BYTES) ──────────────────┤
 *           └─────────────────────────────────────────────────────────────┘
 * frame payload: an 8-byte header, the kind's body, then (DONE, THREW, CALL, SUBMIT) a tail
 *   header  u8 kind, u8 version (FRAME_VERSION), u16 0, u32 body bytes; a side refuses a version
 *           or kind it does not know, in one line (`frameProblem`)
 *   QUOTE   i32 instrument, f64 now, f64 ts, f64 bid, f64 ask, f64 bidSize, f64 askSize     (52 bytes)
 *   TRADE   i32 instrument, f64 now, f64 ts, f64 price, f64 size, f64 side                  (44 bytes)
 *   SUBMIT  the intent in place (`submit-frame.ts`), 56 bytes, + a new tag's UTF-16 units
 *   ANSWER  f64 the submit's answer (the order id, 0 when the trading state refused it)     (8 bytes)
 *   FAILED  the error's message, UTF-16 units (a submit that threw: capability, bad intent)
 *   others  msgpack body (CREATE, HOOK, RESULT, READY, DONE, CALL, THREW, LOAD_FAILED)
 *   tail    the context writes queued in the isolate, in order, binary records
 *           (`write-queue.ts`: cancel, cancelAll, cancelAlgo, setTimer; msgpack for the rest)
 * ```
 */
import type { RingPlacement } from "../../../gpu-bridge/shm/ring.ts";
import { maxFrameFor } from "../../../gpu-bridge/shm/layout.ts";
import { MIRROR_BYTES } from "./mirror-layout.ts";

/** Bytes of each ring. */
export const RING_BYTES = 1 << 16;
const CONTROL_BYTES = 512;

/** Byte offsets of the doorbell words (each on its own cache line; the word after each: its reader sleeps on it, so a commit must notify). */
export const DOORBELL_TO_ISOLATE = 256;
export const DOORBELL_BACK = 320;

/** Byte offset of the word where the isolate publishes its heap size, KiB (its own JS heap, not the process's). */
export const HEAP_KIB = 384;

/** Byte offset of the context mirror (a multiple of 8). */
export const MIRROR_AT = CONTROL_BYTES + 2 * RING_BYTES;

/** Total bytes of the shared buffer. */
export const BUFFER_BYTES = MIRROR_AT + MIRROR_BYTES;

/** Where the ring towards the isolate lives. */
export const TO_ISOLATE: RingPlacement = { dataOffset: CONTROL_BYTES, capacity: RING_BYTES, tailOffset: 0, headOffset: 64, maxFrame: maxFrameFor(RING_BYTES) };
/** Where the ring back to the runtime lives. */
export const BACK: RingPlacement = { dataOffset: CONTROL_BYTES + RING_BYTES, capacity: RING_BYTES, tailOffset: 128, headOffset: 192, maxFrame: maxFrameFor(RING_BYTES) };

/** Frame kinds. */
export const Kind = {
  // runtime → isolate
  CREATE: 1,
  QUOTE: 2,
  TRADE: 3,
  HOOK: 4,
  RESULT: 5,
  ANSWER: 6,
  FAILED: 7,
  // isolate → runtime
  READY: 10,
  DONE: 11,
  CALL: 12,
  THREW: 13,
  LOAD_FAILED: 14,
  SUBMIT: 15,
} as const;

/** Names of the kinds this side knows, by number. */
const KIND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Kind).map(([k, v]) => [v, k]));

/** The frame layout version this side writes and reads (byte 1 of every frame). */
export const FRAME_VERSION = 1;

/** Bytes of every frame's header (kind, version, body bytes). */
export const FRAME_HEADER = 8;

/**
 * Null when this side can read a frame of `kind` and `version`, else the one line that refuses it
 * (`dir`: which ring, `len`: the frame's bytes).
 */
export function frameProblem(dir: string, kind: number, version: number, len: number): string | null {
  if (version === FRAME_VERSION && KIND_NAMES[kind] !== undefined) return null;
  return `ISOLATE_FRAME_UNKNOWN: ring=${dir} unknown=${version !== FRAME_VERSION ? "version" : "kind"} frame_version=${version} speaks=${FRAME_VERSION} kind=${kind} bytes=${len}`;
}

/** Bytes of a QUOTE and a TRADE frame's body. */
export const QUOTE_BODY = 52;
export const TRADE_BODY = 44;

/** What the runtime sends a new isolate in its first message (structured clone, once). */
export interface IsolateBoot {
  readonly module: string;
  readonly buffer: SharedArrayBuffer;
  /** Spin on the ring instead of sleeping between events (lower latency, a core busy). */
  readonly spin: boolean;
  /** Capabilities the deployment grants; what the plugin may reach beyond the context. */
  readonly grants: readonly string[];
  /** Queue the writes that return nothing (with the mirror); false: every context call is a round trip. */
  readonly mirror: boolean;
  /** The submit, its answer and the queued writes as fixed-layout binary; false: as msgpack (the protocol before). */
  readonly binary: boolean;
}
