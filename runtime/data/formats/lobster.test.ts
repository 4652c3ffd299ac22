import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LobsterType, newLobsterMessage, openLobsterBook, openLobsterMessages, parseLobsterFileName, zoneOffsetMinutes } from "./lobster.ts";
import { sharedData, tempFolder, testInstrument } from "./test-support.ts";

// Real files and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(20_000);

const GOOG = testInstrument("GOOG", 4, 0);
const MESSAGES = sharedData("lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz");
const BOOK = sharedData("lobster/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz");

describe("LOBSTER", () => {
  test("the file name gives ticker, day and levels", () => {
    expect(parseLobsterFileName(BOOK)).toEqual({ ticker: "GOOG", dayUs: Date.UTC(2012, 5, 21) * 1000, kind: "orderbook", levels: 10 });
    expect(zoneOffsetMinutes("America/New_York", Date.UTC(2012, 5, 21) * 1000)).toBe(-240);
    expect(zoneOffsetMinutes("America/New_York", Date.UTC(2012, 0, 5) * 1000)).toBe(-300);
  });

  test("messages and book rows pair up one to one, and each visible submission shows in the book after it", () => {
    const messages = openLobsterMessages(MESSAGES, GOOG);
    const { reader: books, newRow } = openLobsterBook(BOOK, GOOG);
    const m = newLobsterMessage();
    const b = newRow();
    let n = 0;
    let checked = 0;
    let firstTs = 0;
    let lastTs = 0;
    while (messages.next(m)) {
      if (!books.next(b)) throw new Error(`book file ends before message ${n + 1}`);
      if (n++ === 0) firstTs = m.ts;
      lastTs = m.ts;
      if (m.type === LobsterType.Submit) {
        const prices = m.direction === 1 ? b.bidPrice : b.askPrice;
        const levels = m.direction === 1 ? b.bidLevels : b.askLevels;
        const inside = m.direction === 1 ? m.price >= prices[levels - 1] : m.price <= prices[levels - 1];
        if (inside) {
          if (!prices.includes(m.price)) throw new Error(`message ${n}: submitted ${m.price} not in book`);
          checked++;
        }
      }
    }
    expect(books.next(b)).toBe(false);
    expect(n).toBe(147_916);
    expect(checked).toBeGreaterThan(50_000);
    expect(messages.errorCount + books.errorCount).toBe(0);
    // 34200.015105074 s after midnight New York time (EDT) is 13:30:00.015105 UTC.
    expect(firstTs).toBe(Date.UTC(2012, 5, 21, 13, 30, 0, 15) * 1000 + 105);
    expect(lastTs).toBeLessThan(Date.UTC(2012, 5, 21, 20, 0) * 1000);
  }, 20_000);

  test("bad message rows are reported with file, line and reason", () => {
    using dir = tempFolder();
    const path = join(dir.path, "GOOG_2012-06-21_34200000_57600000_message_1.csv");
    writeFileSync(path, "34200.1,1,5,100,5800000,1\n34200.2,9,5,100,5800000,1\n34200.3,1,5,100,5800000,0\n34200.4,1,5,100\n");
    const r = openLobsterMessages(path, GOOG, { utcOffsetMinutes: 0 });
    const m = newLobsterMessage();
    expect(r.next(m)).toBe(true);
    expect(m).toEqual({ ts: Date.UTC(2012, 5, 21, 9, 30, 0, 100) * 1000, type: 1, orderId: 5, size: 100, price: 5800000, direction: 1 });
    expect(r.next(m)).toBe(false);
    expect(r.errors).toEqual([
      { file: path, line: 2, reason: "type: unknown event type 9" },
      { file: path, line: 3, reason: "direction: 0 is not 1 or -1" },
      { file: path, line: 4, reason: "price: missing" },
    ]);
  });

  test("an instrument with fewer than 4 price decimals is refused", () => {
    expect(() => openLobsterMessages(MESSAGES, testInstrument("GOOG", 2, 0))).toThrow("DATA_INSTRUMENT_TOO_COARSE");
  });
});
