/**
 * Seeded command stream for the matching benchmark, after exchange-core's published single-book
 * workload: 9% GTC limit, 3% IOC, 6% cancel, 82% move, on one book holding about 1,000 resting
 * orders over about 750 price levels. The stream is generated first against a shadow `L3Book`
 * (so every cancel and move names an order that is live at that point), then replayed, timed,
 * into the books under test. Commands are columns of typed arrays; string ids are prebuilt for
 * books that want them.
 */
import { L3Book, OrderType, Side, TimeInForce, type BookSink } from "../plugins/venues/sim/book/index.ts";

/** Operation codes of the stream. */
export const Op = { GTC: 0, IOC: 1, CANCEL: 2, MOVE: 3 } as const;

/** A generated command stream: `prefill` warm-up GTC orders followed by `count - prefill` mixed commands. */
export interface Workload {
  readonly count: number;
  readonly prefill: number;
  readonly op: Uint8Array;
  readonly id: Float64Array;
  /** 1 buy, -1 sell. */
  readonly side: Int8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly stringId: string[];
  /** Mean resting orders and mean occupied levels (both sides) over the mixed part. */
  readonly meanOrders: number;
  readonly meanLevels: number;
}

/** Returns a seeded uniform [0, 1) generator (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CENTER = 100_000;
/** Ticks each side spans: with ~500 orders a side this occupies ~375 levels a side (tuned by measuring). */
const SPAN = 1050;
const TARGET_ORDERS = 1000;

/** Generates `mixed` commands after `prefill` warm-up orders, deterministically from `seed`. */
export function generateWorkload(seed: number, prefill: number, mixed: number): Workload {
  const count = prefill + mixed;
  const w = {
    count, prefill,
    op: new Uint8Array(count), id: new Float64Array(count), side: new Int8Array(count),
    price: new Float64Array(count), size: new Float64Array(count), stringId: new Array<string>(count),
    meanOrders: 0, meanLevels: 0,
  };
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  // Live ids with O(1) random pick and removal.
  const live = new Float64Array(count);
  const where = new Int32Array(count + 1).fill(-1);
  let nLive = 0;
  const add = (id: number) => { where[id] = nLive; live[nLive++] = id; };
  const drop = (id: number) => {
    const at = where[id];
    if (at < 0) return;
    const last = live[--nLive];
    live[at] = last;
    where[last] = at;
    where[id] = -1;
  };
  const sink: BookSink = {
    onFill(maker, taker, _p, _s, makerDone, takerDone) {
      if (makerDone) drop(maker);
      if (takerDone) drop(taker);
    },
    onTrigger() {},
    onDone(id) { drop(id); },
  };
  const shadow = new L3Book({ capacity: count + 1, sink });
  const prices = new Float64Array(2000);
  const sizes = new Float64Array(2000);
  const counts = new Int32Array(2000);
  const orderSide = new Int8Array(count + 1);
  const orderPrice = new Float64Array(count + 1);
  let nextId = 1;
  let samples = 0;
  let sumOrders = 0;
  let sumLevels = 0;
  for (let i = 0; i < count; i++) {
    const r = i < prefill ? 0 : int(100);
    let op: number = r < 9 ? Op.GTC : r < 12 ? Op.IOC : r < 18 ? Op.CANCEL : Op.MOVE;
    if ((op === Op.CANCEL || op === Op.MOVE) && nLive === 0) op = Op.GTC;
    let id: number;
    let side: Side;
    let price = 0;
    let size = 0;
    if (op === Op.GTC || op === Op.IOC) {
      id = nextId++;
      side = int(2) === 0 ? Side.BUY : Side.SELL;
      // IOC sizes lean against the resting count so that it hovers near TARGET_ORDERS.
      size = op === Op.IOC ? 1 + int(Math.min(4000, Math.max(20, 150 + 4 * (nLive - TARGET_ORDERS)))) : 1 + int(100);
      const oppBest = side === Side.BUY ? shadow.bestAsk() : shadow.bestBid();
      const hasOpp = side === Side.BUY ? shadow.bestAsk() !== Number.MAX_SAFE_INTEGER : shadow.bestBid() !== -Number.MAX_SAFE_INTEGER;
      const dir = side === Side.BUY ? 1 : -1;
      if (op === Op.IOC || int(20) === 0) {
        // Marketable: a few ticks through the opposite best.
        price = hasOpp ? oppBest + dir * int(4) : CENTER;
      } else {
        price = CENTER - dir * (1 + int(SPAN));
      }
      shadow.submit(id, side, OrderType.LIMIT, op === Op.IOC ? TimeInForce.IOC : TimeInForce.GTC, 0, price, 0, size, 0);
      orderSide[id] = side;
      orderPrice[id] = price;
      if (op === Op.GTC && shadow.remaining(id) > 0) add(id);
    } else {
      id = live[int(nLive)];
      side = Side.BUY;
      if (op === Op.CANCEL) {
        shadow.cancel(id);
        drop(id);
      } else {
        // Move a few ticks, staying within the side's span (moves rarely cross).
        side = orderSide[id] as Side;
        const old = orderPrice[id];
        const isBuy = side === Side.BUY;
        let p = old + (int(2) === 0 ? -1 : 1) * (1 + int(8));
        const lo = isBuy ? CENTER - SPAN : CENTER + 1;
        const hi = isBuy ? CENTER - 1 : CENTER + SPAN;
        if (p < lo || p > hi) p = old - (p - old);
        price = p;
        orderPrice[id] = p;
        shadow.move(id, price);
      }
    }
    w.op[i] = op;
    w.id[i] = id;
    w.side[i] = side;
    w.price[i] = price;
    w.size[i] = size;
    w.stringId[i] = String(id);
    if (i >= prefill && i % 64 === 0) {
      samples++;
      sumOrders += shadow.liveOrders();
      sumLevels += shadow.depth(Side.BUY, 2000, prices, sizes, counts) + shadow.depth(Side.SELL, 2000, prices, sizes, counts);
    }
  }
  w.meanOrders = sumOrders / Math.max(1, samples);
  w.meanLevels = sumLevels / Math.max(1, samples);
  return w;
}
