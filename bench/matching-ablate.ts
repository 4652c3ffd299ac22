/**
 * Where a matching command's time goes: replays the matching bench's seeded exchange-core mix
 * (bench/matching-workload.ts) into fresh books in alternating rounds, four ways: the full book; the
 * replay loop alone (a book whose methods only add up an argument); the full book with each move's
 * id lookup skipped (its handle recorded in a first pass, which is the same on every fresh book, and
 * `replaceHandle` called with it: the book goes through exactly the same states); and every move
 * reduced to its id lookup (the book is then not moved). Prints ns per command (median and best
 * rounds) and the load average. Reaches into the book's private fields; a measurement, not an API.
 * Usage: `taskset -c 1 bun bench/matching-ablate.ts [rounds=15]`.
 */
import { readFileSync } from "node:fs";
import { L3Book, OrderType, Side, TimeInForce, type BookSink } from "../plugins/venues/sim/book/index.ts";
import { generateWorkload, Op } from "./matching-workload.ts";

const sink: BookSink = { onFill() {}, onTrigger() {}, onDone() {} };
const w = generateWorkload(20240621, 1000, 1_000_000);
const load = () => readFileSync("/proc/loadavg", "utf8").trim();
/** The private members of L3Book this probe uses. */
interface Inside {
  ids: { get(id: number): number };
  orders: { remaining: Float64Array };
  replaceHandle(h: number, id: number, price: number, size: number): number;
}
const inside = (b: L3Book) => b as unknown as Inside;

/** A book that does nothing but touch one argument per command. */
class EmptyBook {
  n = 0;
  move(_id: number, price: number): number { this.n += price; return 0; }
  cancel(id: number): number { this.n += id; return 0; }
  submit(_id: number, _s: Side, _t: number, _tif: number, _f: number, _p: number, _sp: number, size: number, _e: number): number { this.n += size; return 0; }
}
type Replay<B> = (b: B, from: number, to: number) => void;

const full: Replay<L3Book> = (b, from, to) => {
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) b.move(id[i], price[i]);
    else if (o === Op.CANCEL) b.cancel(id[i]);
    else b.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
};
// The same loop again, not shared with `full`: each copy's call sites stay monomorphic for its own book.
const empty: Replay<EmptyBook> = (b, from, to) => {
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) b.move(id[i], price[i]);
    else if (o === Op.CANCEL) b.cancel(id[i]);
    else b.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
};
// Each move's handle, recorded once.
const handle = new Int32Array(w.count).fill(-1);
{
  const b = new L3Book({ capacity: 1 << 16, sink });
  for (let i = 0; i < w.count; i++) {
    if (w.op[i] === Op.MOVE) handle[i] = inside(b).ids.get(w.id[i]);
    full(b, i, i + 1);
  }
}
const knownHandle: Replay<L3Book> = (book, from, to) => {
  const b = inside(book);
  const rem = b.orders.remaining;
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) {
      const h = handle[i];
      b.replaceHandle(h, id[i], price[i], rem[h]);
    } else if (o === Op.CANCEL) book.cancel(id[i]);
    else book.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
};
let sum = 0;
const lookupOnly: Replay<L3Book> = (book, from, to) => {
  const ids = inside(book).ids;
  const { op, id, side, price, size } = w;
  for (let i = from; i < to; i++) {
    const o = op[i];
    if (o === Op.MOVE) sum += ids.get(id[i]);
    else if (o === Op.CANCEL) book.cancel(id[i]);
    else book.submit(id[i], side[i] as Side, OrderType.LIMIT, o === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price[i], 0, size[i], 0);
  }
};

const newBook = () => new L3Book({ capacity: 1 << 16, sink });
const variants: [string, () => unknown, Replay<never>][] = [
  ["full book", newBook, full as Replay<never>],
  ["replay loop only (empty book)", () => new EmptyBook(), empty as Replay<never>],
  ["moves with their handle known (no id lookup)", newBook, knownHandle as Replay<never>],
  ["moves reduced to their id lookup (book not moved)", newBook, lookupOnly as Replay<never>],
];
const rounds = Number(process.argv[2] ?? 15);
const ns: number[][] = variants.map(() => []);
console.log(`load at start: ${load()}`);
for (let r = 0; r < rounds; r++) {
  variants.forEach(([, make, run], v) => {
    const b = make() as never;
    run(b, 0, w.prefill);
    const t0 = Bun.nanoseconds();
    run(b, w.prefill, w.count);
    ns[v].push((Bun.nanoseconds() - t0) / (w.count - w.prefill));
  });
}
const med = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
variants.forEach(([name], v) => console.log(`${name}: median ${med(ns[v]).toFixed(1)} ns/command, best ${Math.min(...ns[v]).toFixed(1)}`));
console.log(`load at end: ${load()}${sum === 0.5 ? " " : ""}`);
