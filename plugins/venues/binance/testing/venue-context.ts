/**
 * A VenueContext for driving a venue plugin outside a session (tests, tools): it records every
 * report, quote, trade and alert, and runs scheduled work on the event loop.
 */
import type { Instrument } from "../../../sdk/instrument.ts";
import type { ExecutionReport, VenueContext } from "../../../sdk/venue.ts";

/** What the context recorded. */
export interface Recorded {
  readonly reports: ExecutionReport[];
  readonly quotes: { instrument: number; bid: number; ask: number; bidSize: number; askSize: number }[];
  readonly trades: { instrument: number; price: number; size: number; side: number }[];
  readonly alerts: { code: string; message: string }[];
  /** Funding payments booked, money units. */
  readonly funding: { instrument: number; amount: number }[];
}

/** The spot BTCUSDT instrument as the captures quote it: cents and 1e-8 BTC units. */
export const BTCUSDT: Instrument = { id: 0, symbol: "BTCUSDT", venue: "binance", base: "BTC", quote: "USDT", priceDecimals: 2, sizeDecimals: 8, lotSize: 1000, minSize: 1000 };

/** The USD-M futures BTCUSDT instrument: 0.1 price ticks, 0.001 BTC units. */
export const BTCUSDT_PERP: Instrument = { id: 0, symbol: "BTCUSDT", venue: "binance", base: "BTC", quote: "USDT", priceDecimals: 1, sizeDecimals: 3, lotSize: 1, minSize: 1 };

/** Builds a recording context for the given params. */
export function recordingContext<P>(params: P, instruments: readonly Instrument[] = [BTCUSDT]): { ctx: VenueContext; rec: Recorded } {
  const rec: Recorded = { reports: [], quotes: [], trades: [], alerts: [], funding: [] };
  const ctx = {
    name: "binance",
    params,
    instruments,
    seed: 1,
    now: () => Date.now() * 1000,
    schedule: (ts: number, fn: () => void) => void setTimeout(fn, Math.max(0, (ts - Date.now() * 1000) / 1000)),
    report: (r: ExecutionReport) => void rec.reports.push(r),
    quote: (instrument: number, bid: number, ask: number, bidSize: number, askSize: number) => {
      rec.quotes.push({ instrument, bid, ask, bidSize, askSize });
      return true;
    },
    trade: (instrument: number, price: number, size: number, side: number) => {
      rec.trades.push({ instrument, price, size, side });
      return true;
    },
    alert: (code: string, message: string) => void rec.alerts.push({ code, message }),
    funding: (instrument: number, amount: number) => void rec.funding.push({ instrument, amount }),
  } as unknown as VenueContext;
  return { ctx, rec };
}

/** Resolves when `cond` holds, checking on every macrotask (always yielding once first); throws with `what` after `limitMs`. */
export async function until(cond: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = performance.now() + limitMs;
  await Bun.sleep(0);
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(1);
  }
}
