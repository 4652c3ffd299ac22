/** The LOBSTER test: real NASDAQ GOOG messages replayed into the L3 book reproduce every book row. */
import { expect, test } from "bun:test";
import { readBookRows, readMessages, replayAndCheck } from "./testing/lobster.ts";

const DATA = new URL("../../../../../shared/data/lobster/", import.meta.url);
const ROWS = 147_916;

test("the L3 book fed LOBSTER's GOOG 2012-06-21 messages reproduces all 147,916 ten-level rows", async () => {
  const msgs = readMessages(await Bun.file(new URL("GOOG_2012-06-21_34200000_57600000_message_10.csv.gz", DATA)).bytes(), ROWS + 1);
  const book = readBookRows(await Bun.file(new URL("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz", DATA)).bytes(), ROWS + 1);
  expect(msgs.count).toBe(ROWS);
  expect(book.count).toBe(ROWS);
  const report = replayAndCheck(msgs, book.rows);
  expect(report.rowsMatched).toBe(ROWS);
  // What the message file cannot tell (see testing/lobster.ts): depth sliding in from beyond the
  // 10-level window, and reductions of orders entered before the open or forgotten out of view.
  expect(report.revealedLevels).toBe(44_451);
  expect(report.unseenOrderReductions).toBe(7_121);
}, 30000);
