/**
 * Scales of the instruments the bundled data sets carry, so that `kestrel data import` can
 * register an instrument from a symbol alone. A symbol not listed here needs explicit decimals
 * (`--price-decimals`, `--size-decimals`) the first time it is imported; after that the store's
 * own instruments table is the source of truth.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";

/** Scales and currencies of a known symbol; the id is assigned by the store. */
export type InstrumentTemplate = Omit<Instrument, "id">;

const fx = (symbol: string, priceDecimals = 5): InstrumentTemplate => ({
  symbol,
  venue: "fx",
  base: symbol.slice(0, 3),
  quote: symbol.slice(3, 6),
  priceDecimals,
  sizeDecimals: 0,
  lotSize: 1,
  minSize: 1,
});

/** Known symbols by upper-case name. */
export const KNOWN_INSTRUMENTS: Record<string, InstrumentTemplate> = {
  EURUSD: fx("EURUSD"),
  GBPUSD: fx("GBPUSD"),
  NZDUSD: fx("NZDUSD"),
  AUDUSD: fx("AUDUSD"),
  USDCHF: fx("USDCHF"),
  USDCAD: fx("USDCAD"),
  USDJPY: fx("USDJPY", 3),
  EURJPY: fx("EURJPY", 3),
  GOOG: { symbol: "GOOG", venue: "nasdaq", base: "GOOG", quote: "USD", priceDecimals: 4, sizeDecimals: 0, lotSize: 1, minSize: 1 },
  BTCUSDT: { symbol: "BTCUSDT", venue: "binance-spot", base: "BTC", quote: "USDT", priceDecimals: 2, sizeDecimals: 8, lotSize: 1000, minSize: 1000 },
  "BTCUSDT-PERP": { symbol: "BTCUSDT-PERP", venue: "binance-usdm", base: "BTC", quote: "USDT", priceDecimals: 1, sizeDecimals: 3, lotSize: 1, minSize: 1 },
};
