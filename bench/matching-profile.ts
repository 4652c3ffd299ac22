/**
 * Profiling and allocation probe for the matching engine: replays the matching bench's seeded
 * exchange-core mix into fresh L3Books `reps` times (for `bun --cpu-prof`), and reports bytes
 * allocated per operation (JSC heap size with GC off around one timed replay; `Bun.gc(true)` before).
 * Usage: `bun [--cpu-prof] bench/matching-profile.ts [mixed=1000000] [reps=10]`;
 * `bun bench/matching-profile.ts --summarize <file.cpuprofile> [top=16]` prints the top functions by
 * self and inclusive share of the samples under the replay loop (`apply`).
 */
import { heapStats } from "bun:jsc";
import { L3Book, OrderType, Side, TimeInForce, type BookSink } from "../plugins/venues/sim/book/index.ts";
import { generateWorkload, Op, type Workload } from "./matching-workload.ts";

const sink: BookSink = { onFill() {}, onTrigger() {}, onDone() {} };

/** Replays commands [from, to) of `w` into `book`. */
function apply(book: L3Book, w: Workload, from: number, to: number): void {
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) book.move(id[i], price[i]);
    else if (o === Op.CANCEL) book.cancel(id[i]);
    else book.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
}

if (import.meta.main && process.argv[2] === "--summarize") {
  const { summarizeProfile } = await import("./backtest-profile.ts");
  const top = Number(process.argv[4] ?? 16);
  const { samples, entries } = summarizeProfile(JSON.parse(require("node:fs").readFileSync(process.argv[3], "utf8")), "apply");
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);
  console.log(`${samples} samples under apply; self:`);
  for (const e of entries.slice().sort((a, b) => b.selfShare - a.selfShare).slice(0, top)) console.log(`${pct(e.selfShare)}  ${e.name}`);
  console.log("inclusive:");
  for (const e of entries.slice().sort((a, b) => b.inclusiveShare - a.inclusiveShare).slice(0, top)) console.log(`${pct(e.inclusiveShare)}  ${e.name}`);
} else if (import.meta.main) {
  const mixed = Number(process.argv[2] ?? 1_000_000);
  const reps = Number(process.argv[3] ?? 10);
  const w = generateWorkload(20240621, 1000, mixed);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const book = new L3Book({ capacity: 1 << 16, sink });
    apply(book, w, 0, w.prefill);
    Bun.gc(true);
    const before = heapStats().heapSize;
    const t0 = Bun.nanoseconds();
    apply(book, w, w.prefill, w.count);
    const s = (Bun.nanoseconds() - t0) / 1e9;
    const grown = heapStats().heapSize - before;
    best = Math.min(best, s);
    console.log(`rep ${r}: ${(mixed / s / 1e6).toFixed(2)} M ops/s, heap grew ${grown} B (${(grown / mixed).toFixed(3)} B/op)`);
  }
  console.log(`best ${(mixed / best / 1e6).toFixed(2)} M ops/s; load ${require("node:fs").readFileSync("/proc/loadavg", "utf8").trim()}`);
}
