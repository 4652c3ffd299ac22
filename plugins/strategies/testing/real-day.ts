/**
 * Test support for strategy plugins: the real Dukascopy EURUSD day from ../shared/data, as plain
 * integer rows, and its instrument. Used by the strategies' real-day tests.
 */
import { parseScaled, type Instrument } from "../../sdk/index.ts";

/** EURUSD as the Dukascopy files quote it: 5-decimal prices, whole-unit sizes, 1,000-unit lots. */
export const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

const DAY = new URL("../../../../shared/data/dukascopy/EURUSD/2019-02-04.csv", import.meta.url);

/** The first `n` quotes of the day as [ts µs, bid ticks, ask ticks, bid size units, ask size units]. */
export async function dukascopyQuotes(n: number): Promise<number[][]> {
  const lines = (await Bun.file(DAY).text()).split("\n", n + 1).slice(1);
  const num = (text: string, decimals: number): number => {
    const r = parseScaled(text, decimals);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };
  return lines.map((l) => {
    const [ts, bid, ask, bv, av] = l.split(",") as [string, string, string, string, string];
    return [Number(ts) * 1000, num(bid, 5), num(ask, 5), num(bv, 6), num(av, 6)];
  });
}
