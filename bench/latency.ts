/**
 * Tick-to-order latency in a paper session: from the moment the loop hands a quote to the
 * pipeline to the moment an order leaves for the venue, recorded in the core's HDR-style
 * histogram. The baseline is the same session's cost of just timing an empty span (two
 * Bun.nanoseconds() calls), measured in the same run, and the same deployment driven at full
 * speed by the backtest loop. Also the quote lag: how late after its due wall time each quote
 * reaches the pipeline (what the pacer's wake-ups cost).
 *
 *   bun bench/latency.ts [seconds=15] [speed=20] [--busy-poll] [--no-store] [--idle-shadow]
 */
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { startRealtime } from "../runtime/session/realtime.ts";
import { startIdleShadow } from "../runtime/session/idle-shadow.ts";
import { LatencyHistogram } from "../runtime/kernel/latency-histogram.ts";
import { wallMicros } from "../runtime/kernel/clock.ts";

/** Percentiles of one histogram, nanoseconds. */
export type Summary = ReturnType<LatencyHistogram["summary"]>;

/** Options of one latency measurement. */
export interface LatencyOptions {
  /** Wall seconds of the paper session. */
  seconds: number;
  /** Market speed (kernel time per wall time). */
  speed: number;
  busyPoll: boolean;
  store: boolean;
  /** Wall seconds at the start that are not counted (JIT compilation of each order path). */
  warmupSeconds: number;
  /** Market seconds of the backtest-loop comparison run (0: not run). */
  hotSeconds: number;
  /** Run the deployment's idle shadow between events (RealtimeOptions.idleShadow). */
  idleShadow?: boolean;
}

/** Paper-session tick-to-order and quote lag, the same deployment in the backtest loop, and the timing floor. */
export async function measureLatency(o: LatencyOptions): Promise<{ paced: Summary; lag: Summary; hot: Summary | null; floor: Summary; events: number; orders: number }> {
  const file = resolve(import.meta.dir, "../configs/paper.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const session = await buildSession(loaded.config, file, { journalPath: "", store: o.store, log: () => {} });
  const shadow = o.idleShadow === true ? await startIdleShadow(loaded.config, file) : undefined;
  if (shadow !== undefined && "unsupported" in shadow) throw new Error(`no idle shadow for paper.yaml: ${shadow.unsupported}`);
  const run = startRealtime(session, { forUs: o.seconds * 1e6, speed: o.speed, busyPoll: o.busyPoll, idleShadow: shadow });
  // Quote lag: how late after its due wall time a quote reaches the pipeline, in wall ns.
  const k0 = run.syncClock();
  const w0 = wallMicros();
  const lag = new LatencyHistogram();
  // Chained: the store's own quote listener keeps recording.
  const quote = session.core.listeners.quote;
  session.core.listeners.quote = (ev) => {
    quote?.(ev);
    lag.record(((k0 + (wallMicros() - w0) * o.speed - ev.ts) / o.speed) * 1000);
  };
  const warm = setTimeout(() => {
    session.core.tickToOrder.reset();
    lag.reset();
  }, o.warmupSeconds * 1000);
  const summary = await run.done;
  clearTimeout(warm);
  await session.close();
  await shadow?.close();

  // The same deployment driven at full speed by the backtest loop (no real-time wake-ups): the
  // pipeline's own cost per order, for comparison with the paced session above.
  let hotSummary: Summary | null = null;
  if (o.hotSeconds > 0) {
    const hotConfig = structuredClone(loaded.config);
    hotConfig.market.synthetic = { ...hotConfig.market.synthetic, start: "2024-01-08T07:00:00Z", durationSeconds: o.hotSeconds };
    const hot = await buildSession(hotConfig, file, { mode: "backtest", journalPath: "", store: o.store, log: () => {} });
    hot.core.measureLatency = true;
    hot.core.host.start();
    for (let batch = 0; !hot.loop.exhausted; batch++) {
      hot.loop.runUntil(Infinity, 20_000);
      if (batch === 4) hot.core.tickToOrder.reset(); // warm-up, as above
    }
    await hot.close();
    hotSummary = hot.core.tickToOrder.summary();
  }
  return { paced: summary.tickToOrderNs, lag: lag.summary(), hot: hotSummary, floor: timingFloor(), events: summary.events, orders: summary.orders };
}

/** The cost of timing an empty span, as a histogram of 1,000,000 samples. */
export function timingFloor(): Summary {
  const floor = new LatencyHistogram();
  for (let i = 0; i < 1_000_000; i++) {
    const a = Bun.nanoseconds();
    floor.record(Bun.nanoseconds() - a);
  }
  return floor.summary();
}

if (import.meta.main) {
  const seconds = Number(process.argv[2] ?? 15);
  const speed = Number(process.argv[3] ?? 20);
  const busyPoll = process.argv.includes("--busy-poll");
  const warmupSeconds = 3;
  const idleShadow = process.argv.includes("--idle-shadow");
  const r = await measureLatency({ seconds, speed, busyPoll, store: !process.argv.includes("--no-store"), warmupSeconds, hotSeconds: 7200, idleShadow });
  const t = r.paced, h = r.hot!, f = r.floor;
  const us = (ns: number) => (ns / 1000).toFixed(2);
  console.log(`paper session ${seconds}s (first ${warmupSeconds}s not counted) at speed ${speed}${busyPoll ? ", busy poll" : ""}${idleShadow ? ", idle shadow" : ""}: ${r.events.toLocaleString("en-US")} events, ${r.orders} orders`);
  console.log("measure                    count      p50 µs   p99 µs  p99.9 µs   max µs");
  console.log(`tick-to-order        ${String(t.count).padStart(10)}  ${us(t.p50).padStart(8)} ${us(t.p99).padStart(8)} ${us(t.p999).padStart(9)} ${us(t.max).padStart(8)}`);
  const l = r.lag;
  console.log(`quote lag            ${String(l.count).padStart(10)}  ${us(l.p50).padStart(8)} ${us(l.p99).padStart(8)} ${us(l.p999).padStart(9)} ${us(l.max).padStart(8)}`);
  console.log(`same, backtest loop   ${String(h.count).padStart(10)}  ${us(h.p50).padStart(8)} ${us(h.p99).padStart(8)} ${us(h.p999).padStart(9)} ${us(h.max).padStart(8)}`);
  console.log(`timing floor         ${String(f.count).padStart(10)}  ${us(f.p50).padStart(8)} ${us(f.p99).padStart(8)} ${us(f.p999).padStart(9)} ${us(f.max).padStart(8)}`);
  console.log(`headline: tick-to-order p99 ${us(t.p99)} µs (target 20 µs) = ${(t.p99 / Math.max(1, f.p99)).toFixed(1)}x the timing floor's p99`);
}
