import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";
import { readDataFile } from "./file-bytes.ts";
import { openLeanQuotes } from "./lean-quotes.ts";
import { newQuoteRow } from "./quote-reader.ts";
import { EURUSD, tempFolder } from "./test-support.ts";

/** Builds a one-entry zip archive (deflate or stored) the way QuantConnect ships its tick files. */
function zip(name: string, content: Uint8Array, deflate: boolean): Uint8Array {
  const data = deflate ? deflateRawSync(content) : content;
  const nameBytes = new TextEncoder().encode(name);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(8, deflate ? 8 : 0, true);
  local.setUint32(18, data.length, true);
  local.setUint32(22, content.length, true);
  local.setUint16(26, nameBytes.length, true);
  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(10, deflate ? 8 : 0, true);
  central.setUint32(20, data.length, true);
  central.setUint32(24, content.length, true);
  central.setUint16(28, nameBytes.length, true);
  central.setUint32(42, 0, true);
  const centralAt = 30 + nameBytes.length + data.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, 46 + nameBytes.length, true);
  end.setUint32(16, centralAt, true);
  const parts = [new Uint8Array(local.buffer), nameBytes, data, new Uint8Array(central.buffer), nameBytes, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("reading data files", () => {
  const csv = new TextEncoder().encode("75600462,1.38817,1.38884\n75602120,1.38794,1.38894\n");

  test("plain, gzip, deflated zip and stored zip files give the same bytes", () => {
    using dir = tempFolder();
    const files = {
      plain: csv,
      gz: gzipSync(csv),
      zip: zip("20140504_quote.csv", csv, true),
      stored: zip("20140504_quote.csv", csv, false),
    };
    for (const [kind, bytes] of Object.entries(files)) {
      const path = join(dir.path, `f.${kind}`);
      writeFileSync(path, bytes);
      expect(new TextDecoder().decode(readDataFile(path))).toBe(new TextDecoder().decode(csv));
    }
  });

  test("a zipped Lean day reads like the gzipped one", () => {
    using dir = tempFolder();
    const path = join(dir.path, "20140504_eurusd_tick_quote.zip");
    writeFileSync(path, zip("20140504_eurusd_tick_quote.csv", csv, true));
    const reader = openLeanQuotes(path, EURUSD);
    const row = newQuoteRow();
    expect(reader.next(row)).toBe(true);
    expect(row).toEqual({ ts: Date.UTC(2014, 4, 4, 21, 0, 0, 462) * 1000, bid: 138817, ask: 138884, bidSize: 0, askSize: 0 });
  });

  test("a truncated zip or gzip is a coded error naming the file", () => {
    using dir = tempFolder();
    const z = join(dir.path, "bad.zip");
    writeFileSync(z, zip("x.csv", csv, true).subarray(0, 40));
    expect(() => readDataFile(z)).toThrow(`DATA_FILE_CORRUPT: file=${z}, format=zip`);
    const g = join(dir.path, "bad.gz");
    writeFileSync(g, gzipSync(csv).subarray(0, 15));
    expect(() => readDataFile(g)).toThrow(`DATA_FILE_CORRUPT: file=${g}, format=gzip`);
  });
});
