/**
 * Translates the runtime's risk limits into the FPGA gate's registers. The gate counts integers
 * only: positions in size units, notional in price ticks times size units (the instrument's money
 * unit), the collar in basis points around a reference price in ticks, and a rate of accepted
 * orders per window of 2^shift microseconds. The runtime's order-notional limit is in account
 * currency, so it becomes a per-instrument money limit at the current conversion rate (refreshed
 * by the caller as rates move); the per-strategy order rate becomes one deployment-wide throttle,
 * since the card sees the whole order flow.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { GateLimits } from "../../fpga-bridge/golden/model.ts";
import type { InstrumentLimits, RiskLimitsConfig } from "../risk/limits.ts";

/** Largest value of the gate's 31-bit position limit register. */
export const GATE_MAX_POSITION = 2 ** 31 - 1;
/** Largest value of the gate's 48-bit notional limit register. */
export const GATE_MAX_NOTIONAL = 2 ** 48 - 1;
/** Rate window of the gate: 2^20 µs (about 1.05 s). */
export const GATE_RATE_SHIFT = 20;

/** Account currency per money unit of an instrument; null when no conversion rate is known yet. */
export type AccountRate = (instrument: number, money: number) => number | null;

/**
 * Returns the gate's money limit for an instrument: the largest price-ticks x size-units product
 * whose value in account currency stays within `maxOrderNotional` (0, which refuses every order,
 * when no conversion rate is known yet).
 */
export function gateNotionalLimit(instrument: Instrument, maxOrderNotional: number, toAccount: AccountRate): number {
  // Converting a large round amount keeps the rate's precision (money is linear in the rate).
  const probe = 10 ** (instrument.priceDecimals + instrument.sizeDecimals);
  const value = toAccount(instrument.id, probe);
  if (value === null || !(value > 0) || !Number.isFinite(value)) return 0;
  const limit = Math.floor((maxOrderNotional * probe) / value);
  return Math.max(0, Math.min(GATE_MAX_NOTIONAL, limit));
}

/** Returns the gate limits of one instrument (see `gateNotionalLimit` for the notional). */
export function gateLimits(instrument: Instrument, limits: InstrumentLimits, toAccount: AccountRate): GateLimits {
  return {
    maxPosition: Math.max(0, Math.min(GATE_MAX_POSITION, Math.floor(limits.maxPosition))),
    maxNotional: gateNotionalLimit(instrument, limits.maxOrderNotional, toAccount),
    collarBps: Math.max(0, Math.min(0xffff, Math.floor(limits.priceCollarBps))),
  };
}

/** Returns the gate's rate registers: orders per 2^GATE_RATE_SHIFT µs window, rounded up. */
export function gateRate(config: RiskLimitsConfig): { limit: number; shift: number } {
  const perWindow = Math.ceil((config.maxOrdersPerSecond * 2 ** GATE_RATE_SHIFT) / 1_000_000);
  return { limit: Math.max(0, Math.min(2 ** 32 - 1, perWindow)), shift: GATE_RATE_SHIFT };
}

/** Returns the gate's reference price for a touch: the mid rounded down, 0 when one side is missing. */
export function referencePrice(bid: number, ask: number): number {
  return bid > 0 && ask > 0 ? Math.floor((bid + ask) / 2) : 0;
}
