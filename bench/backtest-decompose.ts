/**
 * Where a backtest's time goes, by what runs: the same engine (replay, books, 25 features, sim
 * venue, risk, OMS, portfolio) with, in turn, a strategy that does nothing on the same instruments,
 * each shipped strategy alone, and both (the backtestReal / backtestSynthetic rows' setup). One
 * more variant runs the market maker with quotes replaced only after fills: its per-quote work
 * with little order churn. Variants alternate in one warm process; each run is timed by its main
 * thread's CPU time, so the JIT and GC threads and the waits for a CPU stay out. Prints the median
 * ns per event of each variant, its orders and fills, and what it adds over the do-nothing one,
 * per event and per order sent.
 *
 *   bun bench/backtest-decompose.ts [real|synthetic] [rounds] [warmup] [syntheticSeconds]
 *   (default: real, 9 rounds after 3 warm-up runs each; the synthetic 28-pair day of bench/backtest.ts, 14,400 s of it)
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession, type Session } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { sessionFromYaml, tempDir } from "../runtime/session/test-session.ts";
import { median } from "./backtest-ab.ts";
import { mainThreadCpuSeconds } from "./backtest-ab-inproc.ts";
import { SYNTHETIC_STRATEGIES, syntheticBenchYaml, type StrategyEntry } from "./backtest.ts";

const NOOP = resolve(import.meta.dir, "../runtime/plugins/isolate/fixtures/noop.ts");

/** One variant's runs: ns per event, and the day's order and fill counts. */
interface Variant {
  name: string;
  strategies: StrategyEntry[];
  nsPerEvent: number[];
  events: number;
  orders: number;
  fills: number;
  hashes: Set<string>;
}

/** The variants for a day whose shipped strategies are `shipped`. */
function variantsOf(shipped: StrategyEntry[]): Variant[] {
  const byPlugin = (p: string) => shipped.filter((s) => s.plugin === p);
  const all = [...new Set(shipped.flatMap((s) => s.instruments))];
  return [
    { name: "noop strategy", strategies: [{ name: "noop", plugin: NOOP, isolate: false, instruments: all, params: {} }] },
    { name: "obi-scalper alone", strategies: byPlugin("obi-scalper") },
    { name: "avellaneda-stoikov alone", strategies: byPlugin("avellaneda-stoikov") },
    { name: "avellaneda-stoikov, requoteTicks 10^6", strategies: byPlugin("avellaneda-stoikov").map((s) => ({ ...s, params: { ...s.params, requoteTicks: 1_000_000 } })) },
    { name: "both (the row's setup)", strategies: shipped },
  ].map((v) => ({ ...v, nsPerEvent: [], events: 0, orders: 0, fills: 0, hashes: new Set<string>() }));
}

/** Builds a session of the day with `strategies` in place of the shipped ones. */
type Builder = (strategies: StrategyEntry[]) => Promise<Session>;

/** The real EURUSD day of configs/backtest.yaml. */
function realDay(): { shipped: StrategyEntry[]; build: Builder; label: string } {
  const file = resolve(import.meta.dir, "../configs/backtest.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const base = loaded.config;
  return {
    label: "real EURUSD day (configs/backtest.yaml)",
    shipped: base.strategies as unknown as StrategyEntry[],
    build: (strategies) => buildSession({ ...base, strategies } as typeof base, file, { mode: "backtest", journalPath: "", store: false, log: () => {} }),
  };
}

/** bench/backtest.ts's synthetic 28-pair market, `seconds` long. */
function syntheticDay(seconds: number, dir: string): { shipped: StrategyEntry[]; build: Builder; label: string } {
  return {
    label: `synthetic 28 pairs, ${seconds.toLocaleString("en-US")} s (bench/backtest.ts's market)`,
    shipped: [...SYNTHETIC_STRATEGIES],
    build: (strategies) => sessionFromYaml(dir, syntheticBenchYaml(strategies, seconds), { store: false, journalPath: "" }),
  };
}

async function runOnce(v: Variant, build: Builder, record: boolean): Promise<void> {
  const s = await build(v.strategies);
  Bun.gc(true);
  const c0 = mainThreadCpuSeconds();
  const r = runBacktest(s);
  const cpu = mainThreadCpuSeconds() - c0;
  await s.close();
  v.events = r.events;
  v.orders = r.orders;
  v.fills = r.fills;
  v.hashes.add(r.fillsHash.slice(0, 12));
  if (record) v.nsPerEvent.push((cpu * 1e9) / r.events);
}

if (import.meta.main) {
  const which = process.argv[2] ?? "real";
  const rounds = Number(process.argv[3] ?? 9);
  const warmup = Number(process.argv[4] ?? 3);
  const tmp = tempDir("kestrel-decompose-");
  try {
    const day = which === "synthetic" ? syntheticDay(Number(process.argv[5] ?? 14_400), tmp.path) : realDay();
    const variants = variantsOf(day.shipped);
    const load0 = loadavg()[0]!;
    for (let i = 0; i < warmup; i++) for (const v of variants) await runOnce(v, day.build, false);
    for (let i = 0; i < rounds; i++) {
      // Alternate the order of the variants each round, so a drift of the machine hits all alike.
      const order = i % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) await runOnce(v, day.build, true);
    }
    const noop = median(variants[0]!.nsPerEvent);
    console.log(`${day.label}: ${variants[0]!.events.toLocaleString("en-US")} events; ${rounds} rounds after ${warmup} warm-up runs; main-thread CPU; load ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`);
    console.log("| variant | ns/event (median) | min | max | events/s at the median | orders | fills | over noop, ns/event | over noop per order sent | fills hash |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (const v of variants) {
      const m = median(v.nsPerEvent);
      const over = m - noop;
      const perOrder = v === variants[0] || v.orders === 0 ? "" : `${((over * v.events) / v.orders / 1000).toFixed(2)} µs`;
      console.log(
        `| ${v.name} | ${m.toFixed(0)} | ${Math.min(...v.nsPerEvent).toFixed(0)} | ${Math.max(...v.nsPerEvent).toFixed(0)} | ${(1e3 / m).toFixed(2)} M | ${v.orders.toLocaleString("en-US")} | ${v.fills.toLocaleString("en-US")} | ${v === variants[0] ? "" : over.toFixed(0)} | ${perOrder} | ${[...v.hashes].join(", ")} |`,
      );
    }
  } finally {
    tmp.dispose();
  }
}
