/**
 * The strategy library's shipped deployments (ema-crossover, momentum-breakout, pairs-stat-arb):
 * each passes `kestrel check` (the CLI's own code path) and its backtest on real data sends orders
 * and quarantines nothing. Kept cheap: the pair runs on its first OANDA day only, the directional
 * ones on the one Dukascopy day (their warm-up needs a few hours of one-minute bars).
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { buildSession, checkDeployment } from "../runtime/session/build.ts";

const DIR = import.meta.dir;

/** Loads and checks a shipped deployment; returns its config (with `shorten` applied) or fails naming the problems. */
async function checked(name: string) {
  const file = resolve(DIR, name);
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new Error(`${name}: ${loaded.problems.join("; ")}`);
  expect(await checkDeployment(loaded.config, file)).toEqual([]);
  return { file, config: structuredClone(loaded.config) };
}

describe("strategy library deployments", () => {
  for (const [name, strategy, firstDayOnly] of [
    ["ema-crossover.yaml", "ema-crossover", false],
    ["momentum-breakout.yaml", "momentum-breakout", false],
    ["pairs-stat-arb.yaml", "pairs-stat-arb", true],
  ] as const) {
    test(`${name}: passes kestrel check, and its backtest sends orders with no quarantine`, async () => {
      const { file, config } = await checked(name);
      expect(config.strategies.map((s) => s.plugin)).toEqual([strategy]);
      expect((config.venue.params as { takerFeePpm?: number }).takerFeePpm).toBeGreaterThan(0); // net of fees
      const c = config as { store?: unknown; market: { replay?: { files: { path: string }[] } } };
      delete c.store; // no tick store needed for the test
      if (firstDayOnly) for (const f of c.market.replay!.files) f.path = `${f.path}/20140501_${f.path.split("/").at(-1)}_tick_quote.csv.gz`;
      const session = await buildSession(config, file, { log: () => {} });
      const summary = runBacktest(session);
      expect(summary.orders).toBeGreaterThan(0);
      expect(summary.quarantined).toEqual([]);
    }, 120_000);
  }
});
