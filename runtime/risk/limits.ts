/**
 * Risk limits as the engine uses them: per instrument, integers in the instrument's units and
 * money, resolved once from the deployment's decimal figures.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";

/** Limits as a deployment writes them (decimals in quote or account currency, sizes in units). */
export interface RiskLimitsConfig {
  /** Largest absolute position per instrument, in size units. */
  maxPosition: number;
  /** Largest order notional, in account currency. */
  maxOrderNotional: number;
  /** Most orders a strategy may send in any one second. */
  maxOrdersPerSecond: number;
  /** Largest distance of a limit price from the mid, in basis points. */
  priceCollarBps: number;
  /** Loss of the day, in account currency, at which the breaker trips. */
  maxDailyLoss: number;
  /** Drawdown from the day's peak equity, in account currency, at which the breaker trips. */
  maxDrawdown: number;
}

/** Resolved integer limits of one instrument. */
export interface InstrumentLimits {
  maxPosition: number;
  /** In account currency (the order's notional is converted at current mids). */
  maxOrderNotional: number;
  priceCollarBps: number;
}

/** Converts config limits into integer per-instrument limits (overrides by symbol win). */
export function resolveLimits(
  instruments: readonly Instrument[],
  base: RiskLimitsConfig,
  overrides: Readonly<Record<string, Partial<RiskLimitsConfig>>> = {},
): InstrumentLimits[] {
  return instruments.map((inst) => {
    const o = overrides[inst.symbol] ?? {};
    return {
      maxPosition: Math.floor(o.maxPosition ?? base.maxPosition),
      maxOrderNotional: o.maxOrderNotional ?? base.maxOrderNotional,
      priceCollarBps: o.priceCollarBps ?? base.priceCollarBps,
    };
  });
}
