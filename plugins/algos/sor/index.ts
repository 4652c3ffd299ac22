/**
 * Smart order router: places a child across the symbol's fresh venues (the runtime never offers a
 * stale one). A child that takes liquidity goes to the venue with the lowest expected cost per
 * unit: its touch price, plus its taker fee, plus a cost for its latency, plus a cost for the
 * chance it does not fill (fill probability from the store's history of fills against orders);
 * when the best venue's displayed size is smaller than the child, the rest sweeps the next venues
 * within the child's limit. No slice exceeds what a venue's position limit still allows there
 * (`capacity`). A passive child goes whole to the venue with the lowest maker fee, then the
 * highest fill probability (split over venues when one has no room for it all). Each slice
 * carries its reason.
 */
import { defineRouter, Type, type RouteCandidate, type RouteRequest, type RouteSlice } from "../../sdk/index.ts";

const Params = Type.Object(
  {
    /** Cost of latency, ticks per millisecond of one-way order latency. */
    latencyCostTicksPerMs: Type.Number({ minimum: 0, default: 0.1 }),
    /** Cost of a miss (the child does not fill and must be sent again), ticks. */
    missCostTicks: Type.Number({ minimum: 0, default: 1 }),
    /** Store file with past orders and fills: fill probability per venue (read by the runtime at start). */
    fillHistory: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

interface Ranked {
  readonly c: RouteCandidate;
  readonly price: number;
  readonly cost: number;
}

export default defineRouter({
  manifest: { name: "sor", version: "0.1.0", kind: "router", sdk: "^0.1.0", description: "Price, fees, fill probability and latency; sweeps; never stale venues", params: Params },
  create: () => ({
    route(ctx, req: RouteRequest, candidates: readonly RouteCandidate[]): RouteSlice[] {
      const side = req.side;
      const touch = (c: RouteCandidate) => (side === 1 ? c.ask : c.bid);
      const marketable = (c: RouteCandidate) => req.type === "market" || req.type === "stop" || (req.price > 0 && (side === 1 ? req.price >= c.ask : req.price <= c.bid));
      const takers = req.postOnly ? [] : candidates.filter((c) => touch(c) > 0 && marketable(c));
      if (takers.length === 0) {
        // Passive: one venue, the cheapest to rest at, then the likeliest to fill.
        const order = [...candidates].sort((a, b) => a.makerFeePpm - b.makerFeePpm || b.fillProbability - a.fillProbability || a.latencyUs - b.latencyUs || a.instrument - b.instrument);
        const out: RouteSlice[] = [];
        let rest = req.size;
        for (const c of order) {
          if (rest <= 0) break;
          const q = Math.min(rest, c.capacity);
          if (q <= 0) continue;
          out.push({ instrument: c.instrument, size: q, price: req.price, reason: `passive makerFeePpm=${c.makerFeePpm} p=${c.fillProbability.toFixed(2)}${q < rest ? ` capacity=${c.capacity}` : ""}` });
          rest -= q;
        }
        return out;
      }
      const { latencyCostTicksPerMs, missCostTicks } = ctx.params;
      const ranked: Ranked[] = takers
        .map((c) => {
          const price = touch(c);
          const fee = (price * c.takerFeePpm) / 1_000_000;
          const cost = side * price + fee + (latencyCostTicksPerMs * c.latencyUs) / 1000 + (1 - c.fillProbability) * missCostTicks;
          return { c, price, cost };
        })
        .sort((a, b) => a.cost - b.cost || a.c.instrument - b.c.instrument);
      const why = (r: Ranked) => `${side === 1 ? "ask" : "bid"}=${r.price} feePpm=${r.c.takerFeePpm} latUs=${r.c.latencyUs} p=${r.c.fillProbability.toFixed(2)} cost=${r.cost.toFixed(2)}`;
      const others = (r: Ranked) => ranked.filter((x) => x !== r).map((x) => `${x.c.venue}:${x.cost.toFixed(2)}`).join(",");
      const out: RouteSlice[] = [];
      let left = req.size;
      for (const r of ranked) {
        if (left <= 0) break;
        // A feed without sizes (quote-only) shows no depth: the best venue takes it all.
        const shown = r.c.askSize > 0 || r.c.bidSize > 0 ? (side === 1 ? r.c.askSize : r.c.bidSize) : left;
        const q = Math.min(left, shown > 0 ? shown : left, r.c.capacity);
        if (q <= 0) continue;
        out.push({ instrument: r.c.instrument, size: q, price: r.price, reason: `${out.length === 0 ? "best" : "sweep"} ${why(r)}${others(r) === "" ? "" : ` vs ${others(r)}`}` });
        left -= q;
      }
      // More than every venue shows: the rest goes to the best venues with room left, at their price.
      for (let i = 0; i < out.length && left > 0; i++) {
        const cap = ranked.find((r) => r.c.instrument === out[i]!.instrument)!.c.capacity;
        const add = Math.min(left, cap - out[i]!.size);
        if (add <= 0) continue;
        out[i] = { ...out[i]!, size: out[i]!.size + add, reason: `${out[i]!.reason} +rest=${add}` };
        left -= add;
      }
      return out;
    },
  }),
});
