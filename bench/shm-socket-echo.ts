/**
 * Socket echo server for the shm benchmark: the same length-prefixed msgpack frames as the shm
 * bridge, over a Unix domain socket and TCP loopback. Prints `ready <tcp-port>` when listening.
 * Usage: `bun bench/shm-socket-echo.ts <unix-socket-path>`.
 */
import type { Socket } from "bun";
import { FrameCodec, Status } from "../gpu-bridge/shm/codec.ts";

const unixPath = process.argv[2]!;
const codec = new FrameCodec();

interface Conn {
  buf: Uint8Array;
  len: number;
}

function onData(sock: Socket<Conn>, chunk: Uint8Array): void {
  const c = sock.data;
  if (c.len + chunk.length > c.buf.length) {
    const next = new Uint8Array(Math.max(c.buf.length * 2, c.len + chunk.length));
    next.set(c.buf.subarray(0, c.len));
    c.buf = next;
  }
  c.buf.set(chunk, c.len);
  c.len += chunk.length;
  let off = 0;
  const dv = new DataView(c.buf.buffer, c.buf.byteOffset);
  while (c.len - off >= 4) {
    const n = dv.getUint32(off, true);
    if (c.len - off - 4 < n) break;
    const req = codec.decodeRequest(c.buf.subarray(off + 4, off + 4 + n));
    off += 4 + n;
    if (!req || req.method === "sink") continue;
    const body = codec.encodeResponse(req.id, Status.OK, req.body);
    const out = new Uint8Array(4 + body.length);
    new DataView(out.buffer).setUint32(0, body.length, true);
    out.set(body, 4);
    sock.write(out);
  }
  c.buf.copyWithin(0, off, c.len);
  c.len -= off;
}

const handlers = {
  open(sock: Socket<Conn>) {
    sock.data = { buf: new Uint8Array(1 << 16), len: 0 };
    sock.setNoDelay?.(true);
  },
  data: onData,
};
Bun.listen<Conn>({ unix: unixPath, socket: handlers });
const tcp = Bun.listen<Conn>({ hostname: "127.0.0.1", port: 0, socket: handlers });
console.log(`ready ${tcp.port}`);
