import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { BINARY_HEADER, binaryFrameSize, BinaryKind, isBinaryFrame, readBinaryFrame, writeBinaryRequest, writeBinaryResponse, type BinaryHeader } from "./binary-frame.ts";
import { ShmClient } from "./client.ts";
import { epochMicros, FrameCodec, Status } from "./codec.ts";
import { RingReader, RingWriter } from "./ring.ts";
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

const head = (): BinaryHeader => ({ code: 0, count: 0, id: 0, word: 0 });

describe("fixed-layout binary frames", () => {
  test("a request and a response round-trip every value bit for bit, at an unaligned offset", () => {
    const values = Float64Array.from([1.5, -0, Number.MAX_VALUE, -1e-300, 2 ** 53 - 1, NaN, Infinity]);
    const buf = new Uint8Array(256);
    const dv = new DataView(buf.buffer);
    const len = writeBinaryRequest(dv, 3, BinaryKind.VAR, 0xfffffffe, 1_764_000_000_123_456, values, values.length);
    expect(len).toBe(binaryFrameSize(values.length));
    expect(isBinaryFrame(buf, 3)).toBe(true);
    const h = head();
    const out = new Float64Array(16);
    expect(readBinaryFrame(dv, 3, len, h, out, false)).toBe(true);
    expect(h).toEqual({ code: BinaryKind.VAR, count: values.length, id: 0xfffffffe, word: 1_764_000_000_123_456 });
    expect(Array.from(out.subarray(0, values.length))).toEqual(Array.from(values));
    expect(Object.is(out[1], -0)).toBe(true);

    const rlen = writeBinaryResponse(dv, 40, Status.OK, BinaryKind.INFER, 7, values, 2);
    expect(readBinaryFrame(dv, 40, rlen, h, out, true)).toBe(true);
    expect(h).toEqual({ code: Status.OK, count: 2, id: 7, word: BinaryKind.INFER });
  });

  test("msgpack frames, wrong lengths and short output arrays are refused without reading values", () => {
    const msgpack = new FrameCodec().encodeRequest(1, epochMicros(), "echo", [1, 2, 3]).slice();
    expect(isBinaryFrame(msgpack, 0)).toBe(false);
    const h = head();
    const out = new Float64Array(4).fill(9);
    expect(readBinaryFrame(new DataView(msgpack.buffer), 0, msgpack.length, h, out, false)).toBe(false);
    const buf = new Uint8Array(128);
    const dv = new DataView(buf.buffer);
    const len = writeBinaryRequest(dv, 0, BinaryKind.VERDICT, 1, 0, Float64Array.from([1, 2, 3, 4, 5]), 5);
    expect(readBinaryFrame(dv, 0, len - 8, h, new Float64Array(8), false)).toBe(false); // count says 5, bytes hold 4
    expect(readBinaryFrame(dv, 0, BINARY_HEADER - 1, h, new Float64Array(8), false)).toBe(false);
    expect(readBinaryFrame(dv, 0, len, h, out, false)).toBe(false); // 5 values, room for 4
    expect(Array.from(out)).toEqual([9, 9, 9, 9]);
  });

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
      expect(readBinaryFrame(dv, r.payloadOffset(), len, h, out, true)).toBe(true);
      r.release();
      expect(h.id).toBe(i + 1);
      expect(h.code).toBe(Status.OK);
      expect(h.word).toBe(BinaryKind.INFER);
      expect(Array.from(out.subarray(0, h.count))).toEqual(Array.from(values));
    }
  }, 60_000);
});
