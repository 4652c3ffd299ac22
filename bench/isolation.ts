/**
 * What isolating a strategy costs: the real EURUSD day (configs/backtest.yaml, both demo
 * strategies) driven by the backtest loop, with the strategies in process, in sleeping isolates
 * and in spinning isolates, in the same run. Tick-to-order is measured by the core (quote handed to
 * the pipeline → order leaves for the venue), so it includes the isolate's round trips; the fills
 * hash shows the three runs traded identically.
 *
 *   bun bench/isolation.ts
 */
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";

const file = resolve(import.meta.dir, "../configs/backtest.yaml");
const loaded = loadConfig(file, {});
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));

async function measure(label: string, isolate: boolean, spin: boolean) {
  const config = structuredClone(loaded.ok ? loaded.config : (undefined as never));
  for (const s of config.strategies) Object.assign(s, { isolate, spin });
  const session = await buildSession(config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  session.core.measureLatency = true;
  session.core.host.start();
  const t0 = Bun.nanoseconds();
  for (let batch = 0; !session.loop.exhausted; batch++) {
    session.loop.runUntil(Infinity, 20_000);
    if (batch === 2) session.core.tickToOrder.reset(); // warm-up: JIT of each path
  }
  const wallNs = Bun.nanoseconds() - t0;
  const h = session.core.tickToOrder.summary();
  const fills = session.core.fillsHash();
  await session.close();
  return { label, h, wallNs, fills };
}

const runs = [await measure("in process", false, false), await measure("isolated, sleeping", true, false), await measure("isolated, spinning", true, true)];
const base = runs[0]!;
const us = (ns: number) => (ns / 1000).toFixed(2);
console.log("strategies              orders    p50 µs   p99 µs  p99.9 µs   wall s   p50 added µs");
for (const r of runs) {
  console.log(
    `${r.label.padEnd(22)} ${String(r.h.count).padStart(7)}  ${us(r.h.p50).padStart(8)} ${us(r.h.p99).padStart(8)} ${us(r.h.p999).padStart(9)} ${(r.wallNs / 1e9).toFixed(2).padStart(8)} ${us(r.h.p50 - base.h.p50).padStart(14)}`,
  );
}
console.log(`same fills in all three runs: ${runs.every((r) => r.fills === base.fills)}`);
console.log(`headline: a spinning isolate adds ${us(runs[2]!.h.p50 - base.h.p50)} µs at p50 (target ≤ 2 µs), a sleeping one ${us(runs[1]!.h.p50 - base.h.p50)} µs`);
