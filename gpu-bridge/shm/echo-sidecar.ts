/**
 * A TypeScript sidecar that echoes requests, used by the bridge tests and the shm benchmark.
 * Usage: `bun gpu-bridge/shm/echo-sidecar.ts <segment-path> [--spin] [--version N] [--raw]`.
 * With `--raw` it copies each request frame's bytes back as the response without decoding them
 * (the transport floor, for the benchmark).
 * Methods: `echo` (returns the body), `sink` (one-way: no response), `stall` (stops its heartbeat and loop for `body` ms),
 * `garbage` (answers with an undecodable frame, then echoes), `poison` (publishes an impossible
 * length word) and `exit`.
 */
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

const args = process.argv.slice(2);
const path = args[0];
if (!path) {
  console.error("usage: echo-sidecar.ts <segment-path> [--spin] [--version N]");
  process.exit(2);
}
const vAt = args.indexOf("--version");
const version = vAt >= 0 ? Number(args[vAt + 1]) : undefined;
const server = ShmServer.attach(path, version);
if ("code" in server) {
  console.error(formatBridgeError(server));
  process.exit(3);
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
  { spin: args.includes("--spin") },
);
