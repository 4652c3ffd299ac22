import { describe, expect, test } from "bun:test";
import { SessionBooks } from "./book.ts";
import { writeNewOrderSingle, writeReplace, orderProblem } from "./orders.ts";
import { readExecutionReport } from "./reports.ts";
import { FixDecoder } from "../codec/decode.ts";
import { FixEncoder } from "../codec/encode.ts";
import { standardDictionary } from "../dictionary/load.ts";
import { validateVenueConfig } from "../core.ts";
import { sampleExecutionReport } from "../testing/messages.ts";

const dict = standardDictionary("FIX44");
const EURUSD = { symbol: "EURUSD", priceDecimals: 5, sizeDecimals: 2 };
const instruments = new Map([["EURUSD", EURUSD]]);

function md(type: "W" | "X", entries: [number, string, string, string, string][]): FixDecoder {
  const enc = new FixEncoder("FIX.4.4").begin(type).str(49, "LP1").str(56, "K").int(34, 2).timestamp(52, 0);
  if (type === "W") enc.str(55, "EURUSD");
  enc.int(268, entries.length);
  for (const [action, side, id, px, size] of entries) {
    if (type === "X") enc.char(279, action).char(269, side.charCodeAt(0)).str(278, id).str(55, "EURUSD");
    else enc.char(269, side.charCodeAt(0));
    enc.str(270, px).str(271, size);
  }
  const dec = new FixDecoder(dict);
  expect(dec.decode(enc.finish())).toBe(0);
  return dec;
}

describe("market data into quotes", () => {
  test("depth updates by entry id: new, change and delete move the top of book", () => {
    const books = new SessionBooks("lp", instruments, 0);
    books.apply(md("W", [[0, "0", "", "1.10000", "5"], [0, "1", "", "1.10010", "7.5"]]).message);
    expect(books.quote("EURUSD", 1)).toMatchObject({ bidPrice: 110000, bidSize: 500, askPrice: 110010, askSize: 750 });
    books.apply(md("X", [[48, "0", "b2", "1.10005", "1"], [48, "1", "a2", "1.10008", "2"]]).message);
    expect(books.quote("EURUSD", 2)).toMatchObject({ bidPrice: 110005, askPrice: 110008, askSize: 200 });
    books.apply(md("X", [[50, "1", "a2", "1.10008", "2"], [49, "0", "b2", "1.10006", "3"]]).message);
    expect(books.quote("EURUSD", 3)).toMatchObject({ bidPrice: 110006, bidSize: 300, askPrice: 110010 });
  });

  test("an entry whose price is finer than the instrument's tick is reported, not rounded", () => {
    const books = new SessionBooks("lp", instruments, 1);
    const { problems } = books.apply(md("W", [[0, "0", "", "1.100001", "5"]]).message);
    expect(problems[0]).toStartWith("FIX_VENUE_INEXACT_DECIMAL");
    expect(books.quote("EURUSD", 1).bidSize).toBe(0);
  });
});

describe("orders and reports", () => {
  test("orders carry exact decimals from integer ticks and units", () => {
    const enc = new FixEncoder("FIX.4.4").begin("D");
    writeNewOrderSingle(enc, { clOrdId: "c1", symbol: "EURUSD", side: "sell", type: "limit", quantity: 123_456, price: 110_015, timeInForce: "ioc" }, EURUSD, 0);
    const text = new TextDecoder().decode(enc.finish()).replaceAll("\x01", "|");
    expect(text).toContain("|38=1234.56|40=2|44=1.10015|59=3|");
    expect(text).toContain("|54=2|");
    const r = new FixEncoder("FIX.4.4").begin("G");
    writeReplace(r, { clOrdId: "c2", origClOrdId: "c1", symbol: "EURUSD", side: "buy", type: "market", quantity: 100 }, EURUSD, 0);
    expect(new TextDecoder().decode(r.finish()).replaceAll("\x01", "|")).toContain("|41=c1|11=c2|");
    expect(orderProblem({ clOrdId: "x", symbol: "EURUSD", side: "buy", type: "limit", quantity: 1 }, EURUSD)).toStartWith("FIX_VENUE_BAD_PRICE");
    expect(orderProblem({ clOrdId: "x", symbol: "EURUSD", side: "buy", type: "market", quantity: 0.5 }, EURUSD)).toStartWith("FIX_VENUE_BAD_QUANTITY");
  });

  test("an execution report maps to integers at the instrument's scales", () => {
    const dec = new FixDecoder(dict);
    dec.decode(sampleExecutionReport());
    const { report, inexact } = readExecutionReport("lp", dec.message, { symbol: "EURUSD", priceDecimals: 5, sizeDecimals: 0 }, 9);
    expect(inexact).toEqual([]);
    expect(report).toMatchObject({ kind: "fill", clOrdId: "C-42", side: "buy", lastPrice: 110012, lastQty: 1_000_000, price: 110015, cumQty: 1_000_000, leavesQty: 0, avgPrice: 110012, ts: 9 });
    expect(readExecutionReport("lp", dec.message, { symbol: "EURUSD", priceDecimals: 4, sizeDecimals: 0 }, 9).inexact).toEqual([44, 31, 6]);
  });

  test("venue configuration problems are all reported at once", () => {
    const base = { name: "a", host: "h", port: 1, senderCompID: "S", targetCompID: "T", heartBtIntSec: 30, symbols: ["EURUSD"] };
    expect(validateVenueConfig({ instruments: [EURUSD], sessions: [base, { ...base, port: 0, symbols: ["XAUUSD"], heartBtIntSec: 0 }] })).toEqual([
      "sessions[1].name: unique, got a",
      "sessions[1].port: 1..65535",
      "sessions[1].symbols: a configured instrument, got XAUUSD",
      "sessions[1].heartBtIntSec: integer >= 1",
    ]);
  });
});
