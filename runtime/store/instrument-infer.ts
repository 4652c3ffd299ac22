/**
 * Inferring an unknown instrument at import: its base and quote from the symbol (a crypto or FX
 * pair ends with a known quote currency; anything else, such as the equity ticker "MSFT", is a
 * single asset priced in the format's currency), and its price and size decimals from what the
 * format defines (LOBSTER prices are 1/10,000 USD, sizes are shares) or from the data (the most
 * decimals any value of the file is written with). Explicit decimals always win. Each inference
 * comes with one line saying what was inferred and why.
 */
import { basename } from "node:path";
import { DUKASCOPY_CSV_MAPPING } from "../data/formats/dukascopy-csv.ts";
import { readDataFile } from "../data/formats/file-bytes.ts";
import { inferBinanceDecimals, inferCsvDecimals, type SeenDecimals } from "../data/formats/infer-decimals.ts";
import { leanFileDay, leanQuoteMapping } from "../data/formats/lean-quotes.ts";
import type { CsvMapping } from "../data/formats/mapped-csv.ts";
import { TRUEFX_MAPPING } from "../data/formats/truefx.ts";
import type { InstrumentTemplate } from "./catalog.ts";
import type { ImportFormat } from "./import-plan.ts";

/** Quote currencies a pair symbol may end with, longest first (so BTCUSDT is BTC/USDT, not BTCUSD/T). */
export const QUOTE_SUFFIXES = ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USD", "EUR", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK", "HKD", "SGD", "MXN", "ZAR", "TRY", "PLN", "CNH", "BRL", "DAI", "BTC", "ETH", "BNB"];

/** ISO codes (and metals) that make a six-letter name an FX pair, e.g. GBPJPY, XAUUSD. */
const FX_CODES = new Set(["USD", "EUR", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK", "HKD", "SGD", "MXN", "ZAR", "TRY", "PLN", "CNH", "HUF", "CZK", "XAU", "XAG"]);

/** Base and quote of a symbol; `pair` is false for a single asset priced in `fallbackQuote`. */
export function splitSymbol(symbol: string, fallbackQuote: string): { base: string; quote: string; pair: boolean } {
  const core = symbol.toUpperCase().replace(/[-_]PERP$/, "");
  const sep = /^([A-Z0-9]+)[/\-_]([A-Z0-9]+)$/.exec(core);
  if (sep !== null) return { base: sep[1]!, quote: sep[2]!, pair: true };
  if (/^[A-Z]{6}$/.test(core) && FX_CODES.has(core.slice(0, 3)) && FX_CODES.has(core.slice(3))) return { base: core.slice(0, 3), quote: core.slice(3), pair: true };
  for (const q of QUOTE_SUFFIXES) {
    if (core.length - q.length >= 2 && core.endsWith(q)) return { base: core.slice(0, -q.length), quote: q, pair: true };
  }
  return { base: core, quote: fallbackQuote, pair: false };
}

/** A six-letter FX pair named in a path (file or folder name part such as gbpjpy, XAUUSD); undefined if none. */
export function fxPairFromPath(path: string): string | undefined {
  const parts = [...basename(path).split(/[_.\-\s]/), ...path.split(/[\\/]/).reverse()];
  for (const part of parts) {
    const up = part.toUpperCase();
    if (/^[A-Z]{6}$/.test(up) && FX_CODES.has(up.slice(0, 3)) && FX_CODES.has(up.slice(3))) return up;
  }
  return undefined;
}

/** The symbol of a Binance capture from its name (`spot_ethusdt_...`, `usdm_ethusdt_...`) or, failing that, its first stream. */
export function binanceSymbol(path: string, text?: string): string | undefined {
  const m = /^(spot|usdm)_([a-z0-9]+)_/i.exec(basename(path));
  if (m !== null) return m[2]!.toUpperCase() + (m[1]!.toLowerCase() === "usdm" ? "-PERP" : "");
  const s = /"stream":"([a-z0-9]+)@/.exec(text ?? "");
  return s === null ? undefined : s[1]!.toUpperCase();
}

/** What an import may override by flags. */
export interface InferOverrides {
  priceDecimals?: number;
  sizeDecimals?: number;
  /** Quote currency of a single-asset symbol (otherwise the format's, or USD). */
  quote?: string;
}

/** An inferred instrument and the line saying what was inferred. */
export interface InferredInstrument {
  template: InstrumentTemplate;
  note: string;
}

/** One input the instrument is inferred from: its path, format and (for CSV) the mapping it is read with. */
export interface InferInput {
  path: string;
  format: ImportFormat;
  mapping?: CsvMapping;
}

/**
 * Infers an instrument new to the store from the inputs that carry it; the reason it cannot be
 * inferred otherwise (e.g. bi5 prices are integer points whose scale the data does not show).
 */
export function inferInstrument(symbol: string, inputs: readonly InferInput[], overrides: InferOverrides): InferredInstrument | { error: string } {
  const format = inputs[0]!.format;
  const given = (what: "price" | "size", n: number | undefined) => (n === undefined ? undefined : `${what} decimals ${n} (--${what}-decimals)`);
  if (format === "lobster") {
    const quote = overrides.quote ?? "USD";
    const template: InstrumentTemplate = { symbol, venue: "nasdaq", base: symbol, quote, priceDecimals: overrides.priceDecimals ?? 4, sizeDecimals: overrides.sizeDecimals ?? 0, lotSize: 1, minSize: 1 };
    const note = `inferred instrument ${symbol} (LOBSTER equity): base ${symbol}, quote ${quote}; ${given("price", overrides.priceDecimals) ?? "price decimals 4 (LOBSTER prices are 1/10,000 USD)"}, ${given("size", overrides.sizeDecimals) ?? "size decimals 0 (shares)"}`;
    return { template, note };
  }
  const seen: SeenDecimals = { priceDecimals: 0, sizeDecimals: 0, prices: 0, sizes: 0 };
  let venue = "import";
  for (const input of inputs) {
    const got = seenIn(input);
    if (typeof got === "string") {
      if (overrides.priceDecimals !== undefined && overrides.sizeDecimals !== undefined) continue;
      return { error: got };
    }
    seen.priceDecimals = Math.max(seen.priceDecimals, got.priceDecimals);
    seen.sizeDecimals = Math.max(seen.sizeDecimals, got.sizeDecimals);
    seen.prices += got.prices;
    seen.sizes += got.sizes;
    if (input.format === "binance") venue = symbol.endsWith("-PERP") ? "binance-usdm" : "binance-spot";
  }
  if (seen.prices === 0 && overrides.priceDecimals === undefined) return { error: `no price could be read from ${inputs.map((i) => i.path).join(", ")} to infer the decimals; give --price-decimals and --size-decimals` };
  const { base, quote, pair } = splitSymbol(symbol, overrides.quote ?? "USD");
  const template: InstrumentTemplate = {
    symbol,
    venue,
    base,
    quote: overrides.quote ?? quote,
    priceDecimals: overrides.priceDecimals ?? seen.priceDecimals,
    sizeDecimals: overrides.sizeDecimals ?? seen.sizeDecimals,
    lotSize: 1,
    minSize: 1,
  };
  const where = inputs.length === 1 ? "the file" : `${inputs.length} files`;
  const sizeWhy = seen.sizes === 0 ? "size decimals 0 (no sizes in the data)" : `size decimals ${seen.sizeDecimals} (the most decimals seen in ${where})`;
  const note =
    `inferred instrument ${symbol}: base ${base}, quote ${template.quote}${pair ? "" : ` (a single asset; ${overrides.quote === undefined ? "USD assumed, give --quote to change" : "--quote"})`}; ` +
    `${given("price", overrides.priceDecimals) ?? `price decimals ${seen.priceDecimals} (the most decimals seen in ${where})`}, ${given("size", overrides.sizeDecimals) ?? sizeWhy}`;
  return { template, note };
}

/** The most decimals of one input, in the instrument's units (a size multiplier taken into account). */
function seenIn(input: InferInput): SeenDecimals | string {
  const unreadable = (e: unknown) => `cannot read ${input.path} to infer the decimals: ${(e as Error).message}`;
  if (input.format === "binance") {
    try {
      return inferBinanceDecimals(new TextDecoder().decode(readDataFile(input.path)));
    } catch (e) {
      return unreadable(e);
    }
  }
  let bytes: Uint8Array;
  try {
    if (input.format === "bi5" || input.format === "parquet") throw new Error("");
    bytes = readDataFile(input.path);
  } catch (e) {
    if (input.format === "bi5") return `bi5 prices are integer points: the data does not show their decimals; give --price-decimals (5 for most FX pairs, 3 for JPY pairs) and --size-decimals`;
    return unreadable(e);
  }
  const mapping =
    input.format === "dukascopy-csv" ? DUKASCOPY_CSV_MAPPING : input.format === "truefx" ? TRUEFX_MAPPING : input.format === "lean" ? leanQuoteMapping(bytes, leanFileDay(input.path)) : input.mapping;
  if (mapping === undefined) return `no column mapping for ${input.path}; give --columns ts=..,bid=..,ask=..`;
  const seen = inferCsvDecimals(bytes, mapping);
  if (typeof seen === "string") return `${input.path}: ${seen}`;
  // Sizes counted in millions (a multiplier of 1e6) need 6 fewer decimals in units.
  const shift = Math.round(Math.log10(mapping.sizeMultiplier ?? 1));
  return { ...seen, sizeDecimals: Math.max(0, seen.sizeDecimals - shift) };
}
