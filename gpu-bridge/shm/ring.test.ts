import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { frameBytes, maxFrameFor } from "./layout.ts";
import { CLAIM_FULL, CLAIM_TOO_LARGE, PEEK_CORRUPT, PEEK_EMPTY, RingReader, RingWriter, type RingPlacement } from "./ring.ts";

function ringOver(capacity: number): { words: Int32Array; bytes: Uint8Array; at: RingPlacement } {
  const buf = new SharedArrayBuffer(256 + capacity);
  const at: RingPlacement = { dataOffset: 256, capacity, tailOffset: 0, headOffset: 64, maxFrame: maxFrameFor(capacity) };
  return { words: new Int32Array(buf), bytes: new Uint8Array(buf), at };
}

describe("SPSC ring", () => {
  test("frames come out in order and intact across many wraps, and a claim fails exactly when the ring lacks room", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { minLength: 1, maxLength: 400 }), (ops) => {
        const { words, bytes, at } = ringOver(1024);
        const w = new RingWriter(words, at);
        const r = new RingReader(words, at);
        const model: Uint8Array[] = [];
        let seq = 0;
        let tail = 0;
        for (const [len, read] of ops) {
          if (read) {
            const n = r.peek();
            if (model.length === 0) {
              expect(n).toBe(PEEK_EMPTY);
              continue;
            }
            const want = model.shift()!;
            expect(n).toBe(want.length);
            const off = r.payloadOffset();
            expect(bytes.subarray(off, off + n)).toEqual(want);
            r.release();
            continue;
          }
          const at2 = w.tryClaim(len);
          if (len > at.maxFrame) {
            expect(at2).toBe(CLAIM_TOO_LARGE);
            continue;
          }
          const idx = tail % at.capacity;
          const skip = frameBytes(len) > at.capacity - idx ? at.capacity - idx : 0;
          const fits = w.used() + skip + frameBytes(len) <= at.capacity;
          expect(at2 === CLAIM_FULL).toBe(!fits);
          if (at2 === CLAIM_FULL) continue;
          tail += skip + frameBytes(len);
          const payload = new Uint8Array(len).map((_, i) => (seq * 31 + i) & 0xff);
          seq++;
          bytes.set(payload, at2);
          w.commit();
          model.push(payload);
        }
        while (model.length) {
          const want = model.shift()!;
          expect(r.peek()).toBe(want.length);
          r.release();
        }
        expect(r.peek()).toBe(PEEK_EMPTY);
        expect(w.used()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  test("an empty ring always accepts the largest frame, whatever the position", () => {
    const { words, at } = ringOver(1024);
    const w = new RingWriter(words, at);
    const r = new RingReader(words, at);
    for (let i = 0; i < 100; i++) {
      const len = (i * 37) % (at.maxFrame + 1);
      expect(w.tryClaim(len)).toBeGreaterThanOrEqual(0);
      w.commit();
      expect(r.peek()).toBe(len);
      r.release();
      expect(w.tryClaim(at.maxFrame)).toBeGreaterThanOrEqual(0);
      w.commit();
      expect(r.peek()).toBe(at.maxFrame);
      r.release();
    }
  });

  test("an aborted claim publishes nothing", () => {
    const { words, at } = ringOver(1024);
    const w = new RingWriter(words, at);
    const r = new RingReader(words, at);
    expect(w.tryClaim(10)).toBeGreaterThanOrEqual(0);
    w.abort();
    expect(r.peek()).toBe(PEEK_EMPTY);
  });

  test("an impossible length word makes the reader report corruption instead of reading past the ring", () => {
    const { words, at } = ringOver(1024);
    const w = new RingWriter(words, at);
    const r = new RingReader(words, at);
    w.publishRawLength(0x7ffffff0, 8);
    expect(r.peek()).toBe(PEEK_CORRUPT);
    const b = ringOver(1024);
    new RingWriter(b.words, b.at).publishRawLength(64, 8); // claims 64 bytes but only 8 were published
    expect(new RingReader(b.words, b.at).peek()).toBe(PEEK_CORRUPT);
  });
});
