/**
 * The wire between the runtime and an isolated plugin: one SharedArrayBuffer holding two
 * single-producer/single-consumer rings of length-prefixed frames (the same `RingWriter` and
 * `RingReader` as the sidecar bridges), one towards the isolate and one back, plus two doorbell
 * words, and the context mirror (`mirror-layout.ts`) the runtime writes for the isolate's reads.
 * Quotes and trades travel as fixed-layout binary frames; everything else as msgpack.
 *
 * ```
 * byte 0    ┌──────────── control (one cache line per word) ───────────┐
 *   0       │ to-isolate tail │ 64 to-isolate head │ 128 back tail │ 192 back head │
 *   256     │ to-isolate doorbell │ 320 back doorbell │ 384 isolate heap, KiB │
 * byte 512  ├──────────── to-isolate ring (RING_BYTES) ───────────────────┤
 *           ├──────────── back ring (RING_BYTES) ─────────────────────────┤
 * MIRROR_AT ├──────────── context mirror (MIRROR_BYTES) ──────────────────┤
 *           └─────────────────────────────────────────────────────────────┘
 * frame payload: int32 kind, then the kind's body
 *   QUOTE  int32 instrument, f64 now, f64 ts, f64 bid, f64 ask, f64 bidSize, f64 askSize   (56 bytes)
 *   TRADE  int32 instrument, f64 now, f64 ts, f64 price, f64 size, f64 side                (48 bytes)
 *   others msgpack body; DONE, THREW and CALL may add a tail: the queued context writes,
 *          each a msgpack [method, args] after the body; a DONE with neither is the kind alone
 * ```
 */
import type { RingPlacement } from "../../../gpu-bridge/shm/ring.ts";
import { maxFrameFor } from "../../../gpu-bridge/shm/layout.ts";
import { MIRROR_BYTES } from "./mirror-layout.ts";

/** Bytes of each ring. */
export const RING_BYTES = 1 << 16;
const CONTROL_BYTES = 512;

/** Byte offsets of the doorbell words (each on its own cache line). */
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
  // isolate → runtime
  READY: 10,
  DONE: 11,
  CALL: 12,
  THREW: 13,
  LOAD_FAILED: 14,
} as const;

/** Bytes of a QUOTE and a TRADE frame. */
export const QUOTE_BYTES = 56;
export const TRADE_BYTES = 48;

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
}
