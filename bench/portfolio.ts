/**
 * Benchmark of portfolio accounting: fills/s through Portfolio.applyFill (exact FIFO lots, overflow
 * checks, per-instrument totals) and quotes/s through mark + unrealised, against the reference FIFO
 * recomputation (plain arrays, BigInt money; runtime/portfolio/recompute.ts) on the same seeded fill
 * stream in the same run. The stream: 5 instruments, 3 strategies, random sides and sizes, so about
 * half of the fills close or flip a position. Each figure is the best of several repetitions.
 * Usage: `bun bench/portfolio.ts [--quick]`.
 */
import type { Fill, Side } from "../plugins/sdk/orders.ts";
import { Portfolio } from "../runtime/portfolio/portfolio.ts";
import { recomputeFifo } from "../runtime/portfolio/recompute.ts";
import { INSTRUMENTS } from "../runtime/portfolio/test-fixtures.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 50_000 : 500_000;
const REPS = quick ? 3 : 5;
const STRATEGIES = ["obi", "as-mm", "twap"];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeFills(n: number): Fill[] {
  const rnd = mulberry32(42);
  const prices = [110000, 150000, 127000, 86000, 3000000];
  const fills: Fill[] = [];
  for (let k = 0; k < n; k++) {
    const instrument = Math.floor(rnd() * INSTRUMENTS.length);
    prices[instrument] += Math.floor(rnd() * 21) - 10;
    const side: Side = rnd() < 0.5 ? 1 : -1;
    fills.push({
      id: k + 1, orderId: k + 1, strategy: STRATEGIES[Math.floor(rnd() * 3)], instrument, side,
      price: prices[instrument], size: 1 + Math.floor(rnd() * 100), fee: Math.floor(rnd() * 5),
      liquidity: "taker", ts: 1_700_000_000_000_000 + k,
    });
  }
  return fills;
}

function best(reps: number, run: () => number): number {
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = Bun.nanoseconds();
    run();
    min = Math.min(min, Bun.nanoseconds() - t0);
  }
  return min;
}

const fills = makeFills(N);
let sink = 0;

const floorNs = best(REPS, () => {
  let s = 0;
  for (const f of fills) s += f.price * f.side + f.size;
  return (sink += s);
});
const portfolioNs = best(REPS, () => {
  const p = new Portfolio(INSTRUMENTS, STRATEGIES);
  for (const f of fills) p.applyFill(f);
  return (sink += p.realised(0));
});
const referenceNs = best(REPS, () => {
  const books = recomputeFifo(fills);
  return (sink += books.size);
});
const markPortfolio = new Portfolio(INSTRUMENTS, STRATEGIES);
for (const f of fills) markPortfolio.applyFill(f);
const markNs = best(REPS, () => {
  let s = 0;
  for (let k = 0; k < N; k++) {
    const i = k % INSTRUMENTS.length;
    const f = fills[k];
    markPortfolio.mark(i, f.price - 1, f.price + 1);
    s += markPortfolio.unrealised(i);
  }
  return (sink += s);
});

const rate = (ns: number) => (N / ns) * 1e9;
const row = (name: string, ns: number) =>
  console.log(`${name.padEnd(44)} ${(rate(ns) / 1e6).toFixed(2).padStart(10)} M/s ${(ns / N).toFixed(1).padStart(9)} ns/op`);
console.log(`portfolio accounting, ${N} fills, best of ${REPS} (sink ${sink % 7})`);
console.log(`${"case".padEnd(44)} ${"rate".padStart(12)} ${"per op".padStart(14)}`);
row("floor: read the fills only", floorNs);
row("reference FIFO (arrays, BigInt) fills", referenceNs);
row("Portfolio.applyFill fills", portfolioNs);
row("Portfolio.mark + unrealised quotes", markNs);
console.log(`Portfolio.applyFill vs reference FIFO: ${(referenceNs / portfolioNs).toFixed(1)}x faster`);
