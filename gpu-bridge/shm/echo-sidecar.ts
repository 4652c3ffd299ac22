/**
 * A TypeScript sidecar that echoes requests, used by the bridge tests and the shm benchmark.
 * Usage: `bun gpu-bridge/shm/echo-sidecar.ts <segment-path> [--spin] [--version N] [--raw] [--client-dead-ms N]`.
 * With `--raw` it copies each request frame's bytes back as the response without decoding them
 * (the transport floor, for the benchmark). With `--binary` it reads each fixed-layout binary frame
 * (binary-frame.ts) into typed arrays and answers with the same values (the hot-message path).
 * Methods: `echo` (returns the body), `sink` (one-way: no response), `stall` (stops its heartbeat and loop for `body` ms),
 * `garbage` (answers with an undecodable frame, then echoes), `poison` (publishes an impossible
 * length word) and `exit`.
 */
import { BINARY_MAX_VALUES, binaryFrameSize, emptyHeader, readBinaryFrame, writeBinaryResponse } from "./binary-frame.ts";
import { Status } from "./codec.ts";
import { formatBridgeError } from "./errors.ts";
import { FRAME_ALIGN } from "./layout.ts";
import { CLAIM_FULL, CLAIM_TOO_LARGE } from "./ring.ts";
import { PEEK_CORRUPT, PEEK_EMPTY, RingReader } from "./ring.ts";
import { ShmServer } from "./server.ts";

/** Echoes frames byte for byte, spinning, beating every 256 idle polls. */
function serveRaw(s: ShmServer): void {
  const seg = s.segment;
  const reader = new RingReader(seg.words, seg.requests);
  let idle = 0;
  for (;;) {
    const len = reader.peek();
    if (len === PEEK_CORRUPT) return;
    if (len === PEEK_EMPTY) {
      if ((++idle & 255) === 0) s.beat();
      continue;
    }
    const off = reader.payloadOffset();
    let at = s.writer.tryClaim(len);
    while (at === CLAIM_FULL) at = s.writer.tryClaim(len);
    seg.bytes.copyWithin(at, off, off + len);
    s.writer.commit(len);
    reader.release();
  }
}

/** Answers each binary request with its own values, decoded into and encoded from typed arrays; spins, beating every 256 idle polls. */
function serveBinary(s: ShmServer): void {
  const seg = s.segment;
  const reader = new RingReader(seg.words, seg.requests);
  const dv = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength);
  const head = emptyHeader();
  const values = new Float64Array(BINARY_MAX_VALUES);
  let idle = 0;
  for (;;) {
    const len = reader.peek();
    if (len === PEEK_CORRUPT) return;
    if (len === PEEK_EMPTY) {
      if ((++idle & 255) === 0) s.beat();
      continue;
    }
    const ok = readBinaryFrame(dv, reader.payloadOffset(), len, head, values);
    reader.release();
    if (!ok) {
      s.corruptFrames++;
      continue;
    }
    const count = head.bodyBytes / 8;
    const size = binaryFrameSize(count);
    let at = s.writer.tryClaim(size);
    while (at === CLAIM_FULL) at = s.writer.tryClaim(size);
    if (at === CLAIM_TOO_LARGE) continue;
    writeBinaryResponse(dv, at, Status.OK, head.kind, head.id, values, count);
    s.writer.commit(size);
  }
}

const args = process.argv.slice(2);
const path = args[0];
if (!path) {
  console.error("usage: echo-sidecar.ts <segment-path> [--spin] [--version N]");
  process.exit(2);
}
const vAt = args.indexOf("--version");
const version = vAt >= 0 ? Number(args[vAt + 1]) : undefined;
const deadAt = args.indexOf("--client-dead-ms");
const clientDeadAfterMs = deadAt >= 0 ? Number(args[deadAt + 1]) : undefined;
const server = ShmServer.attach(path, version);
if ("code" in server) {
  console.error(formatBridgeError(server));
  process.exit(3);
}

if (args.includes("--binary")) {
  serveBinary(server);
  process.exit(0);
}

if (args.includes("--raw")) {
  serveRaw(server);
  process.exit(0);
}

server.serve(
  (req) => {
    switch (req.method) {
      case "echo":
        return { status: Status.OK, body: req.body };
      case "sink":
        return null;
      case "stall":
        Bun.sleepSync(Number(req.body));
        return { status: Status.OK, body: "stalled" };
      case "garbage": {
        const at = server.writer.tryClaim(3);
        if (at !== CLAIM_FULL && at !== CLAIM_TOO_LARGE) {
          server.segment.bytes.set([0xc1, 0xc1, 0xc1], at); // 0xc1 is never used in msgpack
          server.writer.commit(3);
        }
        return { status: Status.OK, body: req.body };
      }
      case "poison":
        server.writer.publishRawLength(0x7ffffff0, FRAME_ALIGN);
        return { status: Status.OK, body: null };
      case "exit":
        process.exit(0);
      default:
        return { status: Status.UNKNOWN_METHOD, body: req.method };
    }
  },
  { spin: args.includes("--spin"), ...(clientDeadAfterMs === undefined ? {} : { clientDeadAfterMs }) },
);
