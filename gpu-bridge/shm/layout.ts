/**
 * Byte layout of a sidecar bridge segment: one file in /dev/shm holding a header and two
 * single-producer/single-consumer rings of length-prefixed msgpack frames. This descriptor is the
 * single source of the offsets; `gpu-bridge/PROTOCOL.md` explains them for implementers in other
 * languages. All words are little-endian 32-bit; every word that one side writes and the other
 * reads sits on its own 64-byte cache line.
 *
 * ```
 *  offset  size  line  writer  field
 *  ------  ----  ----  ------  -----------------------------------------------------------
 *       0     4     0  client  MAGIC            0x4B455354 ("KEST" read as a LE u32)
 *       4     4     0  client  VERSION          protocol version (1)
 *       8     4     0  client  RING_CAPACITY    bytes per ring, a power of two
 *      12     4     0  client  HEADER_BYTES     512: where the request ring's data starts
 *      16     4     0  client  MAX_FRAME        largest payload in bytes
 *      20     4     0  client  HEARTBEAT_MS     period at which each side bumps its heartbeat
 *      24     4     0  client  CLIENT_PID
 *      64     4     1  client  CLIENT_HEARTBEAT counter, +1 at least every HEARTBEAT_MS
 *     128     4     2  server  SERVER_HEARTBEAT counter, +1 at least every HEARTBEAT_MS
 *     192     4     3  server  SERVER_STATE     0 absent, 1 ready, 2 stopped, 3 version mismatch
 *     196     4     3  server  SERVER_VERSION   protocol version the sidecar speaks
 *     200     4     3  server  SERVER_PID
 *     204     4     3  server  SERVER_EPOCH     +1 on every attach (restart detection)
 *     256     4     4  client  REQ_TAIL         request ring producer position (bytes, mod 2^32)
 *     320     4     5  server  REQ_HEAD         request ring consumer position
 *     384     4     6  server  RESP_TAIL        response ring producer position
 *     448     4     7  client  RESP_HEAD        response ring consumer position
 *     512   cap        client  request ring data
 *  512+cap  cap        server  response ring data
 *
 *  frame (8-byte aligned inside a ring):
 *  +-----------------+-------------------------------+---------+
 *  | u32 length (LE) | msgpack payload (length bytes)| pad to 8|
 *  +-----------------+-------------------------------+---------+
 *  length 0xFFFFFFFF = wrap marker: skip to the ring's start.
 * ```
 */

/** Magic number at offset 0 ("KEST" as little-endian bytes). */
export const MAGIC = 0x5453454b;
/** Protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;
/** Bytes of the header before the request ring. */
export const HEADER_BYTES = 512;
/** Cache line size the layout pads to. */
export const CACHE_LINE = 64;
/** Frame alignment inside a ring, in bytes. */
export const FRAME_ALIGN = 8;
/** Bytes of the length prefix of a frame. */
export const LENGTH_BYTES = 4;
/** Length value that marks a wrap to the ring's start. */
export const WRAP_MARKER = -1; // 0xFFFFFFFF read as int32

/** Byte offsets of header fields. */
export const Offset = {
  MAGIC: 0,
  VERSION: 4,
  RING_CAPACITY: 8,
  HEADER_BYTES: 12,
  MAX_FRAME: 16,
  HEARTBEAT_MS: 20,
  CLIENT_PID: 24,
  CLIENT_HEARTBEAT: 64,
  SERVER_HEARTBEAT: 128,
  SERVER_STATE: 192,
  SERVER_VERSION: 196,
  SERVER_PID: 200,
  SERVER_EPOCH: 204,
  REQ_TAIL: 256,
  REQ_HEAD: 320,
  RESP_TAIL: 384,
  RESP_HEAD: 448,
} as const;

/**
 * Grace a sidecar adds to a request's deadline before dropping it as stale, in microseconds. The
 * client enforces the exact deadline on its own clock; processes' wall clocks differ by up to
 * milliseconds (Bun has no microsecond wall clock, and clocks slew), so a sidecar only drops work
 * that is clearly dead (a backlog after a stall or a restart).
 */
export const STALE_GRACE_US = 100_000;

/** Values of the SERVER_STATE word. */
export const ServerState = { ABSENT: 0, READY: 1, STOPPED: 2, VERSION_MISMATCH: 3 } as const;

/** Smallest and largest ring capacity accepted, in bytes. */
export const MIN_CAPACITY = 1 << 10;
export const MAX_CAPACITY = 1 << 28;

/** Returns the segment's total size for a ring capacity. */
export function segmentBytes(capacity: number): number {
  return HEADER_BYTES + 2 * capacity;
}

/** Returns the byte offset of the request ring's data. */
export function requestRingOffset(): number {
  return HEADER_BYTES;
}

/** Returns the byte offset of the response ring's data. */
export function responseRingOffset(capacity: number): number {
  return HEADER_BYTES + capacity;
}

/** Returns the largest payload a ring of this capacity carries (a quarter of it, minus the prefix). */
export function maxFrameFor(capacity: number): number {
  return (capacity >>> 2) - LENGTH_BYTES;
}

/** Returns the bytes a frame of `payload` bytes occupies in a ring, prefix and padding included. */
export function frameBytes(payload: number): number {
  return (payload + LENGTH_BYTES + FRAME_ALIGN - 1) & ~(FRAME_ALIGN - 1);
}

/** Returns true when `n` is a power of two. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
