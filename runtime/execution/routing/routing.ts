/**
 * Placing a child order across venues: the candidates are the symbol's venues whose feed is fresh
 * (a stale venue is never offered, and a slice naming one is refused), each with its book, fees,
 * latency and fill probability; the router plugin splits the child; every decision is recorded
 * with the router's reason and the venues left out as stale.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { RouteCandidate, RouteRequest, RouterContext, RouterHooks, RouteSlice } from "../../../plugins/sdk/algo.ts";
import type { L1Books } from "../../data/l1-books.ts";
import type { ConsolidatedBooks } from "../../data/consolidated-book.ts";
import type { SessionVenue } from "../../session/venues/attach-venues.ts";

/** One routing decision as recorded. */
export interface RoutingDecision {
  readonly ts: number;
  readonly parent: number;
  readonly side: number;
  readonly size: number;
  readonly price: number;
  readonly slices: readonly (RouteSlice & { venue: string })[];
  /** Venues left out because their feed was stale. */
  readonly stale: readonly string[];
  /** Venues left out because their position limit had no room on this side. */
  readonly full: readonly string[];
  /** Why nothing was placed ("" when something was). */
  readonly refused: string;
}

/** The router of a session with its candidates and decision log. */
export class Routing {
  /** Most recent decisions (at most `keep`). */
  readonly decisions: RoutingDecision[] = [];
  /** Decisions since start. */
  count = 0;
  private readonly venueOfInstrument = new Map<number, SessionVenue>();

  constructor(
    private readonly router: { hooks: RouterHooks; ctx: RouterContext } | null,
    venues: readonly SessionVenue[],
    private readonly instruments: readonly Instrument[],
    private readonly books: L1Books,
    private readonly consolidated: ConsolidatedBooks,
    private readonly staleUs: () => number,
    private readonly fillProbability: ReadonlyMap<string, number>,
    /** Units the venue instrument's position limit still allows on a side (Infinity: no limit known). */
    private readonly capacity: (instrument: number, side: 1 | -1) => number = () => Number.POSITIVE_INFINITY,
    private readonly keep = 10_000,
  ) {
    for (const v of venues) for (const id of v.instruments) this.venueOfInstrument.set(id, v);
  }

  /** True when a router plugin is configured. */
  get active(): boolean {
    return this.router !== null;
  }

  /** Venues of the symbol of `instrument`: fresh candidates with room on `side`, the names of stale ones and of full ones. */
  candidates(instrument: number, now: number, side: 1 | -1 = 1): { fresh: RouteCandidate[]; stale: string[]; full: string[] } {
    const fresh: RouteCandidate[] = [];
    const stale: string[] = [];
    const full: string[] = [];
    const limit = this.staleUs();
    for (const id of this.consolidated.siblings(instrument)) {
      const v = this.venueOfInstrument.get(id);
      const b = this.books.books[id]!;
      const name = v?.name ?? this.instruments[id]!.venue;
      if (!b.valid || now - b.ts > limit) {
        stale.push(name);
        continue;
      }
      const room = this.capacity(id, side);
      if (room <= 0) {
        full.push(name);
        continue;
      }
      fresh.push({
        instrument: id,
        venue: name,
        bid: b.bid,
        ask: b.ask,
        bidSize: b.bidSize,
        askSize: b.askSize,
        ts: b.ts,
        takerFeePpm: v?.takerFeePpm ?? 0,
        makerFeePpm: v?.makerFeePpm ?? 0,
        latencyUs: v?.latencyUs ?? 0,
        fillProbability: this.fillProbability.get(name) ?? 0.5,
        capacity: room,
      });
    }
    return { fresh, stale, full };
  }

  /** Routes a child; returns the slices to send (empty, with the decision recorded as refused, when none). */
  route(parent: number, instrument: number, request: RouteRequest): (RouteSlice & { venue: string })[] {
    const { fresh, stale, full } = this.candidates(instrument, request.now, request.side);
    let slices: (RouteSlice & { venue: string })[] = [];
    let refused = "";
    if (fresh.length === 0) refused = `ROUTE_NO_VENUE: no venue of ${this.instruments[instrument]!.symbol} is fresh with room (stale: ${stale.join(",") || "none"}; position limit reached: ${full.join(",") || "none"})`;
    else {
      const raw = this.router!.hooks.route(this.router!.ctx, request, fresh);
      let total = 0;
      for (const s of raw) {
        const c = fresh.find((f) => f.instrument === s.instrument);
        if (c === undefined) {
          refused = `ROUTE_INVALID: slice to instrument=${s.instrument}, not a fresh venue of the symbol`;
          break;
        }
        if (!Number.isInteger(s.size) || s.size <= 0) {
          refused = `ROUTE_INVALID: slice size=${s.size} at venue=${c.venue}`;
          break;
        }
        total += s.size;
        slices.push({ ...s, venue: c.venue });
      }
      if (refused === "" && total > request.size) refused = `ROUTE_INVALID: slices total=${total} > size=${request.size}`;
      if (refused === "" && slices.length === 0) refused = "ROUTE_NO_VENUE: the router placed nothing";
      if (refused !== "") slices = [];
    }
    this.count++;
    this.decisions.push({ ts: request.now, parent, side: request.side, size: request.size, price: request.price, slices, stale, full, refused });
    if (this.decisions.length > this.keep) this.decisions.splice(0, this.decisions.length - this.keep);
    return slices;
  }
}
