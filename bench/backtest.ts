/**
 * Backtest throughput: events per second through the whole pipeline (book, features, venue,
 * strategies, risk, OMS, portfolio) on the real EURUSD day and on a synthetic 28-pair day, each
 * against a floor loop that only reads the same events from the same source.
 *
 *   bun bench/backtest.ts
 */
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { newMarketEvent, type MarketSource } from "../runtime/data/sources/market-source.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../runtime/session/test-session.ts";

/** Pipeline throughput against the floor loop over the same source, same run. */
export interface BacktestFigure {
  events: number;
  eventsPerSecond: number;
  floorEventsPerSecond: number;
  floorRatio: number;
  fills: number;
  fillsHash: string;
  /** Events per second of process CPU time (user + system) of the pipeline run: steadier than wall time on a loaded machine. */
  cpuEventsPerSecond: number;
  /** Events per second of process CPU time of the floor loop. */
  floorCpuEventsPerSecond: number;
  /** Wall seconds of building the session (opening the replay parses its first file into columns). */
  buildSeconds: number;
  /** A second run of the same day in the same process (JIT warm), against a second floor pass. */
  warm?: { eventsPerSecond: number; floorEventsPerSecond: number; floorRatio: number; fillsHash: string; cpuEventsPerSecond: number; floorCpuEventsPerSecond: number };
}

/** Process CPU seconds (user + system) since `from`. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
}

function floor(source: MarketSource): { events: number; seconds: number; cpuSeconds: number } {
  const ev = newMarketEvent();
  let n = 0;
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (source.next(ev)) {
    n++;
    sink += ev.bid;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  if (sink === -1) console.log("");
  return { events: n, seconds, cpuSeconds: cpu };
}

/** Runs the backtest, measuring its process CPU time beside the summary's wall rate. */
function timedBacktest(s: Parameters<typeof runBacktest>[0]): { r: ReturnType<typeof runBacktest>; cpuEventsPerSecond: number } {
  const c0 = process.cpuUsage();
  const r = runBacktest(s);
  return { r, cpuEventsPerSecond: r.events / cpuSeconds(c0) };
}

/**
 * The real EURUSD day of configs/backtest.yaml through the whole pipeline, against the floor loop:
 * the first run in the process (as `kestrel backtest` runs it: code not yet compiled by the JIT),
 * and with `warm` a second run of the same day after it, against a second floor pass.
 */
export async function measureBacktestReal(features: "wasm" | "ts" = "wasm", warm = false): Promise<BacktestFigure> {
  const file = resolve(import.meta.dir, "../configs/backtest.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const once = async () => {
    const b0 = performance.now();
    const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {}, features });
    const buildSeconds = (performance.now() - b0) / 1000;
    const fs = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
    const f = floor(fs.sources[0]!);
    await fs.close();
    const { r, cpuEventsPerSecond } = timedBacktest(s);
    await s.close();
    return { r, fps: f.events / f.seconds, fcps: f.events / f.cpuSeconds, cpuEventsPerSecond, buildSeconds };
  };
  const { r, fps, fcps, cpuEventsPerSecond, buildSeconds } = await once();
  const out: BacktestFigure = { events: r.events, eventsPerSecond: r.eventsPerSecond, floorEventsPerSecond: fps, floorRatio: r.eventsPerSecond / fps, fills: r.fills, fillsHash: r.fillsHash, cpuEventsPerSecond, floorCpuEventsPerSecond: fcps, buildSeconds };
  if (warm) {
    const w = await once();
    out.warm = { eventsPerSecond: w.r.eventsPerSecond, floorEventsPerSecond: w.fps, floorRatio: w.r.eventsPerSecond / w.fps, fillsHash: w.r.fillsHash, cpuEventsPerSecond: w.cpuEventsPerSecond, floorCpuEventsPerSecond: w.fcps };
  }
  return out;
}

/** A strategy entry of a deployment, as the synthetic bench writes it into its YAML. */
export interface StrategyEntry {
  name: string;
  plugin: string;
  instruments: string[];
  params?: Record<string, unknown>;
  isolate?: boolean;
}

/** The strategies of the synthetic 28-pair day: the scalper on four majors, the market maker on two pairs. */
export const SYNTHETIC_STRATEGIES: readonly StrategyEntry[] = [
  { name: "obi", plugin: "obi-scalper", instruments: ["EURUSD", "GBPUSD", "USDJPY", "AUDUSD"] },
  { name: "mm", plugin: "avellaneda-stoikov", instruments: ["EURUSD", "EURGBP"] },
];

const PAIRS_28 = "EURUSD, GBPUSD, USDJPY, USDCHF, AUDUSD, USDCAD, NZDUSD, EURGBP, EURJPY, EURCHF, EURAUD, EURCAD, EURNZD, GBPJPY, GBPCHF, GBPAUD, GBPCAD, GBPNZD, CHFJPY, AUDJPY, CADJPY, NZDJPY, AUDCHF, AUDCAD, AUDNZD, CADCHF, NZDCHF, NZDCAD";

/** The deployment of the synthetic 28-pair market (60 quotes/s per pair) of `seconds` with `strategies`. */
export function syntheticBenchYaml(strategies: readonly StrategyEntry[], seconds: number): string {
  const lines = strategies.map((s) => `  - ${JSON.stringify(s)}`).join("\n");
  return syntheticYaml(lines, { pairs: PAIRS_28, seconds }).replace("quotesPerSecond: 200", "quotesPerSecond: 60");
}

/** A synthetic 28-pair market of `seconds` (86,400 = the bench's day) through both strategies, against the floor loop. */
export async function measureBacktestSynthetic(features: "wasm" | "ts" = "wasm", seconds = 86_400): Promise<BacktestFigure> {
  const tmp = tempDir("kestrel-bench-");
  try {
    const yaml = syntheticBenchYaml(SYNTHETIC_STRATEGIES, seconds);
    const b0 = performance.now();
    const s = await sessionFromYaml(tmp.path, yaml, { features, store: false, journalPath: "" });
    const buildSeconds = (performance.now() - b0) / 1000;
    const fs = await sessionFromYaml(tmp.path, yaml, { store: false, journalPath: "" });
    const f = floor(fs.sources[0]!);
    await fs.close();
    const { r, cpuEventsPerSecond } = timedBacktest(s);
    await s.close();
    const fps = f.events / f.seconds;
    return { events: r.events, eventsPerSecond: r.eventsPerSecond, floorEventsPerSecond: fps, floorRatio: r.eventsPerSecond / fps, fills: r.fills, fillsHash: r.fillsHash, cpuEventsPerSecond, floorCpuEventsPerSecond: f.events / f.cpuSeconds, buildSeconds };
  } finally {
    tmp.dispose();
  }
}

if (import.meta.main) {
  const rows: string[][] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const row = (name: string, r: BacktestFigure) =>
    rows.push([name, fmt(r.events), fmt(r.eventsPerSecond), fmt(r.floorEventsPerSecond), r.floorRatio.toFixed(3), fmt(r.cpuEventsPerSecond), fmt(r.floorCpuEventsPerSecond), (r.cpuEventsPerSecond / r.floorCpuEventsPerSecond).toFixed(3), r.fillsHash.slice(0, 12)]);
  row("EURUSD day (ts features)", await measureBacktestReal("ts"));
  const real = await measureBacktestReal("wasm", true);
  row("EURUSD day (wasm features)", real);
  const w = real.warm!;
  rows.push(["EURUSD day (wasm features), second run", fmt(real.events), fmt(w.eventsPerSecond), fmt(w.floorEventsPerSecond), w.floorRatio.toFixed(3), fmt(w.cpuEventsPerSecond), fmt(w.floorCpuEventsPerSecond), (w.cpuEventsPerSecond / w.floorCpuEventsPerSecond).toFixed(3), w.fillsHash.slice(0, 12)]);
  row("synthetic 28 pairs, 1 day (ts features)", await measureBacktestSynthetic("ts"));
  const last = await measureBacktestSynthetic("wasm");
  row("synthetic 28 pairs, 1 day (wasm features)", last);
  console.error(`build (replay opened, first file parsed into columns) before the first real-day run: ${real.buildSeconds.toFixed(3)} s`);
  const header = ["run", "events", "pipeline ev/s", "floor ev/s", "pipeline/floor", "pipeline ev/CPU-s", "floor ev/CPU-s", "CPU ratio", "fills hash"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`headline: synthetic 28-pair pipeline at ${fmt(last.eventsPerSecond)} events/s = ${last.floorRatio.toFixed(3)} of the floor loop`);
}
