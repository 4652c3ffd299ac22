/**
 * How many clock reads (Bun.nanoseconds) a backtest makes, and how many strategy hook calls of
 * each kind: the strategy host times every in-process hook call against its budget. Counts, not
 * times, so the figure does not depend on the load.
 *
 *   bun bench/hook-clock-reads.ts [config.yaml]   (default configs/backtest.yaml)
 */
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { StrategyHost } from "../runtime/strategy/host.ts";

const file = resolve(process.argv[2] ?? resolve(import.meta.dir, "../configs/backtest.yaml"));
const calls: Record<string, number> = {};
const proto = StrategyHost.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const k of ["onQuote", "onTrade", "onOrder", "onFill", "onTimer", "onTradingState"]) {
  const orig = proto[k]!;
  proto[k] = function (this: unknown, ...a: unknown[]) {
    calls[k] = (calls[k] ?? 0) + 1;
    return orig.apply(this, a);
  };
}
let reads = 0;
const clock = Bun.nanoseconds;
(Bun as unknown as { nanoseconds: () => number }).nanoseconds = () => {
  reads++;
  return clock();
};
const loaded = loadConfig(file, {});
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
const r = runBacktest(s);
await s.close();
console.log(`${r.events} events, ${r.fills} fills, hash ${r.fillsHash.slice(0, 12)}`);
console.log(`host dispatches: ${Object.entries(calls).map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log(`Bun.nanoseconds reads: ${reads} (${(reads / r.events).toFixed(2)} per event)`);
