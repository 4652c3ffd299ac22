/**
 * The runtime's side of the context mirror (layout in `mirror-layout.ts`): writes what the
 * isolated plugin may read through its context into the shared region, from the real context,
 * before each event and after each round trip. Numbers only, into preallocated words; the one
 * allocation is the open-orders list the context itself returns. Where the context tells when things
 * change (the runtime's `ordersEpoch`, `marketSeq` and `positionsEpoch`), the order slots are
 * rewritten only after an order changed, an instrument's book and features only after a market
 * event of that instrument, and the positions only after a fill.
 */
import type { OrderView } from "../../../plugins/sdk/orders.ts";
import type { StrategyContext } from "../../../plugins/sdk/strategy.ts";
import {
  H_FEATURES, H_INSTR_AT, H_INSTRUMENTS, H_ON, H_OPEN, H_ORDERS, H_SIGNAL, H_STATE, HEADER_WORDS, I_ASK, I_ASK_SIZE, I_BID, I_BID_SIZE, I_ID, I_MID2, I_NFEATURES,
  I_POSITION, I_SIGNAL, I_TS, I_VALID, INSTR_FIELDS, instrumentsThatFit, MIRROR_BYTES, O_CREATED, O_FILLED, O_ID, O_INSTRUMENT, O_PRICE, O_REASON_AT, O_REASON_LEN,
  O_SIDE, O_SIZE, O_STATUS, O_STOP, O_TIF, O_TYPE, O_UPDATED, ORDER_SLOTS, ORDER_WORDS, ORDERS_AT, REASON_UNITS, RECENT_ORDERS, STATES, STATUS_ABSENT, STATUSES, TIFS, TYPES,
} from "./mirror-layout.ts";

/** A context that may tell when orders, an instrument's market data and positions change. */
type EpochContext = StrategyContext & { ordersEpoch?(): number; marketSeq?(instrument: number): number; positionsEpoch?(): number };

/** Writes one strategy's readable context into the mirror region of an isolate's shared buffer. */
export class MirrorWriter {
  private readonly f: Float64Array;
  private readonly units: Uint16Array;
  private readonly ids: number[];
  private readonly stride: number;
  /** Ids of the open orders written last time, to notice the ones that finished. */
  private readonly lastOpen = new Float64Array(ORDER_SLOTS);
  private lastOpenCount = 0;
  /** Recently handed (submit's answer) or finished ids, oldest overwritten first. */
  private readonly recent = new Float64Array(RECENT_ORDERS).fill(Number.NaN);
  private recentNext = 0;
  /** The reason string each slot holds now (its units are rewritten only when it changes). */
  private readonly reasons: (string | null)[] = new Array<string | null>(ORDER_SLOTS).fill(null);
  /** The context's order-change count at the last order write (NaN: none yet, or the context has none). */
  private ordersAt = Number.NaN;
  /** Set when an id joined the recent list since the last order write. */
  private recentChanged = true;
  /** Whether the context tells when orders change (`ordersEpoch`, the runtime's; not part of the SDK). */
  private readonly hasEpoch: boolean;
  /** Whether it tells when an instrument's market data (`marketSeq`) and when positions (`positionsEpoch`) change. */
  private readonly hasMarketSeq: boolean;
  private readonly hasPositionsEpoch: boolean;
  /** Each instrument's market count at its last book and features write (NaN: not written yet). */
  private readonly marketAt: Float64Array;
  /** The positions count at the last positions write (NaN: none yet, or the context has none). */
  private positionsAt = Number.NaN;

  /** Lays out the region for `ctx`'s instruments and feature vector length; `offset` is the region's byte offset. */
  constructor(buffer: SharedArrayBuffer, offset: number, ctx: StrategyContext) {
    this.f = new Float64Array(buffer, offset, MIRROR_BYTES / 8);
    this.units = new Uint16Array(buffer, offset, MIRROR_BYTES / 2);
    let features = 0;
    for (const inst of ctx.instruments) features = Math.max(features, ctx.features(inst.id).length);
    this.stride = INSTR_FIELDS + features;
    this.ids = ctx.instruments.slice(0, instrumentsThatFit(features)).map((i) => i.id);
    this.marketAt = new Float64Array(this.ids.length).fill(Number.NaN);
    const f = this.f;
    f[H_ON] = 0;
    f[H_FEATURES] = features;
    f[H_INSTRUMENTS] = this.ids.length;
    f[H_INSTR_AT] = HEADER_WORDS;
    f[H_SIGNAL] = typeof ctx.signal === "function" ? 1 : 0;
    this.hasEpoch = typeof (ctx as EpochContext).ordersEpoch === "function";
    this.hasMarketSeq = typeof (ctx as EpochContext).marketSeq === "function";
    this.hasPositionsEpoch = typeof (ctx as EpochContext).positionsEpoch === "function";
  }

  /** Keeps mirroring `orderId` for a while (an id the plugin was just handed, even 0 or one risk refused). */
  noteOrder(orderId: number): void {
    const r = this.recent;
    for (let k = 0; k < RECENT_ORDERS; k++) if (r[k] === orderId) return;
    r[this.recentNext] = orderId;
    this.recentNext = (this.recentNext + 1) % RECENT_ORDERS;
    this.recentChanged = true;
  }

  /** Writes the context as it stands now. */
  write(ctx: StrategyContext): void {
    const f = this.f;
    this.put(H_STATE, STATES.indexOf(ctx.tradingState()));
    const signal = f[H_SIGNAL] === 1;
    const positions = this.hasPositionsEpoch ? (ctx as EpochContext).positionsEpoch!() : Number.NaN;
    const positionsChanged = positions !== this.positionsAt;
    this.positionsAt = positions;
    let at = HEADER_WORDS;
    for (let k = 0; k < this.ids.length; k++, at += this.stride) {
      const id = this.ids[k]!;
      if (positionsChanged) this.put(at + I_POSITION, ctx.position(id));
      this.put(at + I_SIGNAL, signal ? ctx.signal!(id) : Number.NaN);
      // No market event of this instrument since its last write: its book and features read the same.
      const seq = this.hasMarketSeq ? (ctx as EpochContext).marketSeq!(id) : Number.NaN;
      if (seq === this.marketAt[k]) continue;
      this.marketAt[k] = seq;
      const b = ctx.book(id);
      this.put(at + I_ID, id);
      this.put(at + I_TS, b.ts);
      this.put(at + I_BID, b.bid);
      this.put(at + I_ASK, b.ask);
      this.put(at + I_BID_SIZE, b.bidSize);
      this.put(at + I_ASK_SIZE, b.askSize);
      this.put(at + I_MID2, b.mid2);
      this.put(at + I_VALID, b.valid ? 1 : 0);
      const v = ctx.features(id);
      if (v.length <= this.stride - INSTR_FIELDS) {
        for (let j = 0, w = at + INSTR_FIELDS; j < v.length; j++, w++) this.put(w, v[j]!);
        this.put(at + I_NFEATURES, v.length);
      } else this.put(at + I_NFEATURES, -1);
    }
    // No order changed and no id joined the recent list: the slots already hold what writeOrders would write.
    const epoch = this.hasEpoch ? (ctx as EpochContext).ordersEpoch!() : Number.NaN;
    if (epoch !== this.ordersAt || this.recentChanged) {
      this.writeOrders(ctx);
      this.ordersAt = epoch;
      this.recentChanged = false;
    }
    this.put(H_ON, 1);
  }

  /**
   * Stores `v` at word `i` unless the word already holds it (0 and -0 told apart, any NaN equal to
   * any NaN): a store to a cache line the isolate's core holds costs a transfer between the cores,
   * and most words do not change from one event to the next.
   */
  private put(i: number, v: number): void {
    const old = this.f[i]!;
    if (old === v ? v !== 0 || 1 / old === 1 / v : old !== old && v !== v) return;
    this.f[i] = v;
  }

  /** The open orders first (in the context's order), then the recent ids that are not open. */
  private writeOrders(ctx: StrategyContext): void {
    const f = this.f;
    const open = ctx.openOrders();
    const n = Math.min(open.length, ORDER_SLOTS);
    // Ids that were open last time and are not now have finished: keep them mirrored a while.
    for (let k = 0; k < this.lastOpenCount; k++) {
      const id = this.lastOpen[k]!;
      let still = false;
      for (let j = 0; j < n && !still; j++) still = open[j]!.id === id;
      if (!still) this.noteOrder(id);
    }
    for (let j = 0; j < n; j++) {
      this.writeOrder(j, open[j]!.id, open[j]);
      this.lastOpen[j] = open[j]!.id;
    }
    this.lastOpenCount = n;
    let slot = n;
    for (let k = 0; k < RECENT_ORDERS && slot < ORDER_SLOTS; k++) {
      const id = this.recent[k]!;
      if (Number.isNaN(id)) continue;
      let isOpen = false;
      for (let j = 0; j < n && !isOpen; j++) isOpen = open[j]!.id === id;
      if (!isOpen) this.writeOrder(slot++, id, ctx.order(id));
    }
    this.put(H_OPEN, open.length);
    this.put(H_ORDERS, slot);
  }

  private writeOrder(slot: number, id: number, o: OrderView | undefined): void {
    const f = this.f;
    const at = ORDERS_AT + slot * ORDER_WORDS;
    this.put(at + O_ID, id);
    if (o === undefined) {
      this.put(at + O_STATUS, STATUS_ABSENT);
      this.put(at + O_REASON_LEN, 0);
      return;
    }
    this.put(at + O_INSTRUMENT, o.instrument);
    this.put(at + O_SIDE, o.side);
    this.put(at + O_TYPE, TYPES.indexOf(o.type));
    this.put(at + O_TIF, TIFS.indexOf(o.tif));
    this.put(at + O_PRICE, o.price);
    this.put(at + O_STOP, o.stopPrice);
    this.put(at + O_SIZE, o.size);
    this.put(at + O_FILLED, o.filled);
    this.put(at + O_STATUS, STATUSES.indexOf(o.status));
    this.put(at + O_CREATED, o.createdTs);
    this.put(at + O_UPDATED, o.updatedTs);
    const reason = typeof o.reason === "string" ? o.reason : "";
    // A code outside the tables or a reason that does not fit: the isolate asks for this order instead.
    if (f[at + O_TYPE]! < 0 || f[at + O_TIF]! < 0 || f[at + O_STATUS]! < 0 || reason.length > REASON_UNITS) {
      this.put(at + O_REASON_LEN, -1);
      this.reasons[slot] = null;
      return;
    }
    if (this.reasons[slot] !== reason) {
      const u = (at + O_REASON_AT) * 4;
      for (let c = 0; c < reason.length; c++) this.units[u + c] = reason.charCodeAt(c);
      this.reasons[slot] = reason;
    }
    this.put(at + O_REASON_LEN, reason.length);
  }
}
