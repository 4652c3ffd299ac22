/**
 * Instruments and a fill builder shared by the portfolio's tests and benchmark: FX pairs at their
 * usual scales (EURUSD and GBPUSD at 5 price decimals, USDJPY at 3, EURGBP at 5) plus a crypto pair
 * with fractional sizes, so currency totals have to reconcile different decimals.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { Fill, Side } from "../../plugins/sdk/orders.ts";

function pair(id: number, base: string, quote: string, priceDecimals: number, sizeDecimals = 0): Instrument {
  return { id, symbol: base + quote, venue: "sim", base, quote, priceDecimals, sizeDecimals, lotSize: 1, minSize: 1 };
}

/** EURUSD=0, USDJPY=1, GBPUSD=2, EURGBP=3, BTCUSD=4 (8 size decimals, 2 price decimals). */
export const INSTRUMENTS: readonly Instrument[] = [
  pair(0, "EUR", "USD", 5),
  pair(1, "USD", "JPY", 3),
  pair(2, "GBP", "USD", 5),
  pair(3, "EUR", "GBP", 5),
  pair(4, "BTC", "USD", 2, 8),
];

let nextId = 1;

/** Builds a fill; `fee` defaults to 0, strategy to "s1". */
export function fill(instrument: number, side: Side, price: number, size: number, fee = 0, strategy = "s1", ts = 0): Fill {
  const id = nextId++;
  return { id, orderId: id, strategy, instrument, side, price, size, fee, liquidity: "taker", ts };
}
