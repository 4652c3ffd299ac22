/**
 * Funding of perpetuals in the portfolio: booked per instrument, part of net P&L and of the
 * per-currency totals, carried through a snapshot and its restore; a malformed amount is refused.
 */
import { expect, test } from "bun:test";
import { BUY } from "../../plugins/sdk/orders.ts";
import { PortfolioError } from "./errors.ts";
import { Portfolio } from "./portfolio.ts";
import { restorePortfolio } from "./restore.ts";
import { fill, INSTRUMENTS } from "./test-fixtures.ts";

const BTCUSD = INSTRUMENTS.findIndex((i) => i.symbol === "BTCUSD");

test("funding adds to net P&L and the currency totals, and survives a snapshot", () => {
  const p = new Portfolio(INSTRUMENTS, ["s"]);
  p.applyFill(fill(BTCUSD, BUY, 3000000, 50000000, 1e8)); // 0.5 BTC at 30000.00, fee 0.01 USD
  p.mark(BTCUSD, 3000000, 3000100);
  const before = p.net(BTCUSD);
  p.applyFunding(BTCUSD, -25e7); // paid 0.025 USD
  p.applyFunding(BTCUSD, 5e7); // received 0.005 USD
  expect(p.funding(BTCUSD)).toBe(-2e8);
  expect(p.net(BTCUSD)).toBe(before - 2e8);
  const usd = p.pnlByCurrency().find((c) => c.currency === "USD")!;
  expect(usd.funding).toBe(-2e8);
  expect(usd.net).toBe(usd.realised + usd.unrealised - usd.fees + usd.funding);
  const restored = restorePortfolio(INSTRUMENTS, JSON.parse(JSON.stringify(p.snapshot())));
  expect(restored.funding(BTCUSD)).toBe(-2e8);
  expect(restored.net(BTCUSD)).toBe(p.net(BTCUSD));
  expect(restored.pnlByCurrency()).toEqual(p.pnlByCurrency());
});

test("a funding amount that is not an integer of money units, or on no instrument, is refused with its context", () => {
  const p = new Portfolio(INSTRUMENTS, ["s"]);
  expect(() => p.applyFunding(BTCUSD, 0.5)).toThrow(PortfolioError);
  expect(() => p.applyFunding(BTCUSD, 0.5)).toThrow(`PORTFOLIO_INVALID_FUNDING: instrument=${BTCUSD} amount=0.5`);
  expect(() => p.applyFunding(99, 1)).toThrow("PORTFOLIO_INVALID_FUNDING: instrument=99 amount=1");
  expect(p.funding(BTCUSD)).toBe(0);
});
