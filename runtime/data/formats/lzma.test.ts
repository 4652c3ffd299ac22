import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { decodeLzmaAlone } from "./lzma.ts";
import { sharedData } from "./test-support.ts";

describe("LZMA alone decoder", () => {
  test("decodes a real Dukascopy hour to whole 20-byte records", () => {
    const res = decodeLzmaAlone(readFileSync(sharedData("dukascopy/EURUSD/2019-02-04/00h_ticks.bi5")));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.bytes.length % 20).toBe(0);
    const v = new DataView(res.bytes.buffer, res.bytes.byteOffset);
    // First tick of the day in the decoded CSV: 1549238400994,1.14543,1.14545,2.06,1.0
    expect([v.getUint32(0), v.getUint32(4), v.getUint32(8)]).toEqual([994, 114545, 114543]);
  });

  test("a truncated stream is an error, not partial output", () => {
    const raw = readFileSync(sharedData("dukascopy/EURUSD/2019-02-04/00h_ticks.bi5"));
    const res = decodeLzmaAlone(raw.subarray(0, raw.length >> 1));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toContain("LZMA");
  });

  test("a stream with a bad header is refused with the reason", () => {
    expect(decodeLzmaAlone(new Uint8Array(5))).toEqual({ ok: false, reason: "LZMA header needs 13 bytes, got 5" });
    const bad = new Uint8Array(20);
    bad[0] = 250;
    const res = decodeLzmaAlone(bad);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toContain("properties");
  });

  test("flipped bytes inside the stream never crash the decoder", () => {
    const raw = new Uint8Array(readFileSync(sharedData("dukascopy/EURUSD/2019-02-04/05h_ticks.bi5")));
    for (let k = 0; k < 20; k++) {
      const copy = raw.slice();
      const at = 13 + ((k * 7919) % (copy.length - 13));
      copy[at] ^= 0x5a;
      const res = decodeLzmaAlone(copy);
      // Either a clean error or some output of the declared size: never an exception.
      if (res.ok) expect(res.bytes.length).toBeGreaterThan(0);
      else expect(typeof res.reason).toBe("string");
    }
  });
});

describe("LZMA decoder rewrite (locals, int32 range coder) against the decoder it replaced", () => {
  test("every real .bi5 file decodes to the same bytes, with the size declared and with it unknown", async () => {
    const { bi5Files } = await import("../../../bench/lzma-decode.ts");
    const { decodeLzmaAlone: before } = await import("../../../bench/lzma-before.ts");
    const files = bi5Files();
    expect(files.length).toBeGreaterThanOrEqual(24);
    for (const f of files) {
      const raw = new Uint8Array(readFileSync(f));
      const a = decodeLzmaAlone(raw), b = before(raw);
      expect(a.ok, f).toBe(true);
      expect(a).toEqual(b);
      // Unknown size (0xff x 8): the output grows as it goes; the result (bytes or error) must match too.
      const unknown = raw.slice();
      unknown.fill(0xff, 5, 13);
      expect(decodeLzmaAlone(unknown)).toEqual(before(unknown));
    }
  }, 60_000);

  test("flipped bytes give the same result (bytes or error) as the decoder it replaced", async () => {
    const { decodeLzmaAlone: before } = await import("../../../bench/lzma-before.ts");
    const raw = new Uint8Array(readFileSync(sharedData("dukascopy/EURUSD/2019-02-04/13h_ticks.bi5")));
    for (let k = 0; k < 30; k++) {
      const copy = raw.slice();
      copy[13 + ((k * 104_729) % (copy.length - 13))] ^= 1 << (k & 7);
      expect(decodeLzmaAlone(copy)).toEqual(before(copy));
    }
  }, 60_000);
});
