/**
 * Store recording: how many ticks/s the TickRecorder appends to DuckDB, and how much recording
 * every market event slows a real backtest (the synthetic 28-pair deployment, two strategies).
 * The baseline is the same backtest with the same tap on the market source doing nothing, run
 * alternately with the recording runs in the same process; medians of 3 runs each.
 *
 *   bun bench/store-recording.ts [seconds-of-market, default 21600]
 */
import { join } from "node:path";
import { runBacktest } from "../runtime/session/backtest.ts";
import type { Session } from "../runtime/session/build.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../runtime/session/test-session.ts";
import type { MarketEvent, MarketSource } from "../runtime/data/sources/market-source.ts";
import { TickRecorder } from "../runtime/store/recorder.ts";

const seconds = Number(process.argv[2] ?? 21_600);
const tmp = tempDir("kestrel-bench-store-");
const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD, USDJPY, AUDUSD] }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP] }`;
const yaml = syntheticYaml(strategies, {
  pairs: "EURUSD, GBPUSD, USDJPY, USDCHF, AUDUSD, USDCAD, NZDUSD, EURGBP, EURJPY, EURCHF, EURAUD, EURCAD, EURNZD, GBPJPY, GBPCHF, GBPAUD, GBPCAD, GBPNZD, CHFJPY, AUDJPY, CADJPY, NZDJPY, AUDCHF, AUDCAD, AUDNZD, CADCHF, NZDCHF, NZDCAD",
  seconds,
}).replace("quotesPerSecond: 200", "quotesPerSecond: 60");

/** Puts a tap on every market source: `onEvent` sees each event after the source wrote it. */
function tap(session: Session, onEvent: (ev: MarketEvent) => void): void {
  for (const src of session.sources as MarketSource[]) {
    const next = src.next.bind(src);
    src.next = (out: MarketEvent): boolean => {
      if (!next(out)) return false;
      onEvent(out);
      return true;
    };
  }
}

let sink = 0;
async function run(record: boolean, i: number): Promise<{ events: number; evps: number; recorded: number; flushS: number; loopS: number }> {
  const session = await sessionFromYaml(tmp.path, yaml, { features: "ts" });
  let rec: TickRecorder | null = null;
  if (record) {
    rec = await TickRecorder.open({ db: join(tmp.path, `rec-${i}.duckdb`), instruments: session.instruments, policy: "block" });
    const r = rec;
    tap(session, (ev) => {
      if (ev.kind === 1) r.recordQuote(ev.ts, ev.instrument, ev.bid, ev.ask, ev.bidSize, ev.askSize);
      else r.recordTrade(ev.ts, ev.instrument, ev.price, ev.size, ev.side, 0);
    });
  } else {
    tap(session, (ev) => {
      sink += ev.ts & 1;
    });
  }
  const t0 = performance.now();
  const summary = runBacktest(session);
  const loopS = (performance.now() - t0) / 1000;
  let flushS = 0;
  let recorded = 0;
  if (rec !== null) {
    const t1 = performance.now();
    await rec.close();
    flushS = (performance.now() - t1) / 1000;
    const st = rec.stats();
    recorded = st.quotes.appended + st.trades.appended;
    if (st.quotes.dropped + st.trades.dropped > 0) throw new Error("block policy dropped rows");
  }
  return { events: summary.events, evps: summary.eventsPerSecond, recorded, flushS, loopS };
}

/** The recorder alone: quotes recorded in a tight loop, then flushed and closed. */
async function rawRate(n: number): Promise<{ recordPerS: number; appendedPerS: number }> {
  const rec = await TickRecorder.open({ db: join(tmp.path, `raw-${n}.duckdb`), instruments: [{ id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1 }] });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) rec.recordQuote(1_704_700_800_000_000 + i, 0, 110_000 + (i & 15), 110_002 + (i & 15), 1_000_000, 2_000_000);
  const t1 = performance.now();
  await rec.close();
  const t2 = performance.now();
  if (rec.stats().quotes.appended !== n) throw new Error("rows missing");
  return { recordPerS: n / ((t1 - t0) / 1000), appendedPerS: n / ((t2 - t0) / 1000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
await run(false, -1); // warm-up
const off: number[] = [];
const on: number[] = [];
const sustained: number[] = [];
let events = 0;
for (let i = 0; i < 3; i++) {
  const a = await run(false, i);
  const b = await run(true, i);
  off.push(a.evps);
  on.push(b.evps);
  sustained.push(b.recorded / (b.loopS + b.flushS));
  events = a.events;
}
const raw = [await rawRate(10_000_000), await rawRate(10_000_000), await rawRate(10_000_000)];
tmp.dispose();

const rows: [string, string][] = [
  ["backtest events (synthetic 28 pairs)", fmt(events)],
  ["backtest ev/s, recording off (median of 3)", fmt(median(off))],
  ["backtest ev/s, recording on (median of 3)", fmt(median(on))],
  ["sustained appended rows/s during the backtest (incl. final flush)", fmt(median(sustained))],
  ["recorder alone: recordQuote calls/s (10M quotes)", fmt(median(raw.map((r) => r.recordPerS)))],
  ["recorder alone: appended to DuckDB rows/s (10M quotes, incl. flush+close)", fmt(median(raw.map((r) => r.appendedPerS)))],
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${"measure".padEnd(w)}  value`);
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
if (sink === -1) console.log("");
console.log(`headline: backtest with recording on runs at ${(median(on) / median(off)).toFixed(3)} of its speed with recording off (target >= 0.90); recorder appends ${fmt(median(raw.map((r) => r.appendedPerS)))} ticks/s`);
