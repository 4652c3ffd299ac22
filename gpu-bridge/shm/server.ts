/**
 * The sidecar's side of a bridge, for sidecars written in TypeScript (tests, benchmarks, the
 * echo sidecar). It attaches to the segment the runtime created, announces itself (version, pid,
 * epoch, READY), serves requests in order and keeps its heartbeat moving; it stops when the
 * runtime's heartbeat goes silent. Sidecars in other languages follow PROTOCOL.md instead.
 */
import { epochMicros, FrameCodec, Status, type ShmRequest } from "./codec.ts";
import { bridgeError, type BridgeError } from "./errors.ts";
import { Offset, PROTOCOL_VERSION, ServerState, STALE_GRACE_US } from "./layout.ts";
import { CLAIM_FULL, CLAIM_TOO_LARGE, PEEK_CORRUPT, PEEK_EMPTY, RingReader, RingWriter } from "./ring.ts";
import { Segment } from "./segment.ts";

/** What a handler returns: a status (see `Status`) and a body. */
export interface HandlerResult {
  readonly status: number;
  readonly body: unknown;
}

/** Options of the serve loop. */
export interface ServeOptions {
  /** Spin without sleeping when idle (lowest latency, burns a core). Default false. */
  readonly spin?: boolean;
  /** Silence of the runtime's heartbeat after which the sidecar exits its loop, in ms (default 2000). */
  readonly clientDeadAfterMs?: number;
}

/** The sidecar's side of a bridge. */
export class ShmServer {
  readonly writer: RingWriter;
  private readonly reader: RingReader;
  private readonly codec = new FrameCodec();
  private stopped = false;
  /** Requests dropped because their deadline had passed on arrival. */
  expired = 0;
  /** Request frames that did not decode. */
  corruptFrames = 0;

  private constructor(readonly segment: Segment) {
    this.writer = new RingWriter(segment.words, segment.responses);
    this.reader = new RingReader(segment.words, segment.requests);
  }

  /**
   * Attaches to a segment. When the segment's version differs from `version`, it writes
   * VERSION_MISMATCH and its version into the header and returns the error value.
   */
  static attach(path: string, version: number = PROTOCOL_VERSION): ShmServer | BridgeError {
    const seg = Segment.attach(path);
    if ("code" in seg) return seg;
    seg.store(Offset.SERVER_VERSION, version);
    seg.store(Offset.SERVER_PID, process.pid);
    if (seg.version() !== version) {
      seg.store(Offset.SERVER_STATE, ServerState.VERSION_MISMATCH);
      return bridgeError("SHM_VERSION_MISMATCH", `client=${seg.version()} server=${version}`);
    }
    seg.bump(Offset.SERVER_EPOCH);
    seg.bump(Offset.SERVER_HEARTBEAT);
    seg.store(Offset.SERVER_STATE, ServerState.READY);
    return new ShmServer(seg);
  }

  /** Returns the next live request, or null when none is waiting; stale (deadline + grace) and corrupt ones are dropped. */
  nextRequest(): ShmRequest | null | BridgeError {
    for (;;) {
      const len = this.reader.peek();
      if (len === PEEK_EMPTY) return null;
      if (len === PEEK_CORRUPT) return bridgeError("SHM_RING_CORRUPT", `ring=requests path=${this.segment.path}`);
      const off = this.reader.payloadOffset();
      const req = this.codec.decodeRequest(this.segment.bytes.subarray(off, off + len));
      this.reader.release();
      if (!req) {
        this.corruptFrames++;
        continue;
      }
      if (req.deadlineUs + STALE_GRACE_US <= epochMicros()) {
        this.expired++;
        continue;
      }
      return req;
    }
  }

  /** Writes a response; returns null or an error value (full ring, frame too large). Never waits. */
  respond(id: number, status: number, body: unknown): BridgeError | null {
    const bytes = this.codec.encodeResponse(id, status, body);
    const at = this.writer.tryClaim(bytes.length);
    if (at === CLAIM_FULL) return bridgeError("SHM_RING_FULL", `ring=responses need=${bytes.length}`);
    if (at === CLAIM_TOO_LARGE) return bridgeError("SHM_FRAME_TOO_LARGE", `bytes=${bytes.length} max=${this.segment.maxFrame}`);
    this.segment.bytes.set(bytes, at);
    this.writer.commit(bytes.length);
    return null;
  }

  /** Bumps this side's heartbeat. */
  beat(): void {
    this.segment.bump(Offset.SERVER_HEARTBEAT);
  }

  /** Asks the serve loop to return after the current request. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Serves requests until `stop()` or until the runtime's heartbeat is silent, then marks the
   * segment STOPPED. A handler that returns null sends no response (one-way messages). Bounded by the caller's process: it is the sidecar's main loop.
   */
  serve(handle: (req: ShmRequest) => HandlerResult | null, opts: ServeOptions = {}): void {
    const seg = this.segment;
    const beatMs = seg.heartbeatMs();
    const clientDeadAfterMs = opts.clientDeadAfterMs ?? 2000;
    let lastBeatAt = performance.now();
    let clientBeat = seg.load(Offset.CLIENT_HEARTBEAT);
    let clientBeatAt = lastBeatAt;
    let idleSince = lastBeatAt;
    while (!this.stopped) {
      const req = this.nextRequest();
      if (req && "code" in req) break;
      if (req) {
        let res: HandlerResult | null;
        try {
          res = handle(req);
        } catch (e) {
          res = { status: Status.ERROR, body: String((e as Error).message) };
        }
        while (res && this.respond(req.id, res.status, res.body)?.code === "SHM_RING_FULL") {
          if (epochMicros() > req.deadlineUs + STALE_GRACE_US) break;
        }
      }
      const now = performance.now();
      if (req) idleSince = now;
      if (now - lastBeatAt >= beatMs / 2) {
        this.beat();
        lastBeatAt = now;
        const cb = seg.load(Offset.CLIENT_HEARTBEAT);
        if (cb !== clientBeat) {
          clientBeat = cb;
          clientBeatAt = now;
        } else if (now - clientBeatAt > clientDeadAfterMs) {
          break;
        }
      }
      if (!req && !opts.spin && now - idleSince > 1) Bun.sleepSync(Math.min(0.2, beatMs / 4));
    }
    seg.store(Offset.SERVER_STATE, ServerState.STOPPED);
  }
}
