import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { BINARY_HEADER, binaryFrameSize, BinaryKind, emptyHeader, FRAME_NOT_BINARY, FRAME_OK, FRAME_UNKNOWN_KIND, FRAME_UNKNOWN_VERSION, FRAME_VERSION, frameText, isBinaryFrame, isFrameReply, readBinaryFrame, readFrameHeader, writeBinaryRequest, writeBinaryResponse, writeFrameHeader } from "./binary-frame.ts";
import { ShmClient } from "./client.ts";
import { epochMicros, FrameCodec, Status } from "./codec.ts";
import { RingReader, RingWriter } from "./ring.ts";
import { ShmServer } from "./server.ts";
import { spawnBunSidecar, tempSegmentDir, waitFor } from "./test-support.ts";

const SIDECAR = new URL("./echo-sidecar.ts", import.meta.url).pathname;
const children: Subprocess[] = [];
const clients: ShmClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of children.splice(0)) {
    p.kill(9);
    await p.exited;
  }
});

const head = emptyHeader;

describe("fixed-layout binary frames", () => {
  test("a request and a response round-trip every value bit for bit, at an unaligned offset", () => {
    const values = Float64Array.from([1.5, -0, Number.MAX_VALUE, -1e-300, 2 ** 53 - 1, NaN, Infinity]);
    const buf = new Uint8Array(256);
    const dv = new DataView(buf.buffer);
    const len = writeBinaryRequest(dv, 3, BinaryKind.VAR, 0xfffffffe, 1_764_000_000_123_456, values, values.length);
    expect(len).toBe(binaryFrameSize(values.length));
    expect(isBinaryFrame(buf, 3)).toBe(true);
    expect(buf[4]).toBe(FRAME_VERSION);
    const h = head();
    const out = new Float64Array(16);
    expect(readBinaryFrame(dv, 3, len, h, out)).toBe(true);
    expect(h).toEqual({ version: FRAME_VERSION, kind: BinaryKind.VAR, status: 0, id: 0xfffffffe, word: 1_764_000_000_123_456, bodyBytes: 8 * values.length });
    expect(Array.from(out.subarray(0, values.length))).toEqual(Array.from(values));
    expect(Object.is(out[1], -0)).toBe(true);

    const rlen = writeBinaryResponse(dv, 140, Status.UNKNOWN_METHOD, BinaryKind.INFER, 7, values, 2);
    expect(readBinaryFrame(dv, 140, rlen, h, out)).toBe(true);
    expect(h).toMatchObject({ kind: BinaryKind.INFER, status: Status.UNKNOWN_METHOD, id: 7, bodyBytes: 16 });
  });

  test("msgpack frames, short frames, ragged bodies and short output arrays are refused without reading values", () => {
    const msgpack = new FrameCodec().encodeRequest(1, epochMicros(), "echo", [1, 2, 3]).slice();
    expect(isBinaryFrame(msgpack, 0)).toBe(false);
    const h = head();
    const out = new Float64Array(4).fill(9);
    expect(readFrameHeader(new DataView(msgpack.buffer), 0, msgpack.length, h)).toBe(FRAME_NOT_BINARY);
    expect(readBinaryFrame(new DataView(msgpack.buffer), 0, msgpack.length, h, out)).toBe(false);
    const buf = new Uint8Array(128);
    const dv = new DataView(buf.buffer);
    const len = writeBinaryRequest(dv, 0, BinaryKind.CHECK, 1, 0, Float64Array.from([1, 2, 3, 4, 5]), 5);
    expect(readBinaryFrame(dv, 0, len - 4, h, new Float64Array(8))).toBe(false); // 4.5 values
    expect(readBinaryFrame(dv, 0, BINARY_HEADER - 1, h, new Float64Array(8))).toBe(false);
    expect(readBinaryFrame(dv, 0, len, h, out)).toBe(false); // 5 values, room for 4
    expect(Array.from(out)).toEqual([9, 9, 9, 9]);
  });

  test("a frame of another version or an unknown kind is told apart, its id still readable", () => {
    const buf = new Uint8Array(64);
    const dv = new DataView(buf.buffer);
    const h = head();
    writeFrameHeader(dv, 0, BinaryKind.INFER, 0, 42, 1);
    expect(readFrameHeader(dv, 0, 32, h)).toBe(FRAME_OK);
    buf[1] = FRAME_VERSION + 1;
    expect(readFrameHeader(dv, 0, 32, h)).toBe(FRAME_UNKNOWN_VERSION);
    expect(h.id).toBe(42);
    buf[1] = FRAME_VERSION;
    buf[2] = 77;
    expect(readFrameHeader(dv, 0, 32, h)).toBe(FRAME_UNKNOWN_KIND);
    expect(h).toMatchObject({ kind: 77, id: 42 });
  });

  test("the client refuses a response frame of an unknown version with one SHM_FRAME_UNKNOWN line and answers its caller with it", async () => {
    using dir = tempSegmentDir();
    const alerts: string[] = [];
    const c = ShmClient.create({ path: dir.path("seg"), capacity: 1 << 14, heartbeatMs: 2, deadAfterMs: 30_000, onAlert: (e) => alerts.push(`${e.code}: ${e.context}`) });
    if ("code" in c) throw new Error(c.code);
    clients.push(c);
    children.push(spawnBunSidecar(SIDECAR, [dir.path("seg"), "--raw"])); // echoes the request bytes back as the response
    await waitFor(() => c.health() === null, 20_000, "sidecar ready");
    const ok = c.callFrameSync(BinaryKind.ECHO, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 20_000_000);
    if ("code" in ok) throw new Error(ok.code);
    expect(ok.status).toBe(Status.OK);
    if (!isFrameReply(ok.body)) throw new Error("not a frame reply");
    expect(Array.from(ok.body.body)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // A body sent in two parts arrives as one: the tail follows the body in the frame.
    const two = c.callFrameSync(BinaryKind.ECHO, Uint8Array.from([1, 2, 3]), 20_000_000, Uint8Array.from([9, 8, 7, 6, 5]));
    if ("code" in two || !isFrameReply(two.body)) throw new Error("two-part echo failed");
    expect(Array.from(two.body.body)).toEqual([1, 2, 3, 9, 8, 7, 6, 5]);
    // Stop the echo and answer the next request in this process, as a sidecar speaking frame version 9 would.
    const echo = children.pop()!;
    echo.kill(9);
    await echo.exited;
    const server = ShmServer.attach(dir.path("seg"));
    if ("code" in server) throw new Error(server.code);
    const id = c.sendFrame(BinaryKind.ECHO, new Uint8Array(8), 20_000_000);
    if (typeof id !== "number") throw new Error(id.code);
    const reader = new RingReader(server.segment.words, server.segment.requests);
    let n = reader.peek();
    for (const until = performance.now() + 20_000; n < 0 && performance.now() < until; n = reader.peek()) await Bun.sleep(0);
    const sdv = new DataView(server.segment.bytes.buffer, server.segment.bytes.byteOffset, server.segment.bytes.byteLength);
    const rh = head();
    expect(readFrameHeader(sdv, reader.payloadOffset(), n, rh)).toBe(FRAME_OK);
    reader.release();
    const at = server.writer.tryClaim(BINARY_HEADER);
    writeFrameHeader(sdv, at, BinaryKind.ECHO, Status.OK, rh.id, 0);
    sdv.setUint8(at + 1, 9);
    server.writer.commit(BINARY_HEADER);
    let r = c.poll();
    for (const until = performance.now() + 20_000; !r && performance.now() < until; r = c.poll()) await Bun.sleep(0);
    expect(r).toMatchObject({ id, status: Status.ERROR });
    expect(String(r!.body)).toStartWith("SHM_FRAME_UNKNOWN: ring=responses unknown=version frame_version=9 speaks=1 kind=0");
    const unknown = alerts.filter((a) => a.startsWith("SHM_FRAME_UNKNOWN"));
    expect(unknown).toEqual([String(r!.body)]);
    expect(unknown[0]).toContain(`id=${id}`);
    expect(frameText(Uint8Array.from([0x6f, 0x6b]))).toBe("ok");
  }, 60_000);

  test("the echo sidecar answers binary frames from a real process with the same values, in order", async () => {
    using dir = tempSegmentDir();
    const c = ShmClient.create({ path: dir.path("seg"), capacity: 1 << 14, heartbeatMs: 2, deadAfterMs: 30_000 });
    if ("code" in c) throw new Error(c.code);
    clients.push(c);
    children.push(spawnBunSidecar(SIDECAR, [dir.path("seg"), "--binary"]));
    await waitFor(() => c.health() === null, 20_000, "sidecar ready");
    const seg = c.segment;
    const dv = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength);
    const w = new RingWriter(seg.words, seg.requests);
    const r = new RingReader(seg.words, seg.responses);
    const h = head();
    const out = new Float64Array(64);
    // Sizes 0..63 values, enough frames to wrap the 16 KiB rings several times.
    for (let i = 0; i < 2_000; i++) {
      const n = i % 64;
      const values = Float64Array.from({ length: n }, (_, k) => i * 1000 + k + 0.25);
      const size = binaryFrameSize(n);
      const at = w.tryClaim(size);
      expect(at).toBeGreaterThanOrEqual(0);
      writeBinaryRequest(dv, at, BinaryKind.INFER, i + 1, epochMicros() + 30_000_000, values, n);
      w.commit(size);
      const until = performance.now() + 30_000;
      let len = r.peek();
      while (len < 0) {
        if (performance.now() > until) throw new Error(`no response to frame ${i + 1}`);
        await Bun.sleep(0);
        len = r.peek();
      }
      expect(readBinaryFrame(dv, r.payloadOffset(), len, h, out)).toBe(true);
      r.release();
      expect(h.id).toBe(i + 1);
      expect(h.status).toBe(Status.OK);
      expect(h.kind).toBe(BinaryKind.INFER);
      expect(Array.from(out.subarray(0, h.bodyBytes / 8))).toEqual(Array.from(values));
    }
  }, 60_000);
});
