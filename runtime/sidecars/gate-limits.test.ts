import { expect, test } from "bun:test";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { RiskGateModel } from "../../fpga-bridge/golden/model.ts";
import { GateVerdict } from "../../fpga-bridge/golden/registers.ts";
import { GATE_MAX_NOTIONAL, GATE_MAX_POSITION, gateLimits, gateNotionalLimit, gateRate, referencePrice } from "./gate-limits.ts";

const eurusd: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const usdjpy: Instrument = { id: 1, symbol: "USDJPY", venue: "sim", base: "USD", quote: "JPY", priceDecimals: 3, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
/** USD account: USD money is in 1e-5 USD units on EURUSD; JPY money in 1e-3 JPY on USDJPY at 150 JPY per USD. */
const toUsd = (i: number, money: number) => (i === 0 ? money / 1e5 : money / 1e3 / 150);

test("the account-currency order notional becomes a money limit that the gate applies at exactly the same boundary", () => {
  const limit = gateNotionalLimit(eurusd, 5_000_000, toUsd);
  expect(limit).toBe(500_000_000_000);
  const gate = new RiskGateModel();
  gate.setLimits(0, { maxPosition: GATE_MAX_POSITION, maxNotional: limit, collarBps: 100 });
  gate.setReferencePrice(0, 100_000);
  gate.setRate(1000, 20);
  const ts = 1_700_000_000_000_000;
  expect(gate.check({ instrument: 0, side: 1, price: 100_000, qty: 5_000_000, ts })).toBe(GateVerdict.ACCEPT); // exactly 5M USD
  gate.setPosition(0, 0);
  expect(gate.check({ instrument: 0, side: 1, price: 100_001, qty: 5_000_000, ts })).toBe(GateVerdict.NOTIONAL);
  // JPY quote: 5M USD is 750M JPY, 7.5e11 money units of 0.001 JPY.
  expect(gateNotionalLimit(usdjpy, 5_000_000, toUsd)).toBe(750_000_000_000);
});

test("without a conversion rate the gate's notional limit is 0, and limits are clamped to the register widths", () => {
  expect(gateNotionalLimit(eurusd, 5_000_000, () => null)).toBe(0);
  const l = gateLimits(eurusd, { maxPosition: 1e12, maxOrderNotional: 1e15, priceCollarBps: 1e6 }, toUsd);
  expect(l).toEqual({ maxPosition: GATE_MAX_POSITION, maxNotional: GATE_MAX_NOTIONAL, collarBps: 0xffff });
});

test("the per-second order rate becomes a per-window count rounded up, and the reference price is the mid rounded down", () => {
  const config = { maxPosition: 1e6, maxOrderNotional: 5e6, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 1e5, maxDrawdown: 1e5 };
  expect(gateRate(config)).toEqual({ limit: 53, shift: 20 });
  expect(gateRate({ ...config, maxOrdersPerSecond: 1000 })).toEqual({ limit: 1049, shift: 20 });
  expect(referencePrice(108_500, 108_503)).toBe(108_501);
  expect(referencePrice(0, 108_503)).toBe(0);
});
