import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatScaled, parseScaled } from "../../../plugins/sdk/decimal.ts";
import { TextCursor } from "./text-cursor.ts";
import { scaledText } from "./binance.ts";

/** The three exact parsers at the edges, each answering a scaled integer or NaN. */
const parsers: [string, (text: string, decimals: number) => number][] = [
  ["parseScaled", (t, d) => {
    const r = parseScaled(t, d);
    return r.ok ? r.value : Number.NaN;
  }],
  ["TextCursor.scaled", (t, d) => {
    const c = new TextCursor(new TextEncoder().encode(`${t},next\n`));
    c.nextLine();
    const v = c.scaled(d);
    // The cursor must have consumed exactly this field.
    expect(c.text()).toBe("next");
    return v;
  }],
  ["binance scaledText", (t, d) => scaledText(t, d)],
];

describe("exact decimals in exponent notation", () => {
  const cases: [text: string, decimals: number, expected: number][] = [
    ["1.3e-05", 8, 1300],
    ["1.3E-05", 7, 130],
    ["1.3e-05", 6, 13],
    ["2E+3", 0, 2000],
    ["2e3", 2, 200000],
    ["1.35e2", 0, 135],
    ["1.350e2", 0, 135],
    ["1.14427e0", 5, 114427],
    ["114427e-5", 5, 114427],
    ["0.0e-300", 2, 0],
    ["5e-324", 0, Number.NaN],
    ["1.2345678e3", 4, 12345678],
    ["9e15", 0, 9e15],
  ];
  for (const [name, parse] of parsers) {
    test(`${name} parses exponent notation exactly and refuses what does not fit the increment`, () => {
      for (const [text, decimals, expected] of cases) expect([text, decimals, parse(text, decimals)]).toEqual([text, decimals, expected]);
      // Finer than the increment: refused, never rounded.
      expect(parse("1.3e-05", 5)).toBeNaN();
      expect(parse("1.35e1", 0)).toBeNaN();
      expect(parse("1e400", 0)).toBeNaN();
      expect(parse("1e", 2)).toBeNaN();
      expect(parse("e5", 2)).toBeNaN();
      expect(parse("1e+", 2)).toBeNaN();
      expect(parse("1.3e-0x", 2)).toBeNaN();
    });

    test(`${name}: any scaled value written in exponent notation reads back as itself`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: -12, max: 12 }), fc.boolean(), (value, decimals, shift, upper) => {
          // value × 10^-decimals written as mantissa × 10^shift, the mantissa's point moved to match.
          const plain = formatScaled(value, decimals);
          const [i, f = ""] = plain.split(".");
          const digits = i + f;
          const point = i.length - shift;
          const mantissa = point <= 0 ? `0.${"0".repeat(-point)}${digits}` : point >= digits.length ? digits + "0".repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
          const text = `${mantissa}${upper ? "E" : "e"}${shift >= 0 ? "+" : ""}${shift}`;
          expect([text, parse(text, decimals)]).toEqual([text, value]);
        }),
        { numRuns: 300 },
      );
    });
  }

  test("the refusal says what did not fit", () => {
    expect(parseScaled("1.3e-09", 8)).toEqual({ ok: false, reason: '"1.3e-09" (= 0.0000000013) has more than 8 decimals' });
    expect(parseScaled("1e30", 2)).toEqual({ ok: false, reason: '"1e30" is too large at 2 decimals' });
    const c = new TextCursor(new TextEncoder().encode("1.3e-09\n"));
    c.nextLine();
    expect(c.scaled(8)).toBeNaN();
    expect(c.describe("bidSize")).toBe('bidSize: "1.3e-09" has more than 8 decimals');
  });
});

test("a JavaScript number (from YAML or JSON) in exponent form parses exactly", async () => {
  const { parseScaledNumber } = await import("../../../plugins/sdk/decimal.ts");
  expect(parseScaledNumber(1e-7, 8)).toEqual({ ok: true, value: 10 });
  expect(parseScaledNumber(1.3e-5, 8)).toEqual({ ok: true, value: 1300 });
  expect(parseScaledNumber(2e21, 0)).toEqual({ ok: false, reason: '"2e+21" is too large at 0 decimals' });
  expect(parseScaledNumber(1e-7, 6).ok).toBe(false);
  expect(parseScaledNumber(Number.NaN, 2)).toEqual({ ok: false, reason: "not a finite number: NaN" });
});
