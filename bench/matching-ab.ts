/**
 * Same-run A/B of two L3Book builds on the matching bench's seeded exchange-core mix: this tree's
 * book against another copy of `plugins/venues/sim/book` (e.g. an older commit's, exported with
 * `git archive <commit> plugins/venues/sim/book | tar -x -C /tmp/old`), alternating rounds on fresh
 * books, each round replaying the same stream; prints best and median ops/s of each, the ratio,
 * whether both ended with the same depth, and the load average at start and end.
 * Usage: `bun bench/matching-ab.ts <other book dir> [mixed=1000000] [rounds=7]`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { L3Book, OrderType, Side, TimeInForce, type BookSink } from "../plugins/venues/sim/book/index.ts";
import { generateWorkload, Op, type Workload } from "./matching-workload.ts";

const sink: BookSink = { onFill() {}, onTrigger() {}, onDone() {} };
type Book = InstanceType<typeof L3Book>;
const load = () => readFileSync("/proc/loadavg", "utf8").trim();

// Two textually identical replay loops so that each keeps one book class at its call sites.
function applyNew(book: Book, w: Workload, from: number, to: number): void {
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) book.move(id[i], price[i]);
    else if (o === Op.CANCEL) book.cancel(id[i]);
    else book.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
}
function applyOld(book: Book, w: Workload, from: number, to: number): void {
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) book.move(id[i], price[i]);
    else if (o === Op.CANCEL) book.cancel(id[i]);
    else book.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
}

function round(make: () => Book, apply: typeof applyNew, w: Workload): { s: number; book: Book } {
  const book = make();
  apply(book, w, 0, w.prefill);
  const t0 = Bun.nanoseconds();
  apply(book, w, w.prefill, w.count);
  return { s: (Bun.nanoseconds() - t0) / 1e9, book };
}

function depthKey(book: Book): string {
  const n = 100_000, p = new Float64Array(n), s = new Float64Array(n), c = new Int32Array(n);
  const out: string[] = [];
  for (const side of [Side.BUY, Side.SELL] as const) {
    const k = book.depth(side, n, p, s, c);
    for (let i = 0; i < k; i++) out.push(`${p[i]}:${s[i]}:${c[i]}`);
  }
  return out.join();
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: bun bench/matching-ab.ts <other book dir> [mixed] [rounds]");
  const mixed = Number(process.argv[3] ?? 1_000_000);
  const rounds = Number(process.argv[4] ?? 7);
  const startLoad = load();
  const Old = (await import(resolve(dir, "index.ts"))).L3Book as typeof L3Book;
  const w = generateWorkload(20240621, 1000, mixed);
  const a: number[] = [], b: number[] = [];
  let lastNew: Book | null = null, lastOld: Book | null = null;
  for (let r = 0; r < rounds; r++) {
    const x = round(() => new L3Book({ capacity: 1 << 16, sink }), applyNew, w);
    const y = round(() => new Old({ capacity: 1 << 16, sink }), applyOld, w);
    a.push(mixed / x.s);
    b.push(mixed / y.s);
    lastNew = x.book;
    lastOld = y.book;
  }
  const med = (v: number[]) => v.slice().sort((p, q) => p - q)[v.length >> 1];
  const m = (v: number) => (v / 1e6).toFixed(2);
  console.log(`load at start: ${startLoad}`);
  console.log(`this tree: best ${m(Math.max(...a))} M ops/s, median ${m(med(a))} (${a.map(m).join(" ")})`);
  console.log(`${dir}: best ${m(Math.max(...b))} M ops/s, median ${m(med(b))} (${b.map(m).join(" ")})`);
  console.log(`ratio this/other: best ${(Math.max(...a) / Math.max(...b)).toFixed(2)}x, median ${(med(a) / med(b)).toFixed(2)}x; same final depth: ${depthKey(lastNew!) === depthKey(lastOld!) ? "yes" : "NO"}`);
  console.log(`load at end: ${load()}`);
}
