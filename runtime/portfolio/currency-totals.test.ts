import { describe, expect, test } from "bun:test";
import { BUY, SELL } from "../../plugins/sdk/orders.ts";
import { conversionRate } from "./conversion.ts";
import { PortfolioError } from "./errors.ts";
import { Portfolio } from "./portfolio.ts";
import { fill, INSTRUMENTS } from "./test-fixtures.ts";

const [EURUSD, USDJPY, , , BTCUSD] = [0, 1, 2, 3, 4];

describe("exposure", () => {
  test("buying a pair is long its base and short its quote; selling is the reverse", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 110000, 10)); // +10 EUR, -11.00000 USD
    p.applyFill(fill(USDJPY, SELL, 150000, 5)); // -5 USD, +750.000 JPY
    const byCurrency = Object.fromEntries(p.exposure().map((e) => [e.currency, e]));
    expect(byCurrency.EUR).toEqual({ currency: "EUR", decimals: 0, long: 10, short: 0, net: 10 });
    // USD is held at 10 decimals because BTCUSD money has 2 + 8 decimals.
    expect(byCurrency.USD).toEqual({ currency: "USD", decimals: 10, long: 0, short: -16e10, net: -16e10 });
    expect(byCurrency.JPY).toEqual({ currency: "JPY", decimals: 3, long: 750000, short: 0, net: 750000 });
    expect(byCurrency.GBP.net).toBe(0);
    expect(p.exposure().map((e) => e.currency)).toEqual(["BTC", "EUR", "GBP", "JPY", "USD"]);
  });

  test("long and short legs in one currency are reported apart and netted", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, SELL, 110000, 10)); // +11.00000 USD
    p.applyFill(fill(USDJPY, BUY, 150000, 4)); // +4 USD
    p.applyFill(fill(BTCUSD, BUY, 3000000, 50000000)); // +0.5 BTC at 30000.00, -15000 USD
    const usd = p.exposure().find((e) => e.currency === "USD");
    expect(usd).toEqual({ currency: "USD", decimals: 10, long: 11e10 + 4e10, short: -15000e10, net: 15e10 - 15000e10 });
    expect(p.exposure().find((e) => e.currency === "BTC")?.long).toBe(50000000);
  });
});

describe("P&L per currency and equity", () => {
  function trades(): Portfolio {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 110000, 10));
    p.applyFill(fill(EURUSD, SELL, 110010, 10)); // +0.00100 USD
    p.applyFill(fill(BTCUSD, BUY, 3000000, 50000000, 1e8)); // fee 0.01 USD
    p.mark(BTCUSD, 3000100, 3000200); // +0.50 USD unrealised
    p.applyFill(fill(USDJPY, SELL, 150000, 5));
    p.applyFill(fill(USDJPY, BUY, 149000, 5)); // +5.000 JPY
    p.mark(USDJPY, 149990, 150010);
    return p;
  }

  test("totals are exact per quote currency at the widest decimals", () => {
    expect(trades().pnlByCurrency()).toEqual([
      { currency: "GBP", decimals: 5, realised: 0, unrealised: 0, fees: 0, funding: 0, net: 0 },
      { currency: "JPY", decimals: 3, realised: 5000, unrealised: 0, fees: 0, funding: 0, net: 5000 },
      { currency: "USD", decimals: 10, realised: 1e7, unrealised: 5e9, fees: 1e8, funding: 0, net: 4.91e9 },
    ]);
  });

  test("equity converts through direct, inverted and one-hop rates at current mids", () => {
    const p = trades();
    expect(p.equity("USD")).toBeCloseTo(0.491 + 5 / 150, 12);
    expect(p.equity("JPY")).toBeCloseTo(0.491 * 150 + 5, 9);
    expect(() => p.equity("EUR")).toThrow(PortfolioError); // no EURUSD mark yet
    p.mark(EURUSD, 110000, 110002);
    expect(conversionRate(p, "JPY", "EUR")).toBeCloseTo(1 / 150 / 1.10001, 15);
    expect(p.equity("EUR")).toBeCloseTo((0.491 + 5 / 150) / 1.10001, 12);
    expect(p.convert(2, "EUR", "USD")).toBeCloseTo(2.20002, 12);
  });

  test("a currency without any marked pair is refused with PORTFOLIO_NO_RATE", () => {
    const p = trades();
    try {
      p.equity("CHF");
      throw new Error("expected a refusal");
    } catch (e) {
      expect(e instanceof PortfolioError && e.code).toBe("PORTFOLIO_NO_RATE");
      expect((e as Error).message).toContain("to=CHF");
    }
  });
});
