/**
 * Per-day results of a backtest: runs a deployment once over all its data (strategies keep their
 * state across days) and prints, for each UTC day, the change in equity (net of fees, open
 * positions marked at the mid) and how many of the strategy's log lines of each kind it wrote.
 * Usage: bun bench/strategy-days.ts configs/pairs-stat-arb.yaml
 */
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { buildSession } from "../runtime/session/build.ts";

const file = resolve(process.argv[2] ?? "configs/pairs-stat-arb.yaml");
const loaded = loadConfig(file);
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
const config = structuredClone(loaded.config) as typeof loaded.config & { store?: unknown };
delete config.store;
const day = (ts: number): string => new Date(Math.floor(ts / 1000)).toISOString().slice(0, 10);
const logs = new Map<string, Map<string, number>>();
let clock = 0;
const session = await buildSession(config, file, {
  log: (line) => {
    const m = /"msg":"([^"]+)"/.exec(line) ?? /"message":"([^"]+)"/.exec(line);
    if (m === null) return;
    const why = /"why":"([^"]+)"/.exec(line);
    const key = why === null ? m[1]! : `${m[1]} (${why[1]})`;
    const d = day(clock);
    const byDay = logs.get(d) ?? new Map<string, number>();
    byDay.set(key, (byDay.get(key) ?? 0) + 1);
    logs.set(d, byDay);
  },
});
const dayEnd = new Map<string, number>();
const sample = session.performance.sample.bind(session.performance);
session.performance.sample = (ts: number, equity: number): boolean => {
  clock = ts;
  dayEnd.set(day(ts), equity);
  return sample(ts, equity);
};
const summary = runBacktest(session);
let prev = config.account.capital;
console.log(`${config.name}: orders=${summary.orders} fills=${summary.fills} pnl=${summary.pnl} quarantined=${JSON.stringify(summary.quarantined)}`);
console.log("| Day (UTC) | P&L USD | Log lines |\n|---|---|---|");
for (const [d, eq] of [...dayEnd].sort()) {
  const kinds = [...(logs.get(d) ?? new Map<string, number>())].filter(([k]) => k !== "formation" && k !== "target").map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`| ${d} | ${(eq - prev).toFixed(2)} | ${kinds} |`);
  prev = eq;
}
