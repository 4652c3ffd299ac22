/**
 * Where the matching bench's per-op tail comes from: two paced runs (1 M commands/s) of the same
 * seeded exchange-core mix on fresh L3Books in one process (after one warm-up run), recording every
 * command slower than 2 µs by index. Commands slow in both runs are the book's own (deterministic:
 * sweeps, first touches); the rest came from the machine. Also prints the main thread's minor page
 * faults and involuntary context switches per run (`/proc/thread-self`). The stream's columns are
 * read through once before each run (as bench/matching.ts does); `COLD_STREAM=1` skips that, and
 * then a command at every few 4,096th index stalls 10-30 µs in both runs on this VM (a page of the
 * stream's `Uint8Array` read for the first time in a second; kdamond is active here).
 * Usage: `taskset -c 1 bun bench/matching-tail.ts [mixed=1000000] [book dir]` (the other book dir,
 * e.g. an older commit's `plugins/venues/sim/book`, to probe that one instead).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { L3Book, OrderType, Side, TimeInForce } from "../plugins/venues/sim/book/index.ts";
import { generateWorkload, Op } from "./matching-workload.ts";

const mixed = Number(process.argv[2] ?? 1_000_000);
const Book = (process.argv[3] ? (await import(resolve(process.argv[3], "index.ts"))).L3Book : L3Book) as typeof L3Book;
const w = generateWorkload(20240621, 1000, mixed);
const { op, id, side, price, size } = w;

function one(book: L3Book, i: number): void {
  const o = op[i];
  if (o === Op.MOVE) book.move(id[i], price[i]);
  else if (o === Op.CANCEL) book.cancel(id[i]);
  else book.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
}

/** [minor faults, involuntary context switches] of the main thread. */
function counters(): [number, number] {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  const status = readFileSync("/proc/thread-self/status", "utf8");
  return [Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]), Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)![1])];
}

/** Reads every column of the stream once, so that the timed run finds its pages resident and warm. */
function touchWorkload(): number {
  let s = 0;
  for (let i = 0; i < w.count; i++) s += op[i] + id[i] + side[i] + price[i] + size[i];
  return s;
}

function run(): { slow: Map<number, number>; faults: number; preempted: number } {
  const book = new Book({ capacity: 1 << 16 });
  for (let i = 0; i < w.prefill; i++) one(book, i);
  Bun.gc(true);
  if (process.env.COLD_STREAM === undefined) touchWorkload();
  const slow = new Map<number, number>();
  const c0 = counters();
  const start = Bun.nanoseconds() + 1000;
  for (let i = w.prefill; i < w.count; i++) {
    const due = start + (i - w.prefill) * 1000;
    let t = Bun.nanoseconds();
    while (t < due) t = Bun.nanoseconds();
    one(book, i);
    const d = Bun.nanoseconds() - t;
    if (d > 2000) slow.set(i, d);
  }
  const c1 = counters();
  return { slow, faults: c1[0] - c0[0], preempted: c1[1] - c0[1] };
}

run();
const a = run();
const b = run();
const over5 = (m: Map<number, number>) => [...m.values()].filter((d) => d > 5000).length;
const both = [...a.slow.keys()].filter((i) => b.slow.has(i));
for (const [name, r] of [["A", a], ["B", b]] as const) {
  console.log(`run ${name}: ${r.slow.size} commands > 2 µs (${over5(r.slow)} > 5 µs); main thread: ${r.faults} page faults, ${r.preempted} involuntary context switches`);
}
const kinds = ["GTC", "IOC", "cancel", "move"];
console.log(`slow in both runs: ${both.length} (${both.filter((i) => a.slow.get(i)! > 5000 && b.slow.get(i)! > 5000).length} > 5 µs in both)`);
console.log(both.slice(0, 30).map((i) => `#${i} ${kinds[op[i]]} ${Math.round(a.slow.get(i)!)}/${Math.round(b.slow.get(i)!)} ns`).join(", "));
console.log(`load: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
