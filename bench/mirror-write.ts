/**
 * What the isolate's context mirror costs the loop per hook call, by how many instruments the
 * plugin trades: a plugin with 1, 4 or 28 instruments and 25 features each, one instrument's
 * market event (book and features changed) per write, with the runtime's change counts
 * (`marketSeq`, `positionsEpoch`, `ordersEpoch`: only what changed is compared and stored) against
 * the same writer given a context without them (every instrument's record compared on every
 * write), alternating in one process. CPU-bound and single-threaded: no isolate reads the region.
 *
 *   bun bench/mirror-write.ts [--rounds N]
 */
import { readFileSync } from "node:fs";
import { MIRROR_BYTES } from "../runtime/plugins/isolate/mirror-layout.ts";
import { MirrorWriter } from "../runtime/plugins/isolate/mirror-writer.ts";
import { RuntimeStrategyContext, type StrategyServices } from "../runtime/strategy/context.ts";

const at = process.argv.indexOf("--rounds");
const rounds = at > 0 ? Number(process.argv[at + 1]) : 9;
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`--rounds: expected a positive count, got ${process.argv[at + 1]}`);

/** A plugin's context over `n` instruments; `counts` gives it the runtime's change counts. */
function world(n: number, counts: boolean) {
  const instruments = Array.from({ length: n }, (_, id) => ({ id, symbol: `I${id}`, venue: "sim", base: "B", quote: "Q", priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1 }));
  const books = instruments.map((i) => ({ instrument: i.id, ts: 0, bid: 100_000, ask: 100_002, bidSize: 5, askSize: 6, mid2: 200_002, valid: true }));
  const features = instruments.map(() => new Float64Array(25));
  const seq = new Float64Array(n);
  const services: StrategyServices = {
    now: () => 0, book: (i) => books[i]!, featureIndex: () => 0, features: (i) => features[i]!,
    positionOf: () => 0, signal: () => Number.NaN, openOrdersOf: () => [], orderOf: () => undefined,
    submit: () => 0, cancel: () => {}, cancelAll: () => {}, setTimer: () => {}, log: () => {}, tradingState: () => "active",
    ...(counts ? { ordersEpoch: () => 0, marketSeq: (i: number) => seq[i]!, positionsEpoch: () => 0 } : {}),
  };
  const ctx = new RuntimeStrategyContext("s", {} as never, instruments, services);
  const writer = new MirrorWriter(new SharedArrayBuffer(MIRROR_BYTES), 0, ctx);
  /** Event `i`: a quote of instrument i mod n moves its book and every feature. */
  const event = (i: number): void => {
    const k = i % n;
    seq[k]!++;
    const b = books[k]!;
    b.ts = i;
    b.bid = 100_000 + (i & 3);
    b.ask = b.bid + 2;
    b.mid2 = b.bid + b.ask;
    const f = features[k]!;
    for (let j = 0; j < 25; j++) f[j] = i * 1e-3 + j;
  };
  return { ctx, writer, event };
}

/** Nanoseconds per event of `n` events with the mirror written after each, less the events alone. */
function time(w: ReturnType<typeof world>, n: number): number {
  let t = Bun.nanoseconds();
  for (let i = 0; i < n; i++) w.event(i);
  const alone = Bun.nanoseconds() - t;
  t = Bun.nanoseconds();
  for (let i = 0; i < n; i++) {
    w.event(i);
    w.writer.write(w.ctx);
  }
  return (Bun.nanoseconds() - t - alone) / n;
}

const median = (a: number[]): number => a.slice().sort((x, y) => x - y)[a.length >> 1]!;
console.log(`mirror write per hook call, ns (median of ${rounds} alternating rounds of 200,000 events); load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
console.log("instruments   with counts   without   without / with");
for (const n of [1, 4, 28]) {
  const a = world(n, true);
  const b = world(n, false);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ra.push(time(a, 200_000));
    rb.push(time(b, 200_000));
  }
  const x = median(ra);
  const y = median(rb);
  console.log(`${String(n).padStart(11)}   ${x.toFixed(0).padStart(11)}   ${y.toFixed(0).padStart(7)}   ${(y / x).toFixed(2).padStart(14)}`);
}
