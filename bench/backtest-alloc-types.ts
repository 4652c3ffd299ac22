/**
 * Objects allocated during a backtest, by type: JavaScriptCore's live-object counts by type
 * (`heapStats().objectTypeCounts`) after a full collection just before the run, and again right
 * after the run with no collection in between. The real day runs with no collection at all (see
 * backtest-alloc.ts), so the difference is the objects the run allocated, by type; a run during
 * which JSC collected prints a warning (its counts are then a lower bound). Prints the orders,
 * venue reports and fills of the run beside the counts, so a count can be read per order.
 *
 *   bun bench/backtest-alloc-types.ts [config.yaml] [top]   (default: configs/backtest.yaml 25)
 */
import { heapStats } from "bun:jsc";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";

/** Per-type growth of JSC's object counts between two `objectTypeCounts` maps, largest first. */
export function countGrowth(before: Record<string, number>, after: Record<string, number>): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out.push([k, d]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

if (import.meta.main) {
  const file = resolve(process.argv[2] ?? resolve(import.meta.dir, "../configs/backtest.yaml"));
  const top = Number(process.argv[3] ?? 25);
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  Bun.gc(true);
  const h0 = heapStats();
  const before = { ...(h0.objectTypeCounts as Record<string, number>) };
  const r = runBacktest(s);
  const h1 = heapStats();
  const growth = countGrowth(before, h1.objectTypeCounts as Record<string, number>);
  const orders = s.core.oms.created;
  const fills = s.core.oms.fillIds.current;
  const refused = s.core.oms.refused;
  await s.close();
  const total = growth.reduce((a, [, n]) => a + n, 0);
  console.log(`${file.split("/").at(-1)}: ${r.events} events, ${orders} orders (${refused} refused by risk), ${fills} fills, hash ${r.fillsHash.slice(0, 12)}; heap ${(h0.heapSize / 2 ** 20).toFixed(1)} -> ${(h1.heapSize / 2 ** 20).toFixed(1)} MiB`);
  if (h1.heapSize < h0.heapSize) console.log("warning: the heap shrank during the run (a collection ran): counts are a lower bound");
  console.log(`objects allocated: ${total} (${(total / r.events).toFixed(2)} per event, ${(total / orders).toFixed(2)} per order)`);
  console.log("type                              count   per event   per order");
  for (const [k, n] of growth.slice(0, top)) console.log(`${k.padEnd(30)} ${String(n).padStart(9)}  ${(n / r.events).toFixed(3).padStart(10)}  ${(n / orders).toFixed(3).padStart(10)}`);
}
