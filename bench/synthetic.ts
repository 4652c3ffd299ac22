/**
 * Throughput of the synthetic FX market: events per second pulled through `next()` for the
 * default 28-pair market (quotes only, with 10% trades, and as a merge of two 14-pair markets), against a floor loop that only
 * copies the same events out of precomputed typed arrays into the flyweight event. The last line
 * is the headline: the generator's rate as a fraction of the floor's, measured in the same run.
 * Rates are given per wall second and per CPU second of this process: on a shared, busy machine
 * the CPU-second figure is the steadier one.
 *
 * Run: bun bench/synthetic.ts [eventsPerRound] [rounds]
 */
import { MarketEventKind, newMarketEvent, type MarketEvent } from "../runtime/data/sources/market-source.ts";
import { mergeSources } from "../runtime/data/sources/merge.ts";
import { createSyntheticMarket, syntheticInstruments } from "../runtime/data/sources/synthetic/index.ts";

const N = Number(process.argv[2] ?? 4_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);

/** Consumes an event the way a loop that reads every field would, so no work is optimised away. */
function touch(ev: MarketEvent, acc: number): number {
  return (acc + ev.ts + ev.instrument + ev.bid + ev.ask + ev.bidSize + ev.askSize + ev.kind) % 1_000_000_007;
}

// Precompute the events of the 28-pair market into struct-of-arrays for the floor loop.
const kind = new Uint8Array(N), instrument = new Int32Array(N);
const ts = new Float64Array(N), bid = new Float64Array(N), ask = new Float64Array(N), bidSize = new Float64Array(N), askSize = new Float64Array(N);
{
  const m = createSyntheticMarket({ seed: 1 });
  const ev = newMarketEvent();
  for (let i = 0; i < N; i++) {
    m.next(ev);
    kind[i] = ev.kind; ts[i] = ev.ts; instrument[i] = ev.instrument; bid[i] = ev.bid; ask[i] = ev.ask; bidSize[i] = ev.bidSize; askSize[i] = ev.askSize;
  }
}

type Round = [wallNs: number, cpuUs: number, checksum: number];

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function floorRound(): Round {
  const ev = newMarketEvent();
  let acc = 0;
  const c0 = cpuUs();
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < N; i++) {
    ev.kind = kind[i] as MarketEventKind; ev.ts = ts[i]; ev.instrument = instrument[i];
    ev.bid = bid[i]; ev.ask = ask[i]; ev.bidSize = bidSize[i]; ev.askSize = askSize[i];
    acc = touch(ev, acc);
  }
  return [Bun.nanoseconds() - t0, cpuUs() - c0, acc];
}

function generatorRound(tradeProbability: number, seed: number): Round {
  const m = createSyntheticMarket({ seed, tradeProbability });
  const ev = newMarketEvent();
  let acc = 0;
  const c0 = cpuUs();
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < N; i++) {
    m.next(ev);
    acc = touch(ev, acc);
  }
  return [Bun.nanoseconds() - t0, cpuUs() - c0, acc];
}

function mergedRound(seed: number): Round {
  const all = syntheticInstruments("sim");
  const m = mergeSources([createSyntheticMarket({ seed, instruments: all.slice(0, 14) }), createSyntheticMarket({ seed: seed + 1, instruments: all.slice(14) })]);
  const ev = newMarketEvent();
  let acc = 0;
  const c0 = cpuUs();
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < N; i++) {
    m.next(ev);
    acc = touch(ev, acc);
  }
  return [Bun.nanoseconds() - t0, cpuUs() - c0, acc];
}

const cases: [string, (round: number) => Round][] = [
  ["floor: copy precomputed events", () => floorRound()],
  ["synthetic 28 pairs, quotes", (r) => generatorRound(0, 100 + r)],
  ["synthetic 28 pairs, 10% trades", (r) => generatorRound(0.1, 200 + r)],
  ["merge of two 14-pair synthetic markets", (r) => mergedRound(300 + 2 * r)],
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let sink = 0;
// Warm-up round for every case, then interleaved measured rounds (the machine is shared and noisy).
for (const [, run] of cases) sink += run(0)[2];
const wall = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const cpu = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let r = 1; r <= ROUNDS; r++)
  for (const [name, run] of cases) {
    const [ns, us, acc] = run(r);
    sink += acc;
    wall.get(name)!.push(ns);
    cpu.get(name)!.push(us);
  }
console.log(`events per round ${N.toLocaleString("en-US")}, rounds ${ROUNDS}, median of rounds (checksum ${sink % 1000})`);
console.log("| case | M events/s (wall) | ns/event (wall) | M events/s (CPU) |");
console.log("|---|---:|---:|---:|");
const wallRate = new Map<string, number>();
const cpuRate = new Map<string, number>();
for (const [name] of cases) {
  const ns = median(wall.get(name)!);
  const us = median(cpu.get(name)!);
  wallRate.set(name, N / (ns / 1e9));
  cpuRate.set(name, N / (us / 1e6));
  console.log(`| ${name} | ${(wallRate.get(name)! / 1e6).toFixed(2)} | ${(ns / N).toFixed(1)} | ${(cpuRate.get(name)! / 1e6).toFixed(2)} |`);
}
const [floorName, genName] = [cases[0][0], cases[1][0]];
const wallRatio = wallRate.get(genName)! / wallRate.get(floorName)!;
const cpuRatio = cpuRate.get(genName)! / cpuRate.get(floorName)!;
console.log(
  `headline: synthetic 28-pair generator ${(wallRate.get(genName)! / 1e6).toFixed(2)} M events/s wall (${(cpuRate.get(genName)! / 1e6).toFixed(2)} per CPU-s) = ${wallRatio.toFixed(3)}x wall, ${cpuRatio.toFixed(3)}x CPU of the floor loop`,
);
