/**
 * Counterfactuals reconstructed through the sim venue: one replay of a store's recorded quotes into
 * the `sim` venue plugin's own SimVenue (its latency, touch-size and fee models, as in backtests),
 * driven by a minimal kernel (quotes and the venue's timers in time order). For each decision a
 * small internal strategy sends, at the decision's last fill (the start of the taken trade's held
 * window), the opposite side's entry (an IOC limit at the touch it sees, or an IOC market order
 * when the original was one; the same size) and, at t + H, the exits of that entry and of the taken
 * trade (IOC market). Fills are attributed per decision by order id. An entry that does not fill is
 * "not taken" (outcome 0); a partial fill counts as the filled size.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { ExecutionReport } from "../../../plugins/sdk/venue.ts";
import { SimVenue, type SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";
import { DIRECTION } from "../dataset/labels.ts";
import type { Outcomes, StoreInstrument, TakenOrder } from "./pairs.ts";

/** Sim venue parameters used when the command names none (those of the store replay deployment). */
export const DEFAULT_SIM_PARAMS: SimVenueParams = {
  orderLatencyUs: 150, reportLatencyUs: 150, feedDelayUs: 0, jitterUs: 0, makerFeePpm: 0, takerFeePpm: 20, dayEndHourUtc: 21, assumedQuoteSize: 1_000_000,
};

/**
 * The sim venue parameters of a deployment's `venue:` (the plugin's defaults under its params), or
 * undefined when its venue is not the sim. The store does not record them: the deployment that
 * recorded it does.
 */
export function simParamsOf(venue: { plugin?: string; params?: unknown } | undefined): SimVenueParams | undefined {
  if (venue?.plugin !== "sim") return undefined;
  return { ...DEFAULT_SIM_PARAMS, assumedQuoteSize: 0, ...(venue.params as Partial<SimVenueParams> | undefined), stateFile: "" };
}

/** Fills of one order sent by the counterfactual strategy. */
export interface LegFills {
  size: number;
  /** Sum of price × size, ticks × units. */
  notional: number;
  fee: number;
}

/** The sim venue's fills of a decision's three legs. */
export interface SimLegs {
  /** Opposite-side entry, its exit, and the taken trade's exit. */
  entry: LegFills;
  entryExit: LegFills;
  takenExit: LegFills;
}

/** Min-heap of timers by (ts, sequence). */
class Timers {
  private readonly ts: number[] = [];
  private readonly seq: number[] = [];
  private readonly fn: (() => void)[] = [];
  private next = 0;
  get size(): number {
    return this.ts.length;
  }
  peek(): number {
    return this.ts.length > 0 ? this.ts[0]! : Infinity;
  }
  push(ts: number, fn: () => void): void {
    this.ts.push(ts), this.seq.push(this.next++), this.fn.push(fn);
    let i = this.ts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p), (i = p);
    }
  }
  pop(): () => void {
    const top = this.fn[0]!;
    const last = this.ts.length - 1;
    this.swap(0, last);
    this.ts.pop(), this.seq.pop(), this.fn.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.ts.length && this.less(l, m)) m = l;
      if (r < this.ts.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m), (i = m);
    }
    return top;
  }
  private less(a: number, b: number): boolean {
    return this.ts[a]! < this.ts[b]! || (this.ts[a] === this.ts[b] && this.seq[a]! < this.seq[b]!);
  }
  private swap(a: number, b: number): void {
    [this.ts[a], this.ts[b]] = [this.ts[b]!, this.ts[a]!];
    [this.seq[a], this.seq[b]] = [this.seq[b]!, this.seq[a]!];
    [this.fn[a], this.fn[b]] = [this.fn[b]!, this.fn[a]!];
  }
}


/** One replay of a store's quotes through a SimVenue, with orders sent at scheduled times. */
export class SimReplay {
  private readonly timers = new Timers();
  private now = 0;
  private nextId = 1;
  private readonly byId = new Map<number, LegFills>();
  private readonly venue: SimVenue;
  /** Last quoted touch per instrument as the strategy sees it (ticks; 0 before the first quote). */
  readonly touch: { bid: number; ask: number }[];

  constructor(private readonly xs: StoreInstrument[], params: SimVenueParams = DEFAULT_SIM_PARAMS, seed = 1) {
    const instruments = xs.map((x) => ({ symbol: x.symbol, base: x.base, quote: x.quote, priceDecimals: x.priceDecimals, sizeDecimals: x.sizeDecimals, lotSize: x.lotSize, minSize: x.minSize }) as unknown as Instrument);
    this.touch = xs.map(() => ({ bid: 0, ask: 0 }));
    const report = (r: ExecutionReport): void => {
      if (r.kind !== "fill") return;
      const leg = this.byId.get(r.orderId);
      if (leg === undefined) return;
      leg.size += r.size, (leg.notional += r.price * r.size), (leg.fee += r.fee);
    };
    this.venue = new SimVenue(
      { name: "sim", params, instruments, seed, now: () => this.now, schedule: (ts, fn) => this.timers.push(ts, fn), report, quote: () => false, trade: () => false, alert: () => {} },
      params,
    );
  }

  /** Runs `fn` when the replay reaches `ts` (after the quotes at `ts`). */
  at(ts: number, fn: () => void): void {
    this.timers.push(ts, fn);
  }

  /** Sends an IOC order now (limit at `price` ticks, or market when 0); its fills accumulate into `leg`. */
  send(inst: number, side: 1 | -1, size: number, price: number, leg: LegFills): void {
    if (size <= 0) return;
    const id = this.nextId++;
    this.byId.set(id, leg);
    this.venue.submit({ id, instrument: inst, side, type: price > 0 ? "limit" : "market", tif: "IOC", price, stopPrice: 0, size, expireTs: 0, postOnly: false, ts: this.now });
  }

  /** Replays every instrument's quotes, merged by time, with the timers in between, to the end. */
  run(): void {
    const xs = this.xs, pos = xs.map(() => 0);
    for (;;) {
      let i = -1, ts = Infinity;
      for (let j = 0; j < xs.length; j++) {
        const p = pos[j]!;
        if (p < xs[j]!.ts.length && xs[j]!.ts[p]! < ts) (ts = xs[j]!.ts[p]!), (i = j);
      }
      while (this.timers.size > 0 && this.timers.peek() < ts) {
        this.now = Math.max(this.now, this.timers.peek());
        this.timers.pop()();
      }
      if (i < 0) break;
      const x = xs[i]!, p = pos[i]!++;
      this.now = ts;
      this.touch[i]!.bid = x.bid[p]!, (this.touch[i]!.ask = x.ask[p]!);
      this.venue.onQuote({ instrument: i, ts, bid: x.bid[p]!, ask: x.ask[p]!, bidSize: x.bidSize?.[p] ?? 0, askSize: x.askSize?.[p] ?? 0 });
    }
  }
}

/** An empty fill record. */
export const emptyLeg = (): LegFills => ({ size: 0, notional: 0, fee: 0 });

/**
 * Replays the store's quotes through a SimVenue and sends each decision's counterfactual legs;
 * returns the legs by decision index (orders[k]).
 */
export function simulateLegs(xs: StoreInstrument[], orders: readonly TakenOrder[], horizonUs: number, params: SimVenueParams = DEFAULT_SIM_PARAMS, seed = 1): SimLegs[] {
  const replay = new SimReplay(xs, params, seed);
  const legs: SimLegs[] = orders.map(() => ({ entry: emptyLeg(), entryExit: emptyLeg(), takenExit: emptyLeg() }));
  // The counterfactual strategy: entries at each decision's last fill, exits at t + H.
  orders.forEach((o, k) => {
    const l = legs[k]!;
    const s = (o.side > 0 ? -1 : 1) as 1 | -1;
    replay.at(o.lastFillTs, () => {
      const t = replay.touch[o.inst]!;
      // As the original order type allows: a market order's counterfactual is a market IOC, a limit's an IOC limit at the touch.
      if (t.bid > 0 && t.ask > 0) replay.send(o.inst, s, o.size, o.market === true ? 0 : s > 0 ? t.ask : t.bid, l.entry);
    });
    replay.at(o.lastFillTs + horizonUs, () => {
      replay.send(o.inst, (-s) as 1 | -1, l.entry.size, 0, l.entryExit);
      replay.send(o.inst, s, o.size, 0, l.takenExit);
    });
  });
  replay.run();
  return legs;
}

/**
 * Outcomes of a decision from its sim legs, money units net of fees: the taken trade's recorded
 * fills exited through the sim, and the opposite side as filled through the sim (0 when its entry
 * did not fill). An exit remainder the sim did not fill is marked at the touch after H (`bid`, `ask`).
 */
export function simOutcomes(o: TakenOrder, l: SimLegs, bid: number, ask: number): Outcomes {
  const markTaken = o.side > 0 ? bid : ask;
  const taken = o.side * (l.takenExit.notional + (o.size - l.takenExit.size) * markTaken - o.price * o.size) - o.fee - l.takenExit.fee;
  const s = -o.side;
  const markOpposite = s > 0 ? bid : ask;
  const f = l.entry.size;
  const opposite = f === 0 ? 0 : s * (l.entryExit.notional + (f - l.entryExit.size) * markOpposite - l.entry.notional) - l.entry.fee - l.entryExit.fee;
  const takenClass = o.side > 0 ? DIRECTION.long : DIRECTION.short;
  const byClass: [number, number, number] = [0, 0, 0];
  byClass[takenClass] = taken;
  byClass[o.side > 0 ? DIRECTION.short : DIRECTION.long] = opposite;
  return { taken, takenClass, byClass };
}
