/**
 * Several venue plugins behind the one VenueAdapter the trading core talks to. Each venue plugin
 * sees only its own instruments, numbered 0..n-1 as if it were alone; this adapter translates
 * instrument ids both ways, sends each order to the venue that lists its instrument, remembers
 * which venue holds which order for cancels and replaces, and hands each venue only its own
 * market data. Nothing allocates per market event (the event's instrument is swapped in place for
 * the call and restored).
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { Quote, Trade } from "../../../plugins/sdk/market.ts";
import type { VenueAdapter, VenueOrder, VenueOrderStatus, VenueStatus } from "../../../plugins/sdk/venue.ts";

/** One venue as the adapter routes to it. */
export interface VenueBinding {
  readonly name: string;
  /** Session instrument ids it lists, in its local order. */
  readonly instruments: readonly number[];
  adapter: VenueAdapter;
  /** Orders sent to it since start. */
  orders: number;
}

/** The venues of a session behind one adapter. */
export class MultiVenue implements VenueAdapter {
  /** Venue index of each session instrument (-1: listed nowhere). */
  readonly venueOf: Int32Array;
  /** Local index of each session instrument at its venue. */
  readonly localOf: Int32Array;
  private readonly orderVenue = new Map<number, number>();

  constructor(
    readonly venues: readonly VenueBinding[],
    instrumentCount: number,
  ) {
    this.venueOf = new Int32Array(instrumentCount).fill(-1);
    this.localOf = new Int32Array(instrumentCount).fill(-1);
    venues.forEach((v, vi) =>
      v.instruments.forEach((id, local) => {
        this.venueOf[id] = vi;
        this.localOf[id] = local;
      }),
    );
  }

  /** The local instruments a venue plugin is created with (ids renumbered 0..n-1). */
  static localInstruments(all: readonly Instrument[], ids: readonly number[]): Instrument[] {
    return ids.map((id, local) => ({ ...all[id]!, id: local }));
  }

  /** Index of the venue holding an order, or -1. */
  venueOfOrder(orderId: number): number {
    return this.orderVenue.get(orderId) ?? -1;
  }

  /** Forgets an order that can no longer change (called after its terminal report). */
  forget(orderId: number): void {
    this.orderVenue.delete(orderId);
  }

  submit(order: VenueOrder): void {
    const vi = this.venueOf[order.instrument] ?? -1;
    if (vi < 0) throw new Error(`VENUE_UNKNOWN_INSTRUMENT: instrument=${order.instrument} order=${order.id} is listed at no venue`);
    this.orderVenue.set(order.id, vi);
    const v = this.venues[vi]!;
    v.orders++;
    v.adapter.submit({ ...order, instrument: this.localOf[order.instrument]! });
  }

  cancel(orderId: number): void {
    const vi = this.orderVenue.get(orderId);
    if (vi !== undefined) this.venues[vi]!.adapter.cancel(orderId);
  }

  replace(orderId: number, price: number, size: number): void {
    const vi = this.orderVenue.get(orderId);
    if (vi !== undefined) this.venues[vi]!.adapter.replace?.(orderId, price, size);
  }

  onQuote(q: Quote): void {
    const id = q.instrument;
    const vi = this.venueOf[id]!;
    if (vi < 0) return;
    const adapter = this.venues[vi]!.adapter;
    if (adapter.onQuote === undefined) return;
    const ev = q as { instrument: number };
    ev.instrument = this.localOf[id]!;
    try {
      adapter.onQuote(q);
    } finally {
      ev.instrument = id;
    }
  }

  onTrade(t: Trade): void {
    const id = t.instrument;
    const vi = this.venueOf[id]!;
    if (vi < 0) return;
    const adapter = this.venues[vi]!.adapter;
    if (adapter.onTrade === undefined) return;
    const ev = t as { instrument: number };
    ev.instrument = this.localOf[id]!;
    try {
      adapter.onTrade(t);
    } finally {
      ev.instrument = id;
    }
  }

  /**
   * Asks every venue that reports status (start-up reconciliation) and merges the answers in session
   * instrument ids; each order a venue reports is routed to that venue from then on.
   */
  async status(orderIds: readonly number[], afterId: number): Promise<VenueStatus | null> {
    const orders: VenueOrderStatus[] = [];
    const positions: { instrument: number; position: number }[] = [];
    const covered: number[] = [];
    for (let vi = 0; vi < this.venues.length; vi++) {
      const v = this.venues[vi]!;
      const answer = (await v.adapter.status?.(orderIds, afterId)) ?? null;
      if (answer === null) continue;
      for (const id of answer.instruments ?? v.instruments.map((_, local) => local)) {
        const instrument = v.instruments[id];
        if (instrument !== undefined) covered.push(instrument);
      }
      for (const o of answer.orders) {
        const instrument = v.instruments[o.instrument];
        if (instrument === undefined) continue;
        this.orderVenue.set(o.orderId, vi);
        orders.push({ ...o, instrument });
      }
      for (const p of answer.positions ?? []) {
        const instrument = v.instruments[p.instrument];
        if (instrument !== undefined) positions.push({ instrument, position: p.position });
      }
    }
    return covered.length === 0 ? null : { orders, positions, instruments: covered };
  }

  stop(): void {
    for (const v of this.venues) v.adapter.stop?.();
  }
}
