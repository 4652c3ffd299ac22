import { describe, expect, test } from "bun:test";
import { FixError } from "./errors.ts";
import { fixBytes } from "./encode.ts";
import { FixMessage } from "./message.ts";
import { FieldClass, FieldScanner } from "./scan.ts";
import { standardDictionary } from "../dictionary/load.ts";
import { sampleExecutionReport, sampleIncrementalRefresh } from "../testing/messages.ts";

const dict = standardDictionary("FIX44");

function scanner(maxFields = 64): FieldScanner {
  return new FieldScanner(dict.kinds, dict.maxTag, maxFields);
}

describe("field scan", () => {
  test("the sum is every byte of the range, and fields are split at '=' and SOH", () => {
    for (const msg of [sampleExecutionReport(), sampleIncrementalRefresh()]) {
      const s = scanner(), m = new FixMessage(64);
      expect(s.scan(msg, 0, msg.length, m)).toBe(FixError.None);
      expect(s.sum).toBe(msg.reduce((a, b) => a + b, 0));
      expect(s.count).toBe(msg.filter((b) => b === 1).length);
      const text = new TextDecoder().decode(msg).split("\x01").slice(0, -1);
      for (let i = 0; i < s.count; i++) {
        const [tag, value] = (text[i] as string).split("=") as [string, string];
        expect(m.tags[i]).toBe(Number(tag));
        expect(new TextDecoder().decode(msg.subarray(m.valueStart[i], m.valueEnd[i]))).toBe(value);
        expect(m.ends[i]).toBe(i + 1);
        expect(s.classes[i]).toBe(FieldClass.Ok);
      }
    }
  });

  test("each value is classed by its dictionary type: INT, decimal, CHAR, BOOLEAN, unknown tag", () => {
    const s = scanner(), m = new FixMessage(64);
    const body = fixBytes("34=-7|34=7x|34=-|44=-1.5|44=1.5.|44=.|44=1.|54=1|54=12|43=Y|43=y|9999=a|58=anything|");
    expect(s.scan(body, 0, body.length, m)).toBe(FixError.None);
    const Ok = FieldClass.Ok, BadFormat = FieldClass.BadFormat, UnknownTag = FieldClass.UnknownTag;
    expect(Array.from(s.classes.subarray(0, s.count))).toEqual([Ok, BadFormat, BadFormat, Ok, BadFormat, BadFormat, Ok, Ok, BadFormat, Ok, BadFormat, UnknownTag, Ok]);
  });

  test("a range that does not end in SOH is refused at its last field, with that field's offset and tag", () => {
    const s = scanner(), m = new FixMessage(64);
    const bytes = fixBytes("35=0|49=A|58=abc");
    expect(s.scan(bytes, 0, bytes.length, m)).toBe(FixError.BadField);
    expect([s.offset, s.tag]).toEqual([10, 58]);
    expect(s.scan(bytes, 0, 12, m)).toBe(FixError.BadField); // "58" without its '='
    expect([s.offset, s.tag]).toEqual([10, 58]);
    const data = fixBytes("35=0|95=4|96=ab");
    expect(s.scan(data, 0, data.length, m)).toBe(FixError.BadValueFormat);
    expect([s.offset, s.tag]).toEqual([10, 96]);
  });

  test("more fields than the capacity are refused with the count", () => {
    const s = scanner(8), m = new FixMessage(8);
    const bytes = fixBytes("1=a|".repeat(9));
    expect(s.scan(bytes, 0, bytes.length, m)).toBe(FixError.TooManyFields);
    expect([s.offset, s.expected, s.actual]).toEqual([32, 8, 9]);
  });
});
