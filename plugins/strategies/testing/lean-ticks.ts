/**
 * Test and training support: the real FX top-of-book days from ../shared/data in QuantConnect Lean's
 * tick format (`ms_since_midnight_utc,bid,ask`, gzip, the date in the file name; OANDA and FXCM
 * EURUSD and NZDUSD, 2014-05-01 … 09), as integer ticks at 5 decimals, on UTC time.
 *
 * The FXCM files' clock is five hours behind the OANDA files' (UTC−5, no daylight saving: the
 * Friday close is at 16:00 and the hourly mids of the two providers line up only with FXCM moved
 * 5 h later — correlation of 10-s mid changes 0.97 at +5 h, 0.03 at 0 h, mean |mid difference|
 * 1.1 ticks against 150 on 2014-05-06 07:00–13:00 UTC). OANDA's are UTC (the Sunday open at 21:00).
 * `readLeanDay` returns FXCM times moved by `FXCM_CLOCK_OFFSET_US`; a replay deployment of the FXCM
 * files has to do the same (configs/cross-venue.yaml does, with a csv mapping per file).
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

/** What to add to the FXCM files' times to get UTC: five hours. */
export const FXCM_CLOCK_OFFSET_US = 5 * 3_600_000_000;

/** Path of a provider's day file for a pair (e.g. "fxcm", "eurusd", "20140505"). */
export function leanPath(provider: "fxcm" | "oanda", pair: string, date: string): string {
  return new URL(`../../../../shared/data/${provider}/${pair}/${date}_${pair}_tick_quote.csv.gz`, import.meta.url).pathname;
}

/** Reads one day file; a malformed line throws with the file and line. */
export function readLeanDay(provider: "fxcm" | "oanda", pair: string, date: string, decimals = 5): LeanDay {
  const path = leanPath(provider, pair, date);
  const text = new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(require("node:fs").readFileSync(path))));
  const lines = text.split("\n");
  const midnight = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))) * 1000 + (provider === "fxcm" ? FXCM_CLOCK_OFFSET_US : 0);
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
