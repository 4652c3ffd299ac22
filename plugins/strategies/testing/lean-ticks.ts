/**
 * Test and training support: the real FX top-of-book days from ../shared/data in QuantConnect Lean's
 * tick format (`ms_since_midnight_utc,bid,ask`, gzip, the date in the file name; OANDA and FXCM
 * EURUSD and NZDUSD, 2014-05-01 … 09), as integer ticks at 5 decimals.
 */
import { parseScaled } from "../../sdk/index.ts";

/** One day of quotes: ts (µs since epoch), bid and ask (ticks). */
export interface LeanDay {
  readonly date: string;
  readonly ts: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
}

/** The trading days on file (2014-05-03 is a Saturday: no file). */
export const LEAN_DATES = ["20140501", "20140502", "20140504", "20140505", "20140506", "20140507", "20140508", "20140509"] as const;

/** Path of a provider's day file for a pair (e.g. "fxcm", "eurusd", "20140505"). */
export function leanPath(provider: "fxcm" | "oanda", pair: string, date: string): string {
  return new URL(`../../../../shared/data/${provider}/${pair}/${date}_${pair}_tick_quote.csv.gz`, import.meta.url).pathname;
}

/** Reads one day file; a malformed line throws with the file and line. */
export function readLeanDay(provider: "fxcm" | "oanda", pair: string, date: string, decimals = 5): LeanDay {
  const path = leanPath(provider, pair, date);
  const text = new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(require("node:fs").readFileSync(path))));
  const lines = text.split("\n");
  const midnight = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))) * 1000;
  const ts: number[] = [], bid: number[] = [], ask: number[] = [];
  lines.forEach((line, i) => {
    if (line === "") return;
    const [ms, b, a] = line.split(",");
    const pb = parseScaled(b ?? "", decimals), pa = parseScaled(a ?? "", decimals);
    if (!pb.ok || !pa.ok || !(Number(ms) >= 0)) throw new Error(`${path}:${i + 1}: expected ms,bid,ask, got "${line}"`);
    ts.push(midnight + Number(ms) * 1000);
    bid.push(pb.value);
    ask.push(pa.value);
  });
  return { date, ts: Float64Array.from(ts), bid: Float64Array.from(bid), ask: Float64Array.from(ask) };
}
