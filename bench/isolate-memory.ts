/**
 * How the memory limit of an isolate holds against real plugins: one that keeps 4 MiB per quote
 * (stopped by the heap the isolate publishes) and one that allocates without end inside a single
 * hook call (stopped by the process's growth during the call), each under a 64 and a 256 MiB
 * limit. Prints, per run, where it was stopped against the limit and the process's resident size
 * before, at the peak and after the termination (the baseline the overshoot is read against).
 *
 *   bun bench/isolate-memory.ts
 */
import { resolve } from "node:path";
import { createStrategyHarness } from "../plugins/sdk/harness.ts";
import type { Instrument } from "../plugins/sdk/instrument.ts";
import misbehaving from "../runtime/plugins/isolate/fixtures/misbehaving.ts";
import { isolateStrategy } from "../runtime/plugins/isolate/isolated-strategy.ts";

const MODULE = resolve(import.meta.dir, "../runtime/plugins/isolate/fixtures/misbehaving.ts");
const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const rssMb = () => Math.round(process.memoryUsage.rss() / 1048576);

for (const limit of [64, 256]) {
  const plugin = isolateStrategy(misbehaving, { module: MODULE, budgetUs: 10_000_000, memoryLimitMb: limit });
  const h = createStrategyHarness(plugin, { instruments: [EURUSD], params: { mode: "leak", leakMb: 4, capMb: 2048 } });
  const before = rssMb();
  let calls = 0;
  let peak = before;
  try {
    for (;;) {
      h.quote("EURUSD", 114543, 114545, 1, 1);
      calls++;
      peak = Math.max(peak, rssMb());
      Bun.sleepSync(2);
    }
  } catch (err) {
    await Bun.sleep(500);
    const m = /heapMb=(\d+)/.exec(String(err));
    console.log(`leak 4 MiB/call, limit ${limit} MiB: stopped after ${calls} calls (${calls * 4} MiB kept), published heap ${m?.[1] ?? "?"} MiB (${((Number(m?.[1]) || 0) / limit).toFixed(2)}x the limit); rss before ${before}, peak ${peak}, after ${rssMb()} MiB; ${String(err).split(":")[1]}`);
  }
}
for (const limit of [64, 256]) {
  const plugin = isolateStrategy(misbehaving, { module: MODULE, budgetUs: 60_000_000, memoryLimitMb: limit });
  const h = createStrategyHarness(plugin, { instruments: [EURUSD], params: { mode: "alloc", capMb: 4096 } });
  const before = rssMb();
  const t0 = performance.now();
  try {
    h.quote("EURUSD", 114543, 114545, 1, 1);
  } catch (err) {
    const at = rssMb();
    const ms = Math.round(performance.now() - t0);
    await Bun.sleep(500);
    console.log(`alloc in one call, limit ${limit} MiB: stopped after ${ms} ms at rss ${at} MiB (+${at - before} over ${before}); after ${rssMb()} MiB; ${String(err).split(":")[1]}`);
  }
}
process.exit(0);
