/**
 * Test strategy for venue round trips: every `every` quotes it takes the touch with an IOC,
 * alternating buy and sell, and rests a GTC bid `awayTicks` below the touch that it cancels
 * `cancelAfter` quotes later; so a session sees acknowledgements, fills and cancels.
 */
import { Type } from "@sinclair/typebox";
import { defineStrategy } from "../../../sdk/strategy.ts";

export default defineStrategy({
  manifest: {
    name: "round-trip",
    version: "1.0.0",
    kind: "strategy",
    sdk: "^0.1.0",
    params: Type.Object({
      every: Type.Integer({ minimum: 1, default: 20 }),
      size: Type.Integer({ minimum: 1, default: 100_000 }),
      awayTicks: Type.Integer({ minimum: 1, default: 100_000 }),
      cancelAfter: Type.Integer({ minimum: 1, default: 10 }),
      maxOrders: Type.Integer({ minimum: 1, default: 40 }),
    }),
    capabilities: ["orders"],
  },
  create(ctx) {
    const p = ctx.params;
    let n = 0;
    let sent = 0;
    let side: 1 | -1 = 1;
    let resting = -1;
    let restedAt = 0;
    return {
      onQuote(c, q) {
        n++;
        if (resting >= 0 && n - restedAt >= p.cancelAfter) {
          c.cancel(resting);
          resting = -1;
        }
        if (n % p.every !== 0 || sent >= p.maxOrders) return;
        sent++;
        if (sent % 3 === 0) {
          if (resting < 0) {
            resting = c.submit({ instrument: q.instrument, side: 1, type: "limit", tif: "GTC", price: q.bid - p.awayTicks, size: p.size });
            restedAt = n;
          }
          return;
        }
        c.submit({ instrument: q.instrument, side, type: "limit", tif: "IOC", price: side === 1 ? q.ask : q.bid, size: p.size });
        side = side === 1 ? -1 : 1;
      },
    };
  },
});
