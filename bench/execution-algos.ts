/**
 * Execution algorithms against immediate execution, and routing across OANDA+FXCM against either
 * venue alone, on the shared real days (EURUSD, 2014-05-01 .. 09). Every run gets the same parent
 * orders (1,000,000 every hour, sides alternating) with the same seed; the figure is the
 * implementation shortfall per parent in basis points against the arrival mid (positive = cost,
 * fees excluded) and fees per parent, each as a mean with a 95% bootstrap interval, plus the
 * paired difference to immediate execution (same parents). Quotes carry no size: each venue
 * assumes 1,000,000 displayed at its touch, so a 1,000,000 immediate order takes one level.
 *
 *   bun bench/execution-algos.ts
 */
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { runBacktest } from "../runtime/session/backtest.ts";
import { sessionFromYaml, tempDir } from "../runtime/session/test-session.ts";
import type { ParentTca } from "../runtime/execution/tca/parent-tca.ts";

const DATA = resolve(import.meta.dir, "../../shared/data");
const FIXTURE = resolve(import.meta.dir, "fixtures/parent-schedule.ts");
const VENUE = {
  oanda: "{ name: oanda, plugin: sim, params: { orderLatencyUs: 300, reportLatencyUs: 300, takerFeePpm: 15, assumedQuoteSize: 1000000 } }",
  fxcm: "{ name: fxcm, plugin: sim, params: { orderLatencyUs: 600, reportLatencyUs: 600, takerFeePpm: 10, assumedQuoteSize: 1000000 } }",
};

/** FXCM's files keep a clock five hours behind UTC (plugins/strategies/cross-venue/README.md): each day is read with its own offset. */
function replayLines(v: keyof typeof VENUE): string {
  if (v === "oanda") return `      - { path: ${DATA}/oanda/eurusd, instrument: EURUSD, format: lean, venue: oanda }`;
  return readdirSync(`${DATA}/fxcm/eurusd`).filter((f) => /^\d{8}_eurusd_tick_quote\.csv\.gz$/.test(f)).sort().map((f) => {
    const offsetUs = (Date.UTC(Number(f.slice(0, 4)), Number(f.slice(4, 6)) - 1, Number(f.slice(6, 8))) + 5 * 3_600_000) * 1000;
    return `      - { path: ${DATA}/fxcm/eurusd/${f}, instrument: EURUSD, venue: fxcm, format: csv, mapping: { ts: 0, tsFormat: ms, tsOffsetUs: ${offsetUs}, bid: 1, ask: 2, header: false } }`;
  }).join("\n");
}

function yaml(venues: (keyof typeof VENUE)[], algo: string, limitFromTouchTicks = 0): string {
  return `
name: bench-exec
mode: backtest
seed: 16
account: { currency: USD, capital: 100000000 }
instruments:
  - { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 }
market:
  source: replay
  replay:
    files:
${venues.map(replayLines).join("\n")}
venues:
${venues.map((v) => `  - ${VENUE[v]}`).join("\n")}
execution:
  algos:
    - { name: immediate, plugin: twap, params: { durationSeconds: 1, slices: 1, graceSlices: 0, slippageTicks: 3 } }
    - { name: twap, plugin: twap, params: { durationSeconds: 900, slices: 15, graceSlices: 2, slippageTicks: 2 } }
    - { name: pov, plugin: pov, params: { rate: 0.2, minChild: 50000, unitsPerTick: 100000, maxDurationSeconds: 1800 } }
    - { name: iceberg, plugin: iceberg, params: { displaySize: 200000, sizeVariance: 0.3, refreshMinUs: 100000, refreshMaxUs: 2000000 } }
  router: { name: sor, plugin: sor }
strategies:
  - { name: sched, plugin: ${JSON.stringify(FIXTURE)}, isolate: false, instruments: [EURUSD], params: { algo: ${algo}, everySeconds: 3600, quantity: 1000000, limitFromTouchTicks: ${limitFromTouchTicks} } }
risk:
  limits: { maxPosition: 50000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 10000000, maxDrawdown: 10000000 }
data: { staleSeconds: 10 }
`;
}

/** Seeded xorshift for the bootstrap. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function meanCi(xs: number[], seed = 1): string {
  if (xs.length === 0) return "n/a";
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const r = rng(seed);
  const boots: number[] = [];
  for (let b = 0; b < 2000; b++) {
    const s: number[] = [];
    for (let i = 0; i < xs.length; i++) s.push(xs[Math.floor(r() * xs.length)]!);
    boots.push(mean(s));
  }
  boots.sort((a, b) => a - b);
  return `${mean(xs).toFixed(2)} [${boots[49]!.toFixed(2)}, ${boots[1949]!.toFixed(2)}]`;
}

const dir = tempDir("kestrel-bench-exec-");
interface Run {
  name: string;
  parents: ParentTca[];
  fills: Record<string, number>;
  seconds: number;
}
async function run(name: string, venues: (keyof typeof VENUE)[], algo: string, limit = 0): Promise<Run> {
  const t0 = performance.now();
  const s = await sessionFromYaml(dir.path, yaml(venues, algo, limit), { features: "ts", store: false });
  const summary = runBacktest(s);
  await s.close();
  return { name, parents: summary.parents ?? [], fills: summary.fillsByVenue ?? {}, seconds: (performance.now() - t0) / 1000 };
}

const runs: Run[] = [];
runs.push(await run("immediate, routed OANDA+FXCM", ["oanda", "fxcm"], "immediate"));
runs.push(await run("TWAP 15 min, routed", ["oanda", "fxcm"], "twap"));
runs.push(await run("POV 20% of ticks, routed", ["oanda", "fxcm"], "pov"));
runs.push(await run("iceberg at the touch, routed", ["oanda", "fxcm"], "iceberg"));
runs.push(await run("immediate, OANDA alone", ["oanda"], "immediate"));
runs.push(await run("immediate, FXCM alone", ["fxcm"], "immediate"));
dir.dispose();

const base = runs[0]!;
const byId = (r: Run) => new Map(r.parents.map((p) => [p.id, p]));
const baseIds = byId(base);
const bps = (p: ParentTca) => p.shortfallBps;
const feeBps = (p: ParentTca) => (p.filled > 0 && p.avgPrice > 0 ? (p.fees / (p.filled * p.avgPrice)) * 10_000 : 0);
console.log("| run | parents | fill rate | shortfall bp (95% CI) | fees bp (95% CI) | shortfall+fees minus immediate, paired (95% CI) | fills by venue | wall s |");
console.log("| --- | ---: | ---: | --- | --- | --- | --- | ---: |");
for (const r of runs) {
  const filled = r.parents.filter((p) => p.filled > 0 && p.arrivalPrice > 0);
  const fillRate = r.parents.reduce((a, p) => a + p.filled, 0) / Math.max(1, r.parents.reduce((a, p) => a + p.quantity, 0));
  const paired: number[] = [];
  for (const p of filled) {
    const q = baseIds.get(p.id);
    if (q !== undefined && q.filled > 0 && q.arrivalPrice > 0) paired.push(bps(p) + feeBps(p) - (bps(q) + feeBps(q)));
  }
  console.log(
    `| ${r.name} | ${r.parents.length} | ${(fillRate * 100).toFixed(1)}% | ${meanCi(filled.map(bps))} | ${meanCi(filled.map(feeBps), 2)} | ${r === base ? "(baseline)" : meanCi(paired, 3)} | ${Object.entries(r.fills).map(([k, v]) => `${k}=${v}`).join(" ")} | ${r.seconds.toFixed(1)} |`,
  );
}
