/**
 * Benchmark of the shared-memory sidecar bridge against a Unix domain socket and TCP loopback
 * carrying the same 64-byte length-prefixed msgpack frames to an echo process, in the same run:
 * round-trip latency p50/p99 and one-way throughput (frames/s). The ratio line compares the
 * full path (msgpack encode/decode on both sides, as the sockets do); a "raw" row shows the shm
 * transport alone (the frames' bytes echoed without decoding). The shm sidecar spins (as a
 * latency-critical sidecar would on its own core); the socket server is event-driven. Both are
 * warmed up (JIT) before measuring. On a 2-core machine the two spinning processes share the
 * cores with JIT and GC threads, so the tail is scheduler-bound (a 4 ms tick shows up past p99.9).
 * A "binary" row carries the same 64 bytes as a fixed-layout binary frame (the hot messages' format).
 * Each spinning sidecar is pinned to another core than this process with taskset when it can be.
 * Usage: `bun bench/shm.ts [--quick]`.
 */
import type { Socket } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY_HEADER, binaryFrameSize, BinaryKind, emptyHeader, readBinaryFrame, writeBinaryRequest } from "../gpu-bridge/shm/binary-frame.ts";
import { ShmClient } from "../gpu-bridge/shm/client.ts";
import { epochMicros, FrameCodec, type ShmResponse } from "../gpu-bridge/shm/codec.ts";
import { RingReader, RingWriter } from "../gpu-bridge/shm/ring.ts";

const quick = process.argv.includes("--quick");
// Sample counts; measureShmFrames sets the first two.
let RTT_N = quick ? 20_000 : 200_000;
const SOCK_RTT_N = quick ? 5_000 : 50_000;
let TPUT_N = quick ? 200_000 : 2_000_000;
const SOCK_TPUT_N = quick ? 50_000 : 500_000;
const FRAME = 64;

/** Per-call deadline: long, so that a sidecar starved by a loaded machine shows up as a tail sample, not an error. */
const CALL_TIMEOUT_US = 30_000_000;
/** How long the sidecar may take to start and announce itself before the row fails. */
const START_TIMEOUT_MS = 60_000;
/** Silence of a peer's heartbeat tolerated before the bridge calls it dead (a loaded machine can stall a process for seconds). */
const DEAD_AFTER_MS = 60_000;

/** CPU list this process may run on, from `taskset -pc` (null when taskset is missing or fails). */
function affinity(pid: number): string | null {
  try {
    const r = Bun.spawnSync(["taskset", "-pc", String(pid)], { stdout: "pipe", stderr: "ignore" });
    if (r.exitCode !== 0) return null;
    const m = /:\s*([0-9,-]+)\s*$/.exec(r.stdout.toString());
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}

/** Expands a CPU list such as "0-2,5" into its CPU numbers. */
function cpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(",")) {
    const [a, b] = part.split("-").map(Number);
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}

/**
 * Pins this process to its first allowed CPU and returns the command prefix that pins the sidecar
 * to its last, plus a function restoring this process's affinity; no pinning with one CPU or no taskset.
 */
function pinPair(): { prefix: string[]; restore: () => void; pinned: string } {
  const was = affinity(process.pid);
  const cpus = was === null ? [] : cpuList(was);
  if (was === null || cpus.length < 2) return { prefix: [], restore: () => {}, pinned: "not pinned" };
  const mine = cpus[0]!, theirs = cpus[cpus.length - 1]!;
  Bun.spawnSync(["taskset", "-pc", String(mine), String(process.pid)], { stdout: "ignore", stderr: "ignore" });
  return {
    prefix: ["taskset", "-c", String(theirs)],
    restore: () => void Bun.spawnSync(["taskset", "-pc", was, String(process.pid)], { stdout: "ignore", stderr: "ignore" }),
    pinned: `client on cpu ${mine}, sidecar on cpu ${theirs}`,
  };
}

/** Waits until the sidecar has announced itself; throws one line naming the segment after START_TIMEOUT_MS or when it exited. */
async function awaitSidecar(c: ShmClient, side: { exitCode: number | null }, path: string): Promise<void> {
  const until = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    const h = c.health();
    if (h === null) return;
    if (side.exitCode !== null) throw new Error(`echo sidecar for ${path} exited with code ${side.exitCode} before it was ready (${h.code})`);
    if (performance.now() > until) throw new Error(`echo sidecar for ${path} not ready after ${START_TIMEOUT_MS / 1000} s (${h.code})`);
    await Bun.sleep(5);
  }
}

/** Body size that makes the encoded request payload exactly FRAME bytes. */
function bodyFor(frame: number): Uint8Array {
  const codec = new FrameCodec();
  for (let n = 0; n < frame; n++) {
    const b = new Uint8Array(n);
    if (codec.encodeRequest(1_000_000, epochMicros() + 1e6, "echo", b).length === frame) return b;
  }
  throw new Error("no body size gives the frame size");
}

function pct(ns: Float64Array, p: number): number {
  const s = Float64Array.from(ns).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000;
}

/** One transport: round-trip p50/p99 (µs) and one-way frames/s. */
export interface Row {
  transport: string;
  p50: number;
  p99: number;
  fps: number;
  /** Where the two processes ran (shm rows only). */
  pinned?: string;
}

async function benchShm(dir: string, body: Uint8Array): Promise<Row> {
  const path = process.platform === "linux" ? `/dev/shm/kestrel-bench-${process.pid}` : join(dir, "seg");
  const c = ShmClient.create({ path, capacity: 1 << 20, heartbeatMs: 5, deadAfterMs: DEAD_AFTER_MS });
  if ("code" in c) throw new Error(`${c.code} ${c.context}`);
  const pin = pinPair();
  const side = Bun.spawn([...pin.prefix, process.execPath, new URL("../gpu-bridge/shm/echo-sidecar.ts", import.meta.url).pathname, path, "--spin", "--client-dead-ms", String(DEAD_AFTER_MS)], { stdout: "inherit", stderr: "inherit" });
  try {
    await awaitSidecar(c, side, path);
    const lat = new Float64Array(RTT_N);
    for (let i = 0; i < Math.min(100_000, RTT_N * 2); i++) {
      const r = c.callSync("echo", body, CALL_TIMEOUT_US);
      if ("code" in r) throw new Error(`warm-up: ${r.code} ${r.context}`);
    }
    for (let i = 0; i < RTT_N; i++) {
      const t = Bun.nanoseconds();
      const r = c.callSync("echo", body, CALL_TIMEOUT_US);
      lat[i] = Bun.nanoseconds() - t;
      if ("code" in r) throw new Error(`${r.code} ${r.context}`);
    }
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < TPUT_N; ) {
      const id = c.send("sink", body, CALL_TIMEOUT_US);
      if (typeof id === "number") i++;
      else if (id.code !== "SHM_RING_FULL") throw new Error(`${id.code} ${id.context}`);
    }
    const last = c.callSync("echo", body, CALL_TIMEOUT_US);
    if ("code" in last) throw new Error(`${last.code} ${last.context}`);
    const secs = (Bun.nanoseconds() - t0) / 1e9;
    return { transport: "shm (Bun.mmap rings)", p50: pct(lat, 0.5), p99: pct(lat, 0.99), fps: TPUT_N / secs, pinned: pin.pinned };
  } finally {
    pin.restore();
    c.close();
    side.kill(9);
    await side.exited;
  }
}

/** The transport floor: the same 64-byte frames copied in and echoed byte for byte, no msgpack. */
async function benchShmRaw(body: Uint8Array): Promise<Row> {
  const path = `/dev/shm/kestrel-bench-raw-${process.pid}`;
  const c = ShmClient.create({ path, capacity: 1 << 20, heartbeatMs: 5, deadAfterMs: DEAD_AFTER_MS });
  if ("code" in c) throw new Error(`${c.code} ${c.context}`);
  const pin = pinPair();
  const side = Bun.spawn([...pin.prefix, process.execPath, new URL("../gpu-bridge/shm/echo-sidecar.ts", import.meta.url).pathname, path, "--raw"], { stdout: "inherit", stderr: "inherit" });
  try {
    await awaitSidecar(c, side, path);
    const seg = c.segment;
    const w = new RingWriter(seg.words, seg.requests);
    const r = new RingReader(seg.words, seg.responses);
    const frame = new FrameCodec().encodeRequest(1, epochMicros(), "echo", body).slice();
    const once = () => {
      const at = w.tryClaim(frame.length);
      seg.bytes.set(frame, at);
      w.commit();
      let n = r.peek();
      for (let spins = 1; n < 0; spins++) {
        n = r.peek();
        if ((spins & 0xfffff) === 0) {
          const h = c.health();
          if (h) throw new Error(`raw echo: ${h.code} ${h.context}`);
        }
      }
      r.release();
    };
    for (let i = 0; i < Math.min(100_000, RTT_N * 2); i++) once();
    const lat = new Float64Array(RTT_N);
    for (let i = 0; i < RTT_N; i++) {
      const t = Bun.nanoseconds();
      once();
      lat[i] = Bun.nanoseconds() - t;
    }
    // One-way: frames go out as fast as the ring takes them; echoes are drained as they come.
    const t0 = Bun.nanoseconds();
    let got = 0;
    for (let sent = 0; sent < TPUT_N; ) {
      const at = w.tryClaim(frame.length);
      if (at >= 0) {
        seg.bytes.set(frame, at);
        w.commit();
        sent++;
      }
      while (r.peek() >= 0) {
        r.release();
        got++;
      }
    }
    while (got < TPUT_N) if (r.peek() >= 0) (r.release(), got++);
    const secs = (Bun.nanoseconds() - t0) / 1e9;
    return { transport: "shm raw (no msgpack)", p50: pct(lat, 0.5), p99: pct(lat, 0.99), fps: TPUT_N / secs, pinned: pin.pinned };
  } finally {
    pin.restore();
    c.close();
    side.kill(9);
    await side.exited;
  }
}

/**
 * The hot-message path: 64-byte fixed-layout binary frames (16-byte header + 6 float64 values, see
 * gpu-bridge/shm/binary-frame.ts) written into the ring in place, decoded by the sidecar into a
 * typed array and answered with the same values, decoded again here; no msgpack, no allocation.
 */
async function benchShmBinary(): Promise<Row> {
  const path = `/dev/shm/kestrel-bench-bin-${process.pid}`;
  const c = ShmClient.create({ path, capacity: 1 << 20, heartbeatMs: 5, deadAfterMs: DEAD_AFTER_MS });
  if ("code" in c) throw new Error(`${c.code} ${c.context}`);
  const pin = pinPair();
  const side = Bun.spawn([...pin.prefix, process.execPath, new URL("../gpu-bridge/shm/echo-sidecar.ts", import.meta.url).pathname, path, "--binary"], { stdout: "inherit", stderr: "inherit" });
  try {
    await awaitSidecar(c, side, path);
    const seg = c.segment;
    const dv = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength);
    const w = new RingWriter(seg.words, seg.requests);
    const r = new RingReader(seg.words, seg.responses);
    const COUNT = (FRAME - BINARY_HEADER) / 8;
    const size = binaryFrameSize(COUNT);
    const values = new Float64Array(COUNT);
    const out = new Float64Array(COUNT);
    const head = emptyHeader();
    let id = 0;
    const send = (): boolean => {
      const at = w.tryClaim(size);
      if (at < 0) return false;
      values[0] = ++id;
      writeBinaryRequest(dv, at, BinaryKind.ECHO, id, epochMicros() + CALL_TIMEOUT_US, values, COUNT);
      w.commit(size);
      return true;
    };
    const receive = (): boolean => {
      const n = r.peek();
      if (n < 0) return false;
      const ok = readBinaryFrame(dv, r.payloadOffset(), n, head, out);
      r.release();
      if (!ok || head.status !== 0) throw new Error(`binary echo: bad response (well-formed ${ok}, status ${head.status})`);
      return true;
    };
    const once = () => {
      while (!send());
      for (let spins = 1; !receive(); spins++) {
        if ((spins & 0xfffff) === 0) {
          const h = c.health();
          if (h) throw new Error(`binary echo: ${h.code} ${h.context}`);
        }
      }
      if (head.id !== id || out[0] !== id) throw new Error(`binary echo: response ${head.id} (value ${out[0]}) to request ${id}`);
    };
    for (let i = 0; i < Math.min(100_000, RTT_N * 2); i++) once();
    const lat = new Float64Array(RTT_N);
    for (let i = 0; i < RTT_N; i++) {
      const t = Bun.nanoseconds();
      once();
      lat[i] = Bun.nanoseconds() - t;
    }
    const t0 = Bun.nanoseconds();
    let got = 0;
    for (let sent = 0; sent < TPUT_N; ) {
      if (send()) sent++;
      while (receive()) got++;
    }
    while (got < TPUT_N) if (receive()) got++;
    const secs = (Bun.nanoseconds() - t0) / 1e9;
    return { transport: "shm binary frames", p50: pct(lat, 0.5), p99: pct(lat, 0.99), fps: TPUT_N / secs, pinned: pin.pinned };
  } finally {
    pin.restore();
    c.close();
    side.kill(9);
    await side.exited;
  }
}

/** A socket client speaking the same frames; one outstanding request for latency, pipelined for throughput. */
async function benchSocket(name: string, connect: (h: object) => Promise<Socket<undefined>>, body: Uint8Array): Promise<Row> {
  const codec = new FrameCodec();
  let buf = new Uint8Array(1 << 16);
  let len = 0;
  let waiting: ((r: ShmResponse) => void) | null = null;
  const sock = await connect({
    data(_s: Socket<undefined>, chunk: Uint8Array) {
      if (len + chunk.length > buf.length) {
        const next = new Uint8Array(Math.max(buf.length * 2, len + chunk.length));
        next.set(buf.subarray(0, len));
        buf = next;
      }
      buf.set(chunk, len);
      len += chunk.length;
      let off = 0;
      const dv = new DataView(buf.buffer);
      while (len - off >= 4) {
        const n = dv.getUint32(off, true);
        if (len - off - 4 < n) break;
        const r = codec.decodeResponse(buf.subarray(off + 4, off + 4 + n));
        off += 4 + n;
        const w = waiting;
        waiting = null;
        if (r && w) w(r);
      }
      buf.copyWithin(0, off, len);
      len -= off;
    },
  });
  sock.setNoDelay?.(true);
  let id = 0;
  const frame = (method: string): Uint8Array => {
    const p = codec.encodeRequest(++id, epochMicros() + 1_000_000, method, body);
    const out = new Uint8Array(4 + p.length);
    new DataView(out.buffer).setUint32(0, p.length, true);
    out.set(p, 4);
    return out;
  };
  const roundTrip = () =>
    new Promise<ShmResponse>((resolve) => {
      waiting = resolve;
      sock.write(frame("echo"));
    });
  for (let i = 0; i < 10_000; i++) await roundTrip();
  const lat = new Float64Array(SOCK_RTT_N);
  for (let i = 0; i < SOCK_RTT_N; i++) {
    const t = Bun.nanoseconds();
    await roundTrip();
    lat[i] = Bun.nanoseconds() - t;
  }
  const t0 = Bun.nanoseconds();
  const batch = 256;
  for (let i = 0; i < SOCK_TPUT_N; i += batch) {
    const parts: Uint8Array[] = [];
    for (let j = 0; j < batch; j++) parts.push(frame("sink"));
    const chunk = Buffer.concat(parts);
    let sent = sock.write(chunk);
    while (sent < chunk.length) {
      await Bun.sleep(0);
      sent += sock.write(chunk.subarray(sent));
    }
  }
  await roundTrip();
  const secs = (Bun.nanoseconds() - t0) / 1e9;
  sock.end();
  return { transport: name, p50: pct(lat, 0.5), p99: pct(lat, 0.99), fps: SOCK_TPUT_N / secs };
}

/**
 * 64-byte frames over the shm rings, same run: msgpack (the control path), fixed-layout binary
 * (the hot-message path) and the raw transport (the same bytes echoed undecoded).
 */
export async function measureShmFrames(rttN: number, tputN: number): Promise<{ msgpack: Row; binary: Row; raw: Row }> {
  RTT_N = rttN;
  TPUT_N = tputN;
  const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-shm-"));
  try {
    const body = bodyFor(FRAME);
    return { msgpack: await benchShm(dir, body), binary: await benchShmBinary(), raw: await benchShmRaw(body) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-shm-"));
  const body = bodyFor(FRAME);
  const rows: Row[] = [];
  try {
    rows.push(await benchShm(dir, body));
    if (process.platform === "linux") rows.push(await benchShmBinary(), await benchShmRaw(body));
    const unixPath = join(dir, "echo.sock");
    const server = Bun.spawn([process.execPath, new URL("./shm-socket-echo.ts", import.meta.url).pathname, unixPath], { stdout: "pipe", stderr: "inherit" });
    try {
      const reader = server.stdout.getReader();
      let text = "";
      while (!text.includes("\n")) text += new TextDecoder().decode((await reader.read()).value);
      const port = Number(text.trim().split(" ")[1]);
      rows.push(await benchSocket("unix domain socket", (socket) => Bun.connect({ unix: unixPath, socket }) as Promise<Socket<undefined>>, body));
      rows.push(await benchSocket("tcp loopback", (socket) => Bun.connect({ hostname: "127.0.0.1", port, socket }) as Promise<Socket<undefined>>, body));
    } finally {
      server.kill(9);
      await server.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const f = (x: number, d = 2) => x.toFixed(d).padStart(10);
  console.log(`frame payload ${FRAME} B, rtt n=${RTT_N} (shm) / ${SOCK_RTT_N} (sockets), one-way n=${TPUT_N} / ${SOCK_TPUT_N}`);
  console.log(`${"transport".padEnd(22)} ${"p50 µs".padStart(10)} ${"p99 µs".padStart(10)} ${"frames/s".padStart(12)}`);
  for (const r of rows) console.log(`${r.transport.padEnd(22)} ${f(r.p50)} ${f(r.p99)} ${Math.round(r.fps).toLocaleString("en-US").padStart(12)}`);
  const shm = rows[0]!;
  const uds = rows.find((r) => r.transport.startsWith("unix"))!;
  const tcp = rows.find((r) => r.transport.startsWith("tcp"))!;
  console.log(
    `ratio shm vs uds: p50 ${(uds.p50 / shm.p50).toFixed(1)}x lower, p99 ${(uds.p99 / shm.p99).toFixed(1)}x lower, throughput ${(shm.fps / uds.fps).toFixed(1)}x; ` +
      `vs tcp: p50 ${(tcp.p50 / shm.p50).toFixed(1)}x, p99 ${(tcp.p99 / shm.p99).toFixed(1)}x, throughput ${(shm.fps / tcp.fps).toFixed(1)}x`,
  );
}
