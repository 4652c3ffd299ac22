/**
 * Recognising the layout of the quote CSV a user most often has: a header line naming the time,
 * bid and ask columns (and optionally the bid and ask sizes), any common delimiter, and times as
 * ISO 8601 date-times or as a number since the epoch in s, ms, µs or ns, told apart by magnitude.
 * What was recognised is also said in words, so that an import can print it.
 */
import type { CsvMapping, TsFormat } from "./mapped-csv.ts";
import { TextCursor } from "./text-cursor.ts";
import { parseDateTimeBytes } from "./time-text.ts";

/** A recognised layout: the mapping to read the file with, and what was recognised, in words. */
export interface CsvLayout {
  mapping: CsvMapping;
  description: string;
}

/** Header names of each role, lower case with everything but letters and digits removed. */
const NAMES: Record<"ts" | "bid" | "ask" | "bidSize" | "askSize", readonly string[]> = {
  ts: ["ts", "t", "time", "timestamp", "datetime", "date", "tsms", "tsus", "tsns", "timems", "timeus", "timens", "timestampms", "timestampus", "timestampns", "utc", "timeutc", "datetimeutc", "localtime", "gmttime", "eventtime", "transacttime"],
  bid: ["bid", "bidprice", "bestbid", "bestbidprice", "bidpx", "bid1", "bidprice1", "bidp"],
  ask: ["ask", "askprice", "bestask", "bestaskprice", "askpx", "ask1", "askprice1", "askp", "offer", "offerprice", "bestoffer"],
  bidSize: ["bidsize", "bidqty", "bidquantity", "bidvolume", "bidvol", "bidamount", "bidsz", "bestbidsize", "bestbidqty", "bidsize1", "bidqty1"],
  askSize: ["asksize", "askqty", "askquantity", "askvolume", "askvol", "askamount", "asksz", "bestasksize", "bestaskqty", "asksize1", "askqty1", "offersize", "offerqty", "offervolume"],
};

const DELIMITERS = [",", ";", "\t", "|"];
const TS_WORDS: Record<TsFormat, string> = {
  s: "seconds since the epoch",
  ms: "milliseconds since the epoch",
  us: "microseconds since the epoch",
  ns: "nanoseconds since the epoch",
  datetime: "ISO 8601 date-time (UTC unless it carries an offset)",
};

function normalise(name: string): string {
  return name
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** Column roles named by a header line; undefined unless it names at least time, bid and ask. */
export function recogniseQuoteHeader(line: string): { delimiter: string; names: string[]; columns: Partial<Record<keyof typeof NAMES, number>> } | undefined {
  const delimiter = DELIMITERS.map((d) => [d, line.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]!;
  if (delimiter[1] < 3) return undefined;
  const names = line.split(delimiter[0]).map((n) => n.trim().replace(/^"(.*)"$/, "$1"));
  const columns: Partial<Record<keyof typeof NAMES, number>> = {};
  names.forEach((raw, i) => {
    const n = normalise(raw);
    for (const role of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
      if (columns[role] === undefined && NAMES[role].includes(n)) columns[role] = i;
    }
  });
  if (columns.ts === undefined || columns.bid === undefined || columns.ask === undefined) return undefined;
  return { delimiter: delimiter[0], names, columns };
}

/**
 * Tells how the time column is written from the first data rows: a date-time, or a number whose
 * integer part's magnitude gives the unit (< 1e11 s, < 1e14 ms, < 1e17 µs, else ns). Undefined if
 * no row has a usable time.
 */
export function detectTsFormat(bytes: Uint8Array, delimiter: string, tsColumn: number, header: boolean, rows = 20): TsFormat | undefined {
  const c = new TextCursor(bytes, delimiter.charCodeAt(0));
  if (header) c.nextLine();
  for (let seen = 0; seen < rows && c.nextLine(); seen++) {
    for (let col = 0; col < tsColumn; col++) c.skip();
    if (!c.skip()) continue;
    const buf = c.buf;
    let start = c.fieldStart;
    let end = c.fieldEnd;
    while (start < end && (buf[start] === 32 || buf[start] === 34)) start++;
    while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 34)) end--;
    if (parseDateTimeBytes(buf, start, end) === parseDateTimeBytes(buf, start, end)) return "datetime";
    let digits = 0;
    let i = start;
    while (i < end && buf[i] >= 48 && buf[i] <= 57) {
      digits++;
      i++;
    }
    if (digits === 0 || (i < end && buf[i] !== 46)) continue;
    // Leading digits of the integer part, as a magnitude: 10 digits are seconds (until 2286), 13 ms, 16 µs, 19 ns.
    if (digits <= 11) return "s";
    if (digits <= 14) return "ms";
    if (digits <= 17) return "us";
    return "ns";
  }
  return undefined;
}

/** Says how a time column is written, in words. */
export function describeTsFormat(format: TsFormat): string {
  return TS_WORDS[format];
}

/**
 * Recognises a quote CSV with a header line naming time, bid and ask: the mapping and a
 * description; or the reason it is not one.
 */
export function inferCsvLayout(bytes: Uint8Array): CsvLayout | { error: string } {
  const end = bytes.indexOf(10);
  let first = new TextDecoder().decode(bytes.subarray(0, Math.min(end < 0 ? bytes.length : end, 2000))).replace(/\r$/, "");
  if (first.charCodeAt(0) === 0xfeff) first = first.slice(1);
  const header = recogniseQuoteHeader(first);
  if (header === undefined) return { error: `the first line does not name time, bid and ask columns: "${first.slice(0, 80)}"` };
  const { columns, names, delimiter } = header;
  const tsFormat = detectTsFormat(bytes, delimiter, columns.ts!, true);
  if (tsFormat === undefined) return { error: `column "${names[columns.ts!]}" holds neither a date-time nor a number since the epoch in its first rows` };
  const mapping: CsvMapping = { ts: columns.ts!, tsFormat, bid: columns.bid!, ask: columns.ask!, bidSize: columns.bidSize, askSize: columns.askSize, header: true, delimiter };
  const roles = (["ts", "bid", "ask", "bidSize", "askSize"] as const).filter((r) => columns[r] !== undefined).map((r) => `${r}=${names[columns[r]!]}`);
  const shown = delimiter === "\t" ? "tab" : `"${delimiter}"`;
  return { mapping, description: `format csv (header line, delimiter ${shown}), columns ${roles.join(",")}${columns.bidSize === undefined ? " (no sizes: 0)" : ""}, time ${describeTsFormat(tsFormat)}` };
}
