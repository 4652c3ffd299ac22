/**
 * The single-pass decoder against the decoder it replaced (kept verbatim as
 * bench/fix-decode-before.ts): for every message of a seeded fuzz corpus — byte mutations,
 * values of every type replaced by malformed ones, DATA fields carrying SOH — both must return the
 * same result, the same error context (code, offset, tag, expected, actual: the same one-line
 * reason) and the same view (fields, extents, MsgType, MsgSeqNum, PossDup, and `indexOf` of every tag).
 */
import { describe, expect, test } from "bun:test";
import { FixDecoder } from "./decode.ts";
import { FixEncoder } from "./encode.ts";
import { describeFixError } from "./errors.ts";
import type { FixMessage } from "./message.ts";
import { standardDictionary } from "../dictionary/load.ts";
import { Rng, corpus, mutate, reframe } from "../testing/mutate.ts";
import { FixDecoderBefore } from "../../../../bench/fix-decode-before.ts";

const dict = standardDictionary("FIX44");
const N = Number(process.env.KESTREL_FIX_FUZZ ?? 40_000);

/** Values that break one type or another: empty, signs, points, letters, long, Y/N. */
const ODD = ["", "-", "+1", "-1", "--1", "1-", "1.", ".5", ".", "1.2.3", "-.5", "-0", "0", "Y", "N", "YY", "y", "x", "12a", "a12", "007", "1e5", " 1", "99999999999999999999", "-0.0000000001"];

function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 255);
}

/** Valid messages with DATA fields (RawData after RawDataLength), whose bytes include SOH and '='. */
function dataMessages(): Uint8Array[] {
  const enc = new FixEncoder("FIX.4.4");
  const head = (t: string) => enc.begin(t).str(49, "LP1").str(56, "KESTREL").int(34, 2).timestamp(52, 1_764_000_000_000_000);
  const raw = "a\x01b=c\x01";
  const logon = head("A").int(98, 0).int(108, 30).int(95, raw.length);
  logon.copy(96, bytes(raw), 0, raw.length);
  return [logon.finish().slice()];
}

/** Tags that break the tag syntax or the dictionary: zero, leading zero, too long, letters, empty, unknown, header ones. */
const ODD_TAGS = ["0", "00", "058", "1", "9", "10", "999", "9999", "99999", "1234567890", "123456789", "12a", "a", "", "35", "8", "9", "10", "52", "269", "95", "96"];

/** Replaces field i's tag with `tag` (text), keeping the rest. */
function withTag(m: Uint8Array, i: number, tag: string): Uint8Array {
  const text = Array.from(m, (c) => String.fromCharCode(c)).join("");
  const fields = text.split("\x01");
  const f = fields[i];
  if (f === undefined || !f.includes("=")) return m;
  fields[i] = `${tag}${f.slice(f.indexOf("="))}`;
  return bytes(fields.join("\x01"));
}

/** Replaces field i's value with `value` (text), keeping the rest. */
function withValue(m: Uint8Array, i: number, value: string): Uint8Array {
  const text = Array.from(m, (c) => String.fromCharCode(c)).join("");
  const fields = text.split("\x01");
  const f = fields[i];
  if (f === undefined || !f.includes("=")) return m;
  fields[i] = `${f.slice(0, f.indexOf("=") + 1)}${value}`;
  return bytes(fields.join("\x01"));
}

function viewOf(m: FixMessage, ok: boolean): unknown {
  const fields: number[][] = [];
  for (let i = 0; i < m.count; i++) fields.push([m.tags[i] as number, m.valueStart[i] as number, m.valueEnd[i] as number, m.ends[i] as number]);
  const index: number[] = [];
  if (ok) for (let i = 0; i < m.count; i++) index.push(m.indexOf(m.tags[i] as number));
  if (ok) for (const t of [0, 1, 35, 44, 270, 9999, 100_000]) index.push(m.indexOf(t));
  return { count: m.count, fields, key: m.msgTypeKey, type: m.msgType, seq: m.seqNum, possDup: m.possDup, start: m.start, end: m.end, index };
}

function same(a: FixDecoder, b: FixDecoderBefore, m: Uint8Array, label: string): boolean {
  const ca = a.decode(m), cb = b.decode(m);
  expect([label, ca, describeFixError(a.error)]).toEqual([label, cb, describeFixError(b.error)]);
  expect(viewOf(a.message, ca === 0)).toEqual(viewOf(b.message, cb === 0));
  // Stream framing: frame, then decode what was framed.
  let p = 0;
  while (p < m.length) {
    const na = a.frame(m, p, m.length), nb = b.frame(m, p, m.length);
    expect([label, p, na, a.error.code, a.error.offset, a.error.tag]).toEqual([label, p, nb, b.error.code, b.error.offset, b.error.tag]);
    if (na === 0) break;
    if (na > 0) {
      const da = a.decodeFramed(m, p, na), db = b.decodeFramed(m, p, nb);
      expect([label, p, da, describeFixError(a.error)]).toEqual([label, p, db, describeFixError(b.error)]);
      expect(viewOf(a.message, da === 0)).toEqual(viewOf(b.message, db === 0));
    }
    p += Math.abs(na);
  }
  return ca === 0;
}

describe("the single-pass decoder refuses and accepts exactly as the decoder before it", () => {
  const msgs = [...corpus(), ...dataMessages()];

  test("every corpus message decodes, validated and not", () => {
    for (const validate of [true, false]) {
      const a = new FixDecoder(dict, { validate }), b = new FixDecoderBefore(dict, { validate });
      for (const m of msgs) expect(same(a, b, m, "corpus")).toBe(true);
    }
  });

  test("every field's value replaced by each malformed value gives the same result and reason", () => {
    const a = new FixDecoder(dict), b = new FixDecoderBefore(dict);
    let refused = 0;
    for (const m of msgs) {
      const fields = Array.from(m).filter((c) => c === 1).length;
      for (let i = 2; i < fields - 1; i++) for (const v of ODD) if (!same(a, b, reframe(withValue(m, i, v)), `field ${i} = ${JSON.stringify(v)}`)) refused++;
    }
    expect(refused).toBeGreaterThan(500);
  });

  test("every field's tag replaced by each malformed or misplaced tag gives the same result and reason", () => {
    const a = new FixDecoder(dict), b = new FixDecoderBefore(dict);
    let refused = 0;
    for (const m of msgs) {
      const fields = Array.from(m).filter((c) => c === 1).length;
      for (let i = 0; i < fields; i++) for (const t of ODD_TAGS) if (!same(a, b, reframe(withTag(m, i, t)), `tag of field ${i} = ${JSON.stringify(t)}`)) refused++;
    }
    expect(refused).toBeGreaterThan(500);
  });

  test("decodeFramed on every prefix of a message (no frame: the scan meets the end anywhere) gives the same result and reason", () => {
    const a = new FixDecoder(dict), b = new FixDecoderBefore(dict);
    for (const m of msgs) {
      for (let k = 0; k <= m.length; k++) {
        const da = a.decodeFramed(m, 0, k), db = b.decodeFramed(m, 0, k);
        expect([k, da, describeFixError(a.error)]).toEqual([k, db, describeFixError(b.error)]);
        expect(viewOf(a.message, da === 0)).toEqual(viewOf(b.message, db === 0));
      }
    }
  });

  test(`${N} fuzzed messages give the same result, reason and view`, () => {
    const rng = new Rng(0x5EED13);
    const a = new FixDecoder(dict), b = new FixDecoderBefore(dict);
    const loose = new FixDecoder(dict, { validate: false }), looseBefore = new FixDecoderBefore(dict, { validate: false });
    let accepted = 0;
    for (let i = 0; i < N; i++) {
      const raw = mutate(rng, msgs[rng.int(msgs.length)] as Uint8Array, msgs[rng.int(msgs.length)] as Uint8Array);
      const m = rng.int(2) === 0 ? reframe(raw) : raw;
      if (same(a, b, m, `mutation ${i}`)) accepted++;
      if (i % 8 === 0) same(loose, looseBefore, m, `unvalidated mutation ${i}`);
    }
    expect(accepted).toBeGreaterThan(N / 50);
  }, 120_000);

  test("decodeFramed without a frame first, or on bytes other than the framed ones, scans them itself", () => {
    const a = new FixDecoder(dict), b = new FixDecoderBefore(dict);
    const er = msgs[0] as Uint8Array, md = msgs[1] as Uint8Array;
    const both = new Uint8Array(er.length + md.length);
    both.set(er);
    both.set(md, er.length);
    expect(a.frame(both, 0, both.length)).toBe(er.length);
    // Not the framed message: the second one, decoded without framing it.
    expect(a.decodeFramed(both, er.length, md.length)).toBe(b.decodeFramed(both, er.length, md.length));
    expect(viewOf(a.message, true)).toEqual(viewOf(b.message, true));
    expect(a.message.msgType).toBe("X");
    // A frame whose bytes changed after `frame` but before `decodeFramed` at another offset.
    const copy = both.slice();
    expect(a.frame(copy, 0, copy.length)).toBe(er.length);
    expect(a.decodeFramed(both, 0, er.length)).toBe(0);
    expect(a.message.buf).toBe(both);
  });
});
