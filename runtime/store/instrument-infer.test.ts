import { describe, expect, test } from "bun:test";
import { binanceSymbol, fxPairFromPath, splitSymbol } from "./instrument-infer.ts";
import { detectTsFormat, recogniseQuoteHeader } from "../data/formats/csv-layout.ts";
import { textDecimals } from "../data/formats/infer-decimals.ts";
import { parseDateTimeBytes } from "../data/formats/time-text.ts";

describe("what an import infers from names and data", () => {
  test("symbols are split on a known quote currency; anything else is one asset (MSFT is not MSF/T)", () => {
    expect(splitSymbol("MSFT", "USD")).toEqual({ base: "MSFT", quote: "USD", pair: false });
    expect(splitSymbol("GOOG", "USD")).toEqual({ base: "GOOG", quote: "USD", pair: false });
    expect(splitSymbol("AAPL", "EUR")).toEqual({ base: "AAPL", quote: "EUR", pair: false });
    expect(splitSymbol("BTCUSDT", "USD")).toEqual({ base: "BTC", quote: "USDT", pair: true });
    expect(splitSymbol("BTCUSDT-PERP", "USD")).toEqual({ base: "BTC", quote: "USDT", pair: true });
    expect(splitSymbol("ETHBTC", "USD")).toEqual({ base: "ETH", quote: "BTC", pair: true });
    expect(splitSymbol("SOLUSDC", "USD")).toEqual({ base: "SOL", quote: "USDC", pair: true });
    expect(splitSymbol("EURUSD", "USD")).toEqual({ base: "EUR", quote: "USD", pair: true });
    expect(splitSymbol("USDJPY", "USD")).toEqual({ base: "USD", quote: "JPY", pair: true });
    expect(splitSymbol("EURCZK", "USD")).toEqual({ base: "EUR", quote: "CZK", pair: true });
    expect(splitSymbol("eur/usd", "USD")).toEqual({ base: "EUR", quote: "USD", pair: true });
    expect(splitSymbol("USD", "USD")).toEqual({ base: "USD", quote: "USD", pair: false });
  });

  test("symbols from names: an FX pair in a path, a Binance capture's symbol from its name or its streams", () => {
    expect(fxPairFromPath("/data/gbpjpy_ticks.csv")).toBe("GBPJPY");
    expect(fxPairFromPath("/data/XAUUSD/20140501_quote.csv")).toBe("XAUUSD");
    expect(fxPairFromPath("/data/amateur_ticks.csv")).toBeUndefined();
    expect(fxPairFromPath("/data/quotes.csv")).toBeUndefined();
    expect(binanceSymbol("/x/spot_ethusdt_20240808.gz")).toBe("ETHUSDT");
    expect(binanceSymbol("/x/usdm_solusdt_20240808.gz")).toBe("SOLUSDT-PERP");
    expect(binanceSymbol("/x/capture.gz", '1723161253000000000 {"stream":"dogeusdt@bookTicker","data":{}}')).toBe("DOGEUSDT");
    expect(binanceSymbol("/x/capture.gz", "")).toBeUndefined();
  });

  test("significant decimals of a value: trailing zeros aside, exponent notation expanded", () => {
    const cases: [string, number][] = [["61837.63000000", 2], ["0.00100000", 3], ["1.3e-05", 6], ["100e-2", 0], ["1.5e3", 0], ["12", 0], ["1e-7", 7], ["abc", -1], ["1.2.3", -1], ["1e", -1]];
    for (const [text, d] of cases) expect([text, textDecimals(text)]).toEqual([text, d]);
  });

  test("header lines: time, bid and ask in common spellings; anything less is not recognised", () => {
    expect(recogniseQuoteHeader("Date Time;Bid;Ask;Bid Volume;Ask Volume")?.columns).toEqual({ ts: 0, bid: 1, ask: 2, bidSize: 3, askSize: 4 });
    expect(recogniseQuoteHeader("symbol,timestamp,best_bid,best_ask")?.columns).toEqual({ ts: 1, bid: 2, ask: 3 });
    expect(recogniseQuoteHeader("time,price,size")).toBeUndefined();
    expect(recogniseQuoteHeader("1549238400994,1.14543,1.14545")).toBeUndefined();
  });

  test("the time unit is told by magnitude, date-times with or without offsets", () => {
    const unit = (value: string) => detectTsFormat(new TextEncoder().encode(`t,bid,ask\n${value},1,2\n`), ",", 0, true);
    expect([unit("1549238400"), unit("1549238400.994"), unit("1549238400994"), unit("1549238400994000"), unit("1549238400994000000")]).toEqual(["s", "s", "ms", "us", "ns"]);
    expect([unit("2019-02-04T00:00:00.994Z"), unit("2019-02-04 01:00:00.994+01:00"), unit("x")]).toEqual(["datetime", "datetime", undefined]);
    const at = (text: string) => parseDateTimeBytes(new TextEncoder().encode(text), 0, text.length);
    const utc = Date.UTC(2019, 1, 4, 0, 0, 0, 994) * 1000;
    expect([at("2019-02-04T01:00:00.994+01:00"), at("2019-02-03T19:00:00.994-0500"), at("2019-02-04T00:00:00.994+00"), at("2019-02-04T00:00:00.994Z")]).toEqual([utc, utc, utc, utc]);
    expect(at("2019-02-04T00:00:00.994+25:00")).toBeNaN();
  });
});
