import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { Instrument } from "../../../../plugins/sdk/instrument.ts";
import { MarketEventKind, newMarketEvent } from "../market-source.ts";
import { SourceConfigError } from "../source-error.ts";
import { openReplaySource } from "./replay-source.ts";

const DATA = fileURLToPath(new URL("../../../../../shared/data/", import.meta.url));
const fx = (id: number, symbol: string): Instrument => ({ id, symbol, venue: "oanda", base: symbol.slice(0, 3), quote: symbol.slice(3), priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1 });
const EURUSD = fx(0, "EURUSD");
const NZDUSD = fx(1, "NZDUSD");

/** Counts the non-empty lines of every gzip file in a folder, without the format readers. */
function countLines(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) for (const line of gunzipSync(readFileSync(join(dir, f))).toString().split("\n")) if (line.trim() !== "") n++;
  return n;
}

let tmp = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "kestrel-replay-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("replay source", () => {
  test("replays the whole Dukascopy EURUSD day: 136,741 ticks in ts order", () => {
    const replay = openReplaySource([{ path: join(DATA, "dukascopy/EURUSD/2019-02-04.csv"), instrument: EURUSD, format: "dukascopy-csv" }]);
    const ev = newMarketEvent();
    let n = 0, prev = -Infinity, first = 0;
    while (replay.next(ev)) {
      if (n === 0) first = ev.ts;
      if (ev.ts < prev) throw new Error(`ts went back at row ${n}`);
      if (!(ev.kind === MarketEventKind.Quote && ev.instrument === 0 && ev.ask >= ev.bid && ev.bid > 100_000)) throw new Error(`bad event ${JSON.stringify(ev)}`);
      prev = ev.ts;
      n++;
    }
    expect(n).toBe(136_741);
    // First line: 1549238400994,1.14543,1.14545,2.06,1.0
    expect(first).toBe(1_549_238_400_994_000);
    expect(replay.errorCount).toBe(0);
    expect(replay.peekTs()).toBe(Infinity);
  });

  test("the Dukascopy bi5 hour files of the day replay the same ticks as its CSV", () => {
    const csv = openReplaySource([{ path: join(DATA, "dukascopy/EURUSD/2019-02-04.csv"), instrument: EURUSD, format: "dukascopy-csv" }]);
    const bi5 = openReplaySource([{ path: join(DATA, "dukascopy/EURUSD"), instrument: EURUSD, format: "dukascopy-bi5" }]);
    const a = newMarketEvent(), b = newMarketEvent();
    let n = 0;
    while (csv.next(a)) {
      if (!bi5.next(b)) throw new Error(`bi5 ended after ${n} ticks`);
      if (a.ts !== b.ts || a.bid !== b.bid || a.ask !== b.ask) throw new Error(`tick ${n} differs: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      n++;
    }
    expect(bi5.next(b)).toBe(false);
    expect(n).toBe(136_741);
    expect(bi5.errorCount).toBe(0);
  }, 20_000);

  test("merges the OANDA EURUSD and NZDUSD weeks in event time, EURUSD first on equal ts", () => {
    const specs = [
      { path: join(DATA, "oanda/eurusd"), instrument: EURUSD, format: "lean" as const },
      { path: join(DATA, "oanda/nzdusd"), instrument: NZDUSD, format: "lean" as const },
    ];
    const replay = openReplaySource(specs);
    const ev = newMarketEvent();
    const count = [0, 0];
    let prevTs = -Infinity, prevInstrument = -1, ties = 0, switches = 0;
    const firstTs: number[] = [];
    const days = new Set<number>();
    while (true) {
      const peek = replay.peekTs();
      if (!replay.next(ev)) break;
      if (ev.ts !== peek) throw new Error("peekTs disagrees with next");
      if (ev.ts < prevTs) throw new Error(`merged ts went back: ${prevTs} then ${ev.ts}`);
      if (ev.ts === prevTs && ev.instrument !== prevInstrument) {
        ties++;
        if (ev.instrument < prevInstrument) throw new Error(`tie at ${ev.ts} broken against spec order`);
      }
      if (ev.instrument !== prevInstrument) switches++;
      firstTs[ev.instrument] ??= ev.ts;
      days.add(Math.floor(ev.ts / 86_400_000_000));
      count[ev.instrument]++;
      prevTs = ev.ts;
      prevInstrument = ev.instrument;
    }
    expect(count[0]).toBe(countLines(join(DATA, "oanda/eurusd")));
    expect(count[1]).toBe(countLines(join(DATA, "oanda/nzdusd")));
    // First rows of 2014-05-01: EURUSD at 292 ms, NZDUSD at 2230 ms after midnight UTC.
    const may1 = Date.UTC(2014, 4, 1) * 1000;
    expect(firstTs[0]).toBe(may1 + 292_000);
    expect(firstTs[1]).toBe(may1 + 2_230_000);
    expect(days.size).toBe(8);
    expect(switches).toBeGreaterThan(100_000);
    expect(ties).toBeGreaterThan(0);
    expect(replay.outOfOrderCount).toBe(0);
    expect(replay.errorCount).toBe(0);
  }, 30_000);

  test("a glob of day files replays just the days it matches, in date order", () => {
    const replay = openReplaySource([{ path: join(DATA, "oanda/nzdusd/2014050[4-6]_*.csv.gz"), instrument: NZDUSD, format: "lean" }]);
    const ev = newMarketEvent();
    const days: number[] = [];
    let prev = -Infinity;
    while (replay.next(ev)) {
      expect(ev.ts).toBeGreaterThanOrEqual(prev);
      prev = ev.ts;
      const day = new Date(ev.ts / 1000).getUTCDate();
      if (days[days.length - 1] !== day) days.push(day);
    }
    // The Sunday file (the 4th) starts at 21:00 UTC.
    expect(days).toEqual([4, 5, 6]);
  });

  test("out-of-order rows are passed through and counted; bad rows are counted", () => {
    const file = join(tmp, "ticks.csv");
    writeFileSync(file, ["ts,bid,ask", "1000,1.10000,1.10002", "3000,1.10001,1.10003", "2000,1.10002,1.10004", "4000,oops,1.1", "5000,1.10003,1.10005"].join("\n"));
    const replay = openReplaySource([{ path: file, instrument: EURUSD, format: "csv", mapping: { ts: "ts", tsFormat: "ms", bid: "bid", ask: "ask", header: true } }]);
    const ev = newMarketEvent();
    const seen: number[] = [];
    while (replay.next(ev)) seen.push(ev.ts / 1000);
    expect(seen).toEqual([1000, 3000, 2000, 5000]);
    expect(replay.outOfOrderCount).toBe(1);
    expect(replay.errorCount).toBe(2);
    expect(replay.errors.length).toBe(1);
  });

  test("three sources tie-break on ts by spec order", () => {
    const write = (name: string, rows: number[]): string => {
      const path = join(tmp, name);
      writeFileSync(path, rows.map((ts) => `${ts},1.00000,1.00001`).join("\n"));
      return path;
    };
    const mapping = { ts: 0, tsFormat: "ms" as const, bid: 1, ask: 2, header: false };
    const replay = openReplaySource([
      { path: write("a.csv", [1, 5, 5, 9]), instrument: fx(7, "EURUSD"), format: "csv", mapping },
      { path: write("b.csv", [5, 6]), instrument: fx(3, "GBPUSD"), format: "csv", mapping },
      { path: write("c.csv", [0, 5, 9]), instrument: fx(5, "AUDUSD"), format: "csv", mapping },
    ]);
    const ev = newMarketEvent();
    const order: string[] = [];
    while (replay.next(ev)) order.push(`${ev.ts / 1000}:${ev.instrument}`);
    expect(order).toEqual(["0:5", "1:7", "5:7", "5:7", "5:3", "5:5", "6:3", "9:7", "9:5"]);
  });

  test("any set of files replays as the stable sort of all rows by (ts, spec order)", () => {
    const mapping = { ts: 0, tsFormat: "us" as const, bid: 1, ask: 2, header: false };
    let run = 0;
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 25 }), { minLength: 1, maxLength: 5 }), (lists) => {
        run++;
        const specs = lists.map((l, i) => {
          const path = join(tmp, `p${run}-${i}.csv`);
          // Row values carry their file and line so the order can be checked exactly.
          writeFileSync(path, [...l].sort((a, b) => a - b).map((ts, line) => `${ts},${1000 + i}.${String(line).padStart(5, "0")},2000`).join("\n"));
          return { path, instrument: fx(10 + i, "EURUSD"), format: "csv" as const, mapping };
        });
        const replay = openReplaySource(specs);
        const ev = newMarketEvent();
        const got: string[] = [];
        while (replay.next(ev)) got.push(`${ev.ts}/${ev.instrument}/${ev.bid}`);
        const expected = lists
          .flatMap((l, i) => [...l].sort((a, b) => a - b).map((ts, line) => ({ ts, i, line })))
          .sort((a, b) => a.ts - b.ts || a.i - b.i || a.line - b.line)
          .map(({ ts, i, line }) => `${ts}/${10 + i}/${(1000 + i) * 100_000 + line}`);
        expect(got).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  test("a folder of csv files replays them in name order", () => {
    const dir = mkdtempSync(join(tmp, "months-"));
    writeFileSync(join(dir, "EURUSD-2019-02.csv"), "3000,1.10000,1.10002\n4000,1.10000,1.10002\n");
    writeFileSync(join(dir, "EURUSD-2019-01.csv"), "1000,1.10000,1.10002\n2000,1.10000,1.10002\n");
    const replay = openReplaySource([{ path: dir, instrument: EURUSD, format: "csv", mapping: { ts: 0, tsFormat: "ms", bid: 1, ask: 2, header: false } }]);
    const ev = newMarketEvent();
    const seen: number[] = [];
    while (replay.next(ev)) seen.push(ev.ts / 1000);
    expect(seen).toEqual([1000, 2000, 3000, 4000]);
    expect(replay.outOfOrderCount).toBe(0);
  });

  test("a missing path is refused at open with a code; a csv without mapping is read by its header", () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof SourceConfigError ? e.code : `other: ${e}`;
      }
      return undefined;
    };
    expect(codeOf(() => openReplaySource([{ path: join(tmp, "nope.csv"), instrument: EURUSD, format: "dukascopy-csv" }]))).toBe("SOURCE_FILE_MISSING");
    expect(codeOf(() => openReplaySource([{ path: join(tmp, "*.none"), instrument: EURUSD, format: "lean" }]))).toBe("SOURCE_NO_FILES");
    // A csv without a mapping is read when its header names time, bid and ask (here ts_ms, bid, ask; issue 10).
    const recognised = openReplaySource([{ path: join(DATA, "dukascopy/EURUSD/2019-02-04.csv"), instrument: EURUSD, format: "csv" }]);
    expect([recognised.emptyReaders, recognised.errorCount]).toEqual([[], 0]);
    recognised.close();
    expect(codeOf(() => openReplaySource([]))).toBe("SOURCE_PARAM_INVALID");
  });
});
