/**
 * Preference pairs from a recorded session store: every filled order is a decision (its side held
 * for the model's horizon H), and each is set against counterfactuals: the same window not taken
 * (flat, outcome 0) and the opposite side. `outcomes` prices them from the store's own quotes and
 * the fee rate the venue charged on the fill (entered at the touch at the decision, exited at the
 * opposite touch at t + H: `--counterfactual touch`); sim-outcomes.ts reconstructs them through the
 * sim venue instead (the default). Outcomes are money units net of fees; the better of two
 * candidates is the chosen one, ties give no pair. Pure functions over arrays, plus the store reader.
 */
import { StoreDb } from "../../store/database.ts";
import { ORDER_TYPE_CODE } from "../../store/schema.ts";
import { DIRECTION, firstAtOrAfter } from "../dataset/labels.ts";

/** One instrument of the store with its quotes as columns (ts µs, bid and ask in ticks). */
export interface StoreInstrument {
  id: number;
  symbol: string;
  base: string;
  quote: string;
  priceDecimals: number;
  sizeDecimals: number;
  lotSize: number;
  minSize: number;
  ts: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  /** Displayed sizes at the touch (units; 0 when the feed carried none); absent when not read. */
  bidSize?: Float64Array;
  askSize?: Float64Array;
}

/** A filled order as a decision. */
export interface TakenOrder {
  /** Index into the store's instruments (as read). */
  inst: number;
  /** Kernel time the order was created, µs. */
  t: number;
  /** 1 buy, -1 sell. */
  side: number;
  /** Filled size (units) and size-weighted fill price (ticks). */
  size: number;
  price: number;
  /** Fees paid, money units. */
  fee: number;
  /** Time of the last fill, µs. */
  lastFillTs: number;
  /** The order was a market order (its counterfactual entry through the sim is one too); absent means limit. */
  market?: boolean;
}

/** What was read from a store. */
export interface StoreTrades {
  instruments: StoreInstrument[];
  orders: TakenOrder[];
}

/** Reads instruments, quotes and filled orders of a store; orders from `fromUs` on. */
export async function readStoreTrades(db: string, fromUs = -Infinity): Promise<StoreTrades> {
  const s = await StoreDb.open(db);
  try {
    const inst = await s.all("SELECT id, symbol, base, quote, price_decimals, size_decimals, lot_size, min_size FROM instruments ORDER BY id");
    const instruments: StoreInstrument[] = [];
    for (const r of inst) {
      const q = await s.table(`SELECT epoch_us(ts)::DOUBLE AS ts, bid::DOUBLE AS bid, ask::DOUBLE AS ask, bid_size::DOUBLE, ask_size::DOUBLE FROM quotes WHERE instrument_id = ${Number(r.id)} ORDER BY ts, rowid`);
      if (q.rows.length === 0) continue;
      instruments.push({
        id: Number(r.id), symbol: String(r.symbol), base: String(r.base), quote: String(r.quote), priceDecimals: Number(r.price_decimals),
        sizeDecimals: Number(r.size_decimals), lotSize: Number(r.lot_size), minSize: Number(r.min_size),
        ts: Float64Array.from(q.rows, (x) => Number(x[0])), bid: Float64Array.from(q.rows, (x) => Number(x[1])), ask: Float64Array.from(q.rows, (x) => Number(x[2])),
        bidSize: Float64Array.from(q.rows, (x) => Number(x[3])), askSize: Float64Array.from(q.rows, (x) => Number(x[4])),
      });
    }
    const index = new Map(instruments.map((x, i) => [x.id, i]));
    const from = Number.isFinite(fromUs) ? ` AND o.ts >= make_timestamp(${Math.trunc(fromUs)})` : "";
    const rows = await s.table(`SELECT o.instrument_id, epoch_us(o.ts)::DOUBLE, o.side, sum(f.size)::DOUBLE, (sum(f.price * f.size) / sum(f.size))::DOUBLE, sum(f.fee)::DOUBLE, epoch_us(max(f.ts))::DOUBLE, o.order_type
      FROM orders o JOIN fills f ON f.order_id = o.order_id WHERE true${from} GROUP BY o.order_id, o.instrument_id, o.ts, o.side, o.order_type ORDER BY 2, o.order_id`);
    const orders: TakenOrder[] = [];
    for (const r of rows.rows) {
      const i = index.get(Number(r[0]));
      if (i === undefined) continue;
      orders.push({ inst: i, t: Number(r[1]), side: Number(r[2]), size: Number(r[3]), price: Number(r[4]), fee: Number(r[5]), lastFillTs: Number(r[6]), ...(Number(r[7]) === ORDER_TYPE_CODE.market ? { market: true } : {}) });
    }
    return { instruments, orders };
  } finally {
    s.close();
  }
}

/** Index of the last quote at or before `t` (-1 when none). */
export function quoteAt(x: StoreInstrument, t: number): number {
  const k = firstAtOrAfter(x.ts, x.ts.length, t);
  return k < x.ts.length && x.ts[k] === t ? k : k - 1;
}

/** Outcomes of one decision, money units net of fees, by direction class (short, flat, long). */
export interface Outcomes {
  taken: number;
  /** Direction class of the taken side. */
  takenClass: number;
  byClass: [short: number, flat: number, long: number];
}

/**
 * Outcomes of a filled order over `horizonUs` after its last fill, or null when the store's quotes
 * end before the horizon or the touch is missing.
 */
export function outcomes(x: StoreInstrument, o: TakenOrder, horizonUs: number): Outcomes | null {
  const end = o.lastFillTs + horizonUs;
  if (x.ts.length === 0 || x.ts[x.ts.length - 1]! < end) return null;
  const at = quoteAt(x, o.lastFillTs), ex = quoteAt(x, end);
  if (at < 0 || ex < 0) return null;
  const notional = o.price * o.size;
  const feeRate = notional > 0 ? o.fee / notional : 0;
  // The taken side: its own fills, exited at the opposite touch after H.
  const exitTaken = o.side > 0 ? x.bid[ex]! : x.ask[ex]!;
  const taken = o.side * (exitTaken - o.price) * o.size - o.fee - feeRate * exitTaken * o.size;
  // The opposite side: enters at the touch it would cross at the fill time, exits at the other after H.
  const s = -o.side;
  const entry = s > 0 ? x.ask[at]! : x.bid[at]!;
  const exit = s > 0 ? x.bid[ex]! : x.ask[ex]!;
  const opposite = s * (exit - entry) * o.size - feeRate * (entry + exit) * o.size;
  const takenClass = o.side > 0 ? DIRECTION.long : DIRECTION.short;
  const byClass: [number, number, number] = [0, 0, 0];
  byClass[takenClass] = taken;
  byClass[o.side > 0 ? DIRECTION.short : DIRECTION.long] = opposite;
  return { taken, takenClass, byClass };
}

/** One preference pair at a decision: direction classes chosen over rejected. */
export interface PreferencePair {
  order: number;
  inst: number;
  t: number;
  chosen: number;
  rejected: number;
  /** Outcome of chosen minus rejected, money units (> 0). */
  margin: number;
  /** Which counterfactual the taken trade was set against. */
  against: "flat" | "opposite";
}

/** Pairs of the taken trade against the flat and the opposite counterfactual, ranked by outcome. */
export function pairsOf(orderIndex: number, o: TakenOrder, out: Outcomes): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  for (const [against, cls] of [["flat", DIRECTION.flat], ["opposite", 2 - out.takenClass]] as const) {
    const a = out.taken, b = out.byClass[cls]!;
    if (a === b) continue;
    const takenWins = a > b;
    pairs.push({ order: orderIndex, inst: o.inst, t: o.t, chosen: takenWins ? out.takenClass : cls, rejected: takenWins ? cls : out.takenClass, margin: Math.abs(a - b), against });
  }
  return pairs;
}
