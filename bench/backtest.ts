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

function floor(source: MarketSource): { events: number; seconds: number } {
  const ev = newMarketEvent();
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  while (source.next(ev)) {
    n++;
    sink += ev.bid;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (sink === -1) console.log("");
  return { events: n, seconds };
}

const rows: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function real(features: "wasm" | "ts") {
  const file = resolve(import.meta.dir, "../configs/backtest.yaml");
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {}, features });
  const f = floor((await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} })).sources[0]!);
  const r = runBacktest(s);
  rows.push([`EURUSD day (${features} features)`, fmt(r.events), fmt(r.eventsPerSecond), fmt(f.events / f.seconds), (r.eventsPerSecond / (f.events / f.seconds)).toFixed(3)]);
  return r;
}

async function synthetic(features: "wasm" | "ts") {
  const tmp = tempDir("kestrel-bench-");
  const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD, USDJPY, AUDUSD] }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP] }`;
  const yaml = syntheticYaml(strategies, { pairs: "EURUSD, GBPUSD, USDJPY, USDCHF, AUDUSD, USDCAD, NZDUSD, EURGBP, EURJPY, EURCHF, EURAUD, EURCAD, EURNZD, GBPJPY, GBPCHF, GBPAUD, GBPCAD, GBPNZD, CHFJPY, AUDJPY, CADJPY, NZDJPY, AUDCHF, AUDCAD, AUDNZD, CADCHF, NZDCHF, NZDCAD", seconds: 86_400 }).replace("quotesPerSecond: 200", "quotesPerSecond: 60");
  const s = await sessionFromYaml(tmp.path, yaml, { features });
  const f = floor((await sessionFromYaml(tmp.path, yaml)).sources[0]!);
  const r = runBacktest(s);
  rows.push([`synthetic 28 pairs, 1 day (${features} features)`, fmt(r.events), fmt(r.eventsPerSecond), fmt(f.events / f.seconds), (r.eventsPerSecond / (f.events / f.seconds)).toFixed(3)]);
  tmp.dispose();
  return r;
}

await real("ts");
await real("wasm");
await synthetic("ts");
const last = await synthetic("wasm");
const header = ["run", "events", "pipeline ev/s", "floor ev/s", "pipeline/floor"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(`headline: synthetic 28-pair pipeline at ${fmt(last.eventsPerSecond)} events/s = ${rows[rows.length - 1]![4]} of the floor loop`);
