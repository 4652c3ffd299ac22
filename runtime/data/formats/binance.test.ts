import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openBinanceCapture, scaledText, type BookTicker } from "./binance.ts";
import { BinanceBook } from "./binance-book.ts";
import { sharedData, tempFolder, testInstrument } from "./test-support.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

const SPOT = testInstrument("BTCUSDT", 2, 8);
const USDM = testInstrument("BTCUSDT", 1, 3);

/** Replays captures into one book; returns how many bookTickers matched a diff's update id and every disagreement. */
function rebuild(files: string[], instrument = SPOT) {
  const book = new BinanceBook();
  const tops = new Map<number, string>();
  const tickers: BookTicker[] = [];
  let applied = 0;
  for (const file of files) {
    const reader = openBinanceCapture(sharedData(`binance/${file}`), instrument);
    for (let e = reader.next(); e !== undefined; e = reader.next()) {
      if (e.kind === "bookTicker") tickers.push(e);
      else if (e.kind === "snapshot" || e.kind === "depth") {
        const before = book.lastId;
        const res = e.kind === "snapshot" ? book.applySnapshot(e) : book.applyDiff(e);
        if (res === "gap") throw new Error(`gap at ${file}: ${JSON.stringify([e.kind, before])}`);
        if (book.synced && book.lastId !== before) {
          applied++;
          const bid = book.bestBid();
          const ask = book.bestAsk();
          tops.set(book.lastId, `${bid}x${book.bidSizeAt(bid)} / ${ask}x${book.askSizeAt(ask)}`);
        }
      }
    }
    expect(reader.errorCount).toBe(0);
  }
  const disagreements: string[] = [];
  let matched = 0;
  for (const t of tickers) {
    const top = tops.get(t.updateId);
    if (top === undefined) continue;
    matched++;
    const want = `${t.bid}x${t.bidSize} / ${t.ask}x${t.askSize}`;
    if (top !== want) disagreements.push(`u=${t.updateId}: book ${top}, bookTicker ${want}`);
  }
  return { matched, disagreements, applied, gaps: book.gaps };
}

describe("Binance captures", () => {
  test("decimal strings become exact integers and inexact ones are refused", () => {
    expect(scaledText("61837.63000000", 2)).toBe(6183763);
    expect(scaledText("0.00100000", 8)).toBe(100000);
    expect(scaledText("61837.635", 2)).toBeNaN();
    // Exponent notation is exact too (issue 10): 1e5 at 2 decimals is 100000.00.
    expect(scaledText("1e5", 2)).toBe(10_000_000);
    expect(scaledText("1e-3", 2)).toBeNaN();
    expect(scaledText(12, 2)).toBeNaN();
  });

  test("the spot book rebuilt from diffs agrees with every bookTicker at the same update id, across both files", () => {
    const r = rebuild(["spot_btcusdt_20240808.gz", "spot_btcusdt_20240809.gz"]);
    expect(r.disagreements.slice(0, 5)).toEqual([]);
    expect(r.gaps).toBe(0);
    expect(r.matched).toBeGreaterThan(1000);
    expect(r.applied).toBeGreaterThan(6000);
  }, 20_000);

  test("the USD-M futures book rebuilt from diffs agrees with every bookTicker at the same update id", () => {
    const r = rebuild(["usdm_btcusdt_20240808.gz"], USDM);
    expect(r.disagreements.slice(0, 5)).toEqual([]);
    expect(r.gaps).toBe(0);
    expect(r.matched).toBeGreaterThan(500);
  }, 20_000);

  test("a missing diff is reported as a gap and the book waits for a new snapshot", () => {
    const book = new BinanceBook();
    const diff = (U: number, u: number, bid: number) => ({ kind: "depth" as const, localTs: 0, eventTs: 0, firstId: U, lastId: u, prevLastId: -1, bids: [[bid, 5] as [number, number]], asks: [] });
    expect(book.applyDiff(diff(8, 12, 100))).toBe("buffered");
    expect(book.applySnapshot({ kind: "snapshot", localTs: 0, lastId: 10, bids: [[99, 1]], asks: [[101, 1]] })).toBe("applied");
    expect([book.synced, book.lastId, book.bestBid()]).toEqual([true, 12, 100]);
    expect(book.applyDiff(diff(11, 12, 98))).toBe("stale");
    expect(book.applyDiff(diff(14, 15, 98))).toBe("gap");
    expect([book.synced, book.gaps, book.bestBid()]).toEqual([false, 1, Number.NaN]);
    expect(book.applyDiff(diff(16, 17, 98))).toBe("buffered");
  });

  test("bad lines are reported with file, line and reason, and the rest is read", () => {
    using dir = tempFolder();
    const path = join(dir.path, "cap.gz");
    const good = '1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":5,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}';
    const lines = [good, "garbage", '1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":6,"b":"1.234","B":"1","a":"2","A":"1"}}', "1723161254087891268 {not json", good];
    writeFileSync(path, gzipSync(lines.join("\n")));
    const reader = openBinanceCapture(path, SPOT);
    const events = [];
    for (let e = reader.next(); e !== undefined; e = reader.next()) events.push(e);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ kind: "bookTicker", localTs: 1723161254087891, updateId: 5, bid: 6183763, bidSize: 378826000, ask: 6183764, askSize: 154698000 });
    expect(reader.errorCount).toBe(3);
    expect(reader.errors.map((e) => [e.file, e.line])).toEqual([
      [path, 2],
      [path, 3],
      [path, 4],
    ]);
    expect(reader.errors[1].reason).toBe("btcusdt@bookTicker: bid/ask not exact at 2 decimals: 1.234/2");
  });
});
