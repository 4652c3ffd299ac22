/**
 * The runtime's side of a bridge. It creates the segment, writes requests and reads responses
 * without ever waiting on the sidecar: a full ring, an absent, dead or mismatched sidecar and a
 * corrupt frame are returned as error values, and each new condition raises one alert. `callSync`
 * spins only until the request's deadline; `call` polls from the event loop.
 */
import { unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { BINARY_HEADER, BINARY_KIND_NAMES, BINARY_MARK, emptyHeader, FRAME_OK, FRAME_NOT_BINARY, type FrameReply, readFrameHeader, unknownFrameContext, writeFrameHeader } from "./binary-frame.ts";
import { epochMicros, FrameCodec, Status, type ShmResponse } from "./codec.ts";
import { bridgeError, type BridgeError, type BridgeErrorCode } from "./errors.ts";
import { Offset, PROTOCOL_VERSION, ServerState } from "./layout.ts";
import { CLAIM_FULL, CLAIM_TOO_LARGE, PEEK_CORRUPT, PEEK_EMPTY, RingReader, RingWriter } from "./ring.ts";
import { Segment } from "./segment.ts";
import { removeAtExit } from "./exit-cleanup.ts";
import { removeStaleSegments } from "./stale.ts";

/** Folders already swept of stale segments by this process. */
const swept = new Set<string>();

/** How long a waiting call polls on every event-loop turn before falling back to timers, ms. */
const EAGER_POLL_MS = 5;

/** Options of a bridge client. */
export interface ShmClientOptions {
  /** Segment file, normally under /dev/shm. */
  readonly path: string;
  /** Bytes per ring, a power of two (default 64 KiB). */
  readonly capacity?: number;
  /** Heartbeat period both sides promise, in ms (default 5). */
  readonly heartbeatMs?: number;
  /** Silence after which the sidecar counts as dead, in ms (default 20 heartbeats). */
  readonly deadAfterMs?: number;
  /** Deadline clock in epoch microseconds (default: the wall clock). */
  readonly nowUs?: () => number;
  /** Called once each time the bridge enters a failure state, and for each corrupt frame. */
  readonly onAlert?: (e: BridgeError) => void;
}

/** The runtime's side of a sidecar bridge. */
export class ShmClient {
  readonly segment: Segment;
  private readonly writer: RingWriter;
  private readonly reader: RingReader;
  private readonly codec = new FrameCodec();
  private readonly dv: DataView;
  private readonly head = emptyHeader();
  private readonly nowUs: () => number;
  private readonly deadAfterMs: number;
  private readonly onAlert: (e: BridgeError) => void;
  private readonly pending = new Map<number, number>();
  private readonly waiters = new Map<number, (r: ShmResponse | BridgeError) => void>();
  private nextId = 1;
  private lastBeat = -1;
  private lastBeatChangeMs = 0;
  private lastEpoch = 0;
  private corrupt: BridgeError | null = null;
  private alerted: BridgeErrorCode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private pollImmediate: ReturnType<typeof setImmediate> | null = null;
  /** When the current wait for answers began (performance.now(), 0 when none). */
  private pollSince = 0;
  /** Frames skipped because their payload did not decode. */
  corruptFrames = 0;
  /** Responses that arrived after their request's deadline or for an unknown id. */
  lateResponses = 0;

  private constructor(segment: Segment, opts: ShmClientOptions) {
    this.segment = segment;
    this.writer = new RingWriter(segment.words, segment.requests);
    this.reader = new RingReader(segment.words, segment.responses);
    this.dv = new DataView(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
    this.nowUs = opts.nowUs ?? epochMicros;
    this.deadAfterMs = opts.deadAfterMs ?? 20 * segment.heartbeatMs();
    this.onAlert = opts.onAlert ?? (() => {});
    const beatMs = segment.heartbeatMs();
    this.timer = setInterval(() => segment.bump(Offset.CLIENT_HEARTBEAT), beatMs);
    this.timer.unref();
  }

  /** Creates the segment file and returns a client, or an error value for a bad config or I/O. */
  static create(opts: ShmClientOptions): ShmClient | BridgeError {
    // The first segment this process makes in a folder clears what dead processes left there.
    const dir = dirname(opts.path);
    if (!swept.has(dir)) {
      swept.add(dir);
      removeStaleSegments(dir);
    }
    const seg = Segment.create(opts.path, opts.capacity ?? 1 << 16, opts.heartbeatMs ?? 5);
    if ("code" in seg) return seg;
    const client = new ShmClient(seg, opts);
    client.forgetAtExit = removeAtExit(opts.path);
    return client;
  }

  /** Unregisters the segment from the process-exit cleanup (set by `create`). */
  private forgetAtExit: () => void = () => {};

  /** Returns null when the sidecar is attached, alive and speaks our version, else why not. */
  health(): BridgeError | null {
    if (this.corrupt) return this.corrupt;
    const seg = this.segment;
    seg.bump(Offset.CLIENT_HEARTBEAT);
    const state = seg.serverState();
    if (state === ServerState.VERSION_MISMATCH) {
      return this.fail("SHM_VERSION_MISMATCH", `client=${PROTOCOL_VERSION} server=${seg.load(Offset.SERVER_VERSION)}`);
    }
    if (state !== ServerState.READY) return this.fail("SHM_PEER_ABSENT", `path=${seg.path} state=${state}`);
    const beat = seg.load(Offset.SERVER_HEARTBEAT);
    const nowMs = performance.now();
    const epoch = seg.load(Offset.SERVER_EPOCH);
    if (beat !== this.lastBeat || epoch !== this.lastEpoch) {
      this.lastBeat = beat;
      this.lastEpoch = epoch;
      this.lastBeatChangeMs = nowMs;
    } else if (nowMs - this.lastBeatChangeMs > this.deadAfterMs) {
      return this.fail("SHM_PEER_DEAD", `path=${seg.path} pid=${seg.load(Offset.SERVER_PID)} silent_ms=${Math.round(nowMs - this.lastBeatChangeMs)}`);
    }
    this.alerted = null;
    return null;
  }

  /** The sidecar's attach count; it changes when the sidecar restarts. */
  epoch(): number {
    return this.segment.load(Offset.SERVER_EPOCH);
  }

  /** Writes a request and returns its id, or an error value; never waits. */
  send(method: string, body: unknown, timeoutUs: number): number | BridgeError {
    const h = this.health();
    if (h) return h;
    const id = this.takeId();
    const deadline = this.nowUs() + timeoutUs;
    const bytes = this.codec.encodeRequest(id, deadline, method, body);
    const at = this.writer.tryClaim(bytes.length);
    if (at === CLAIM_FULL) return this.fail("SHM_RING_FULL", `ring=requests capacity=${this.segment.capacity} need=${bytes.length}`);
    if (at === CLAIM_TOO_LARGE) return bridgeError("SHM_FRAME_TOO_LARGE", `bytes=${bytes.length} max=${this.segment.maxFrame}`);
    this.segment.bytes.set(bytes, at);
    this.writer.commit(bytes.length);
    this.pending.set(id, deadline);
    return id;
  }

  /**
   * Writes a hot message as a fixed-layout binary frame (binary-frame.ts): the header, then `body`
   * as the kind's body, followed by `tail` when given (a body in two parts, e.g. a small head and a
   * view of the caller's data, is copied straight into the ring with no frame built first).
   * Returns its id, or an error value; never waits.
   */
  sendFrame(kind: number, body: Uint8Array, timeoutUs: number, tail?: Uint8Array): number | BridgeError {
    const h = this.health();
    if (h) return h;
    const len = BINARY_HEADER + body.length + (tail === undefined ? 0 : tail.length);
    const at = this.writer.tryClaim(len);
    if (at === CLAIM_FULL) return this.fail("SHM_RING_FULL", `ring=requests capacity=${this.segment.capacity} need=${len}`);
    if (at === CLAIM_TOO_LARGE) return bridgeError("SHM_FRAME_TOO_LARGE", `bytes=${len} max=${this.segment.maxFrame} kind=${BINARY_KIND_NAMES[kind] ?? kind}`);
    const id = this.takeId();
    const deadline = this.nowUs() + timeoutUs;
    writeFrameHeader(this.dv, at, kind, 0, id, deadline);
    this.segment.bytes.set(body, at + BINARY_HEADER);
    if (tail !== undefined) this.segment.bytes.set(tail, at + BINARY_HEADER + body.length);
    this.writer.commit(len);
    this.pending.set(id, deadline);
    return id;
  }

  /** Reads the next response to a pending request, or null when none is waiting. Never waits. */
  poll(): ShmResponse | null {
    if (this.corrupt) return null;
    for (;;) {
      const len = this.reader.peek();
      if (len === PEEK_EMPTY) return null;
      if (len === PEEK_CORRUPT) {
        this.corrupt = bridgeError("SHM_RING_CORRUPT", `ring=responses path=${this.segment.path}`);
        this.onAlert(this.corrupt);
        this.failAllWaiters(this.corrupt);
        return null;
      }
      const off = this.reader.payloadOffset();
      const bytes = this.segment.bytes;
      const resp = bytes[off] === BINARY_MARK ? this.readFrame(off, len) : this.codec.decodeResponse(bytes.subarray(off, off + len));
      this.reader.release();
      if (!resp) {
        this.corruptFrames++;
        this.onAlert(bridgeError("SHM_FRAME_CORRUPT", `ring=responses bytes=${len}`));
        continue;
      }
      if (!this.pending.delete(resp.id)) {
        this.lateResponses++;
        continue;
      }
      return resp;
    }
  }

  /** Forgets requests whose deadline has passed and returns how many were dropped. */
  expire(): number {
    const now = this.nowUs();
    let n = 0;
    for (const [id, deadline] of this.pending) {
      if (deadline <= now) {
        this.pending.delete(id);
        const w = this.waiters.get(id);
        if (w) {
          this.waiters.delete(id);
          w(bridgeError("SHM_DEADLINE", `id=${id} deadline_us=${deadline}`));
        }
        n++;
      }
    }
    return n;
  }

  /** Sends a request and spins until its response or its deadline; the wait is bounded by `timeoutUs`. */
  callSync(method: string, body: unknown, timeoutUs: number): ShmResponse | BridgeError {
    const id = this.send(method, body, timeoutUs);
    if (typeof id !== "number") return id;
    return this.waitSync(id, method, timeoutUs);
  }

  /** Sends a binary frame (see `sendFrame`) and spins until its response or its deadline; a reply's body is a `FrameReply`. */
  callFrameSync(kind: number, body: Uint8Array, timeoutUs: number, tail?: Uint8Array): ShmResponse | BridgeError {
    const id = this.sendFrame(kind, body, timeoutUs, tail);
    if (typeof id !== "number") return id;
    return this.waitSync(id, BINARY_KIND_NAMES[kind] ?? String(kind), timeoutUs);
  }

  /** Sends a binary frame and resolves with its response (body: a `FrameReply`) or an error value at the deadline; never rejects. */
  callFrame(kind: number, body: Uint8Array, timeoutUs: number, tail?: Uint8Array): Promise<ShmResponse | BridgeError> {
    const id = this.sendFrame(kind, body, timeoutUs, tail);
    if (typeof id !== "number") return Promise.resolve(id);
    return this.waitAsync(id);
  }

  private waitSync(id: number, method: string, timeoutUs: number): ShmResponse | BridgeError {
    const deadline = this.pending.get(id)!;
    for (;;) {
      const r = this.poll();
      if (r) {
        if (r.id === id) return r;
        this.deliver(r);
        continue;
      }
      if (this.corrupt) return this.corrupt;
      if (this.nowUs() >= deadline) {
        this.pending.delete(id);
        const h = this.health();
        if (h) return h;
        return bridgeError("SHM_DEADLINE", `id=${id} method=${method} timeout_us=${timeoutUs}`);
      }
    }
  }

  /** Sends a request and resolves with its response or an error value at the deadline; never rejects. */
  call(method: string, body: unknown, timeoutUs: number): Promise<ShmResponse | BridgeError> {
    const id = this.send(method, body, timeoutUs);
    if (typeof id !== "number") return Promise.resolve(id);
    return this.waitAsync(id);
  }

  private waitAsync(id: number): Promise<ShmResponse | BridgeError> {
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.schedulePoll();
    });
  }

  /** Number of requests sent and not yet answered or expired. */
  inFlight(): number {
    return this.pending.size;
  }

  /** Stops the heartbeat timer and removes the segment file. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.pollImmediate) clearImmediate(this.pollImmediate);
    this.timer = null;
    this.pollTimer = null;
    this.pollImmediate = null;
    this.failAllWaiters(bridgeError("SHM_PEER_ABSENT", `path=${this.segment.path} closed=1`));
    try {
      unlinkSync(this.segment.path);
    } catch {
      // Already gone.
    }
    this.forgetAtExit();
  }

  /** Ids are u32 on the wire (binary frames): wrap before 2^32, skipping 0. */
  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  /**
   * Reads a binary response in place: a reply with a copy of its body, an ERROR response naming a
   * frame of an unknown version or kind (alerted, one line: SHM_FRAME_UNKNOWN), or null when corrupt.
   */
  private readFrame(off: number, len: number): ShmResponse | null {
    const h = this.head;
    const why = readFrameHeader(this.dv, off, len, h);
    if (why === FRAME_NOT_BINARY) return null;
    if (why !== FRAME_OK) {
      const e = bridgeError("SHM_FRAME_UNKNOWN", unknownFrameContext("responses", h, why));
      this.corruptFrames++;
      this.onAlert(e);
      return { id: h.id, status: Status.ERROR, body: `${e.code}: ${e.context}` };
    }
    const reply: FrameReply = { frame: true, kind: h.kind, elapsedNs: h.word, body: this.segment.bytes.slice(off + BINARY_HEADER, off + len) };
    return { id: h.id, status: h.status, body: reply };
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.pollImmediate) return;
    if (this.waiters.size > 0 && this.pollSince === 0) this.pollSince = performance.now();
    const run = () => {
      this.pollTimer = null;
      this.pollImmediate = null;
      let delivered = false;
      for (let r = this.poll(); r; r = this.poll()) {
        this.deliver(r);
        delivered = true;
      }
      this.expire();
      if (this.corrupt) this.failAllWaiters(this.corrupt);
      // An answer starts a new wait for the calls still out: poll eagerly again.
      this.pollSince = this.waiters.size > 0 ? (delivered ? performance.now() : this.pollSince) : 0;
      if (this.waiters.size > 0) this.schedulePoll();
    };
    // A timer rounds up to about a millisecond: for the first few milliseconds of a wait, poll on
    // every turn of the event loop instead (answers typically come back in tens of microseconds).
    if (performance.now() - this.pollSince < EAGER_POLL_MS) this.pollImmediate = setImmediate(run);
    else this.pollTimer = setTimeout(run, 0);
  }

  private deliver(r: ShmResponse): void {
    const w = this.waiters.get(r.id);
    if (w) {
      this.waiters.delete(r.id);
      w(r);
    }
  }

  private failAllWaiters(e: BridgeError): void {
    for (const [id, w] of this.waiters) {
      this.pending.delete(id);
      w(e);
    }
    this.waiters.clear();
  }

  private fail(code: BridgeErrorCode, context: string): BridgeError {
    const e = bridgeError(code, context);
    if (this.alerted !== code) {
      this.alerted = code;
      this.onAlert(e);
    }
    return e;
  }
}
