/**
 * Test support for the bar-based strategies: feeds one quote per bar so that each call closes the
 * previous bar at the given mid (a one-tick spread around it).
 */
import type { StrategyHarness } from "../../sdk/harness.ts";

/** Quotes `instrument` at mid `mid` (ticks) at the start of the next `barUs` interval; returns that time. */
export function nextBar(h: StrategyHarness, instrument: number | string, mid: number, barUs: number, spread = 2): number {
  const ts = (Math.floor(h.now() / barUs) + 1) * barUs;
  h.quote(instrument, mid - spread / 2, mid + spread / 2, 1_000_000, 1_000_000, ts);
  return ts;
}
