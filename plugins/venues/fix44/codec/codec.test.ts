import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FixDecoder } from "./decode.ts";
import { FixEncoder, fixBytes, fixText } from "./encode.ts";
import { FixError, FIX_ERROR_CODES, describeFixError } from "./errors.ts";
import { parseScaledAscii, writeScaledAscii } from "./decimal.ts";
import { parseUtcTimestamp, writeUtcTimestamp } from "./time.ts";
import { encodeObject, messageToObject } from "./object.ts";
import { standardDictionary } from "../dictionary/load.ts";
import { sampleExecutionReport, sampleIncrementalRefresh } from "../testing/messages.ts";

const dict = standardDictionary("FIX44");

/** Rebuilds a message from '|' text with a correct BodyLength and CheckSum around the given body. */
function framed(body: string, begin = "FIX.4.4"): Uint8Array {
  const bodyBytes = fixBytes(body);
  const head = fixBytes(`8=${begin}|9=${bodyBytes.length}|`);
  const all = new Uint8Array(head.length + bodyBytes.length);
  all.set(head);
  all.set(bodyBytes, head.length);
  let sum = 0;
  for (const b of all) sum += b;
  return fixBytes(fixText(all) + `10=${String(sum & 255).padStart(3, "0")}|`);
}

const HDR = "35=8|49=LP1|56=KESTREL|34=3|52=20251124-16:00:00.123|";
const ER_BODY = "37=O1|17=E1|150=0|39=0|55=EURUSD|54=1|151=100|14=0|6=0|";

describe("decoding", () => {
  test("an execution report decodes with integer and scaled decimal fields read from the bytes", () => {
    const dec = new FixDecoder(dict);
    expect(dec.decode(sampleExecutionReport())).toBe(FixError.None);
    const m = dec.message;
    expect(m.msgType).toBe("8");
    expect(m.seqNum).toBe(7);
    expect(m.scaled(44, 5)).toBe(110_015);
    expect(m.scaled(31, 5)).toBe(110_012);
    expect(m.scaled(32, 0)).toBe(1_000_000);
    expect(m.scaled(44, 2)).toBeNaN(); // 1.10015 is not exact at 2 decimals
    expect(m.char(150)).toBe(70);
    expect(m.string(11)).toBe("C-42");
    expect(m.timestampAt(m.indexOf(60))).toBe(1_764_000_000_123_000);
  });

  test("repeating group instances are walked by extent and nested tags do not leak to the top level", () => {
    const dec = new FixDecoder(dict);
    expect(dec.decode(sampleIncrementalRefresh())).toBe(FixError.None);
    const m = dec.message;
    expect(m.indexOf(270)).toBe(-1);
    const g = m.indexOf(268);
    expect(m.intAt(g)).toBe(4);
    const prices: number[] = [];
    const sizes: number[] = [];
    for (let k = 0, p = g + 1; k < 4; k++, p = m.endOf(p)) {
      expect(m.tags[p]).toBe(279);
      prices.push(m.scaledIn(270, p, m.endOf(p), 5));
      sizes.push(m.scaledIn(271, p, m.endOf(p), 0));
    }
    expect(prices).toEqual([110_010, 110_009, 110_020, 110_021]);
    expect(sizes).toEqual([1_000_000, 2_000_000, 3_000_000, 4_000_000]);
    const obj = messageToObject(m, dict);
    expect((obj.NoMDEntries as { MDEntryPx: string }[]).map((e) => e.MDEntryPx)).toEqual(["1.1001", "1.10009", "1.1002", "1.10021"]);
  });

  test("an object encoded through the dictionary decodes back to the same fields", () => {
    const enc = new FixEncoder("FIX.4.4");
    const body = { SenderCompID: "A", TargetCompID: "B", MsgSeqNum: "5", SendingTime: "20251124-16:00:00.000", MDReqID: "r1",
      SubscriptionRequestType: "1", MarketDepth: "1", NoMDEntryTypes: [{ MDEntryType: "0" }, { MDEntryType: "1" }], NoRelatedSym: [{ Symbol: "EURUSD" }] };
    const r = encodeObject(enc, dict, "V", body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const dec = new FixDecoder(dict);
    expect(dec.decode(r.bytes)).toBe(FixError.None);
    const obj = messageToObject(dec.message, dict);
    expect(obj.NoMDEntryTypes).toEqual([{ MDEntryType: "0" }, { MDEntryType: "1" }]);
    expect(obj.MDReqID).toBe("r1");
    expect(encodeObject(enc, dict, "V", { Nonsense: "1" })).toEqual({ ok: false, code: "FIX_UNKNOWN_FIELD_NAME", reason: "name=Nonsense" });
  });

  test("the FIX 5.0 SP2 dictionary decodes a FIXT.1.1 message", () => {
    const d5 = standardDictionary("FIX50SP2");
    const dec = new FixDecoder(d5);
    const bytes = framed("35=0|49=A|56=B|34=2|52=20251124-16:00:00.000|112=t1|", "FIXT.1.1");
    expect(dec.decode(bytes)).toBe(FixError.None);
    expect(dec.message.string(112)).toBe("t1");
  });
});

describe("refusals carry a code and context", () => {
  const cases: [string, Uint8Array, FixError, number][] = [
    ["unknown tag", framed(HDR + ER_BODY + "9999=1|"), FixError.UnknownTag, 9999],
    ["tag not defined for the message", framed(HDR + ER_BODY + "112=x|"), FixError.TagNotInMessage, 112],
    ["duplicate tag", framed(HDR + ER_BODY + "55=GBPUSD|"), FixError.DuplicateTag, 55],
    ["required tag missing", framed(HDR + ER_BODY.replace("17=E1|", "")), FixError.RequiredTagMissing, 17],
    ["bad integer", framed(HDR.replace("34=3", "34=3x") + ER_BODY), FixError.BadValueFormat, 34],
    ["bad price", framed(HDR + ER_BODY + "44=1.2.3|"), FixError.BadValueFormat, 44],
    ["group count too high", framed("35=X|49=A|56=B|34=3|52=20251124-16:00:00.123|268=2|279=0|269=0|270=1.1|"), FixError.BadGroupCount, 268],
    ["group count too low", framed("35=X|49=A|56=B|34=3|52=20251124-16:00:00.123|268=1|279=0|269=0|279=1|269=1|"), FixError.BadGroupCount, 268],
    ["unknown message type", framed("35=ZZ|49=A|56=B|34=3|52=20251124-16:00:00.123|"), FixError.UnknownMsgType, 35],
    ["MsgType not third", framed("49=A|35=0|56=B|34=3|52=20251124-16:00:00.123|"), FixError.BadFieldOrder, 35],
    ["header field after the body", framed(HDR + ER_BODY + "50=S|"), FixError.BadFieldOrder, 50],
    ["empty value", framed(HDR + ER_BODY + "58=|"), FixError.BadField, 58],
    ["tag with a leading zero", framed(HDR + ER_BODY + "058=x|"), FixError.BadField, 58],
  ];
  for (const [name, bytes, code, tag] of cases) {
    test(`${name} is refused with ${FIX_ERROR_CODES[code]} tag=${tag}`, () => {
      const dec = new FixDecoder(dict);
      expect(dec.decode(bytes)).toBe(code);
      expect(dec.error.tag).toBe(tag);
      expect(describeFixError(dec.error)).toStartWith(FIX_ERROR_CODES[code] as string);
    });
  }

  test("framing: truncated, bad checksum, bad length, wrong BeginString and garbage", () => {
    const dec = new FixDecoder(dict);
    const good = sampleExecutionReport();
    expect(dec.frame(good, 0, good.length - 1)).toBe(0);
    expect(dec.decode(good.subarray(0, 30))).toBe(FixError.Truncated);
    const badSum = good.slice();
    badSum[badSum.length - 2] = badSum[badSum.length - 2] === 48 ? 49 : 48;
    expect(dec.frame(badSum, 0, badSum.length)).toBe(-badSum.length);
    expect(dec.error.code).toBe(FixError.BadChecksum);
    const text = fixText(good);
    const longer = fixBytes(text.replace(/\|9=(\d+)\|/, (_m, n) => `|9=${Number(n) + 3}|`));
    const stream = new Uint8Array(longer.length + good.length);
    stream.set(longer);
    stream.set(good, longer.length);
    const skip = dec.frame(stream, 0, stream.length);
    expect(dec.error.code).toBe(FixError.BadLength);
    expect(-skip).toBe(longer.length); // the next message is found intact
    expect(dec.frame(stream, -skip, stream.length)).toBe(good.length);
    expect(dec.decode(fixBytes("8=FIX.4.2|9=5|35=0|10=000|"))).toBe(FixError.BadBeginString);
    const junk = fixBytes("hello|8=FIX.4.4|");
    expect(dec.frame(junk, 0, junk.length)).toBe(-6);
    expect(dec.error.code).toBe(FixError.Garbled);
  });

  test("a decoder keeps validating past 2^31 messages (its by-tag stamps are cleared before they wrap)", () => {
    const dec = new FixDecoder(dict);
    Reflect.set(dec, "generation", 0x7fffffff - 3);
    const dup = framed(HDR + ER_BODY + "55=GBPUSD|");
    for (let i = 0; i < 6; i++) {
      expect(dec.decode(sampleExecutionReport())).toBe(FixError.None);
      expect(dec.message.indexOf(31)).toBeGreaterThan(0);
      expect(dec.decode(dup)).toBe(FixError.DuplicateTag);
    }
  });

  test("a decoder with too small a capacity refuses at construction", () => {
    expect(() => new FixDecoder(dict, { maxFields: 2 })).toThrow("FIX_DECODER_CONFIG");
  });
});

describe("exact numbers", () => {
  test("scaled decimals round-trip through text exactly", () => {
    const buf = new Uint8Array(64);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 9 }), (v, d) => {
      const end = writeScaledAscii(buf, 0, v, d);
      return parseScaledAscii(buf, 0, end, d) === v;
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 9 }), (v, d) => {
      const end = writeScaledAscii(buf, 0, v, d);
      const text = fixText(buf.subarray(0, end));
      return parseScaledAscii(buf, 0, end, d) === v && !/\.\d*0$/.test(text);
    }), { numRuns: 3000 });
  });

  test("decimals with extra non-zero digits or beyond 2^53 are refused, trailing zeros are not", () => {
    const b = (s: string) => fixBytes(s);
    const at = (s: string, d: number) => parseScaledAscii(b(s), 0, s.length, d);
    expect(at("1.10015", 5)).toBe(110015);
    expect(at("1.100150000", 5)).toBe(110015);
    expect(at("1.100151", 5)).toBeNaN();
    expect(at("-0.5", 1)).toBe(-5);
    expect(at("12", 3)).toBe(12000);
    expect(at(".5", 1)).toBe(5);
    expect(at("9007199254740993", 0)).toBeNaN();
    expect(at("", 2)).toBeNaN();
    expect(at("1e5", 0)).toBeNaN();
  });

  test("timestamps round-trip at millisecond precision", () => {
    const buf = new Uint8Array(32);
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
      const end = writeUtcTimestamp(buf, 0, ms * 1000);
      return end === 21 && parseUtcTimestamp(buf, 0, end) === ms * 1000 && fixText(buf.subarray(0, 21)) === new Date(ms).toISOString().replace(/[-]/g, "").replace("T", "-").replace("Z", "").replace(/^(\d{8})/, "$1");
    }), { numRuns: 2000 });
  });
});
