/**
 * Trailing stop: follows the market by `trailTicks` (a sell stop trails the best bid's high, a
 * buy stop the best ask's low) and, when the market comes back by that much, takes the touch for
 * the whole remaining quantity. The extreme is kept in memory: after a restart it starts again
 * from the market at that moment (a restart never triggers by itself).
 */
import { defineAlgo, Type, type AlgoContext } from "../../sdk/index.ts";

const Params = Type.Object({ trailTicks: Type.Integer({ minimum: 1, default: 20 }) }, { additionalProperties: false });

type Ctx = AlgoContext<typeof Params>;

export default defineAlgo({
  manifest: { name: "trailing-stop", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Stop that trails the market", params: Params },
  create: () => {
    let extreme = 0;
    let triggered = false;
    const onQuote = (ctx: Ctx) => {
      const b = ctx.book();
      if (!b.valid) return;
      const p = ctx.parent;
      if (triggered) {
        if (p.openChildren === 0 && p.remaining > 0) ctx.child({ type: "limit", price: p.side === 1 ? b.ask : b.bid, size: p.remaining, tif: "IOC", note: "trailing-stop retry" });
        return;
      }
      // A sell stop protects a long: it trails the bid up; a buy stop trails the ask down.
      if (p.side === -1) {
        if (extreme === 0 || b.bid > extreme) extreme = b.bid;
        if (b.bid <= extreme - ctx.params.trailTicks) triggered = true;
      } else {
        if (extreme === 0 || b.ask < extreme) extreme = b.ask;
        if (b.ask >= extreme + ctx.params.trailTicks) triggered = true;
      }
      if (triggered) ctx.child({ type: "limit", price: p.side === 1 ? b.ask : b.bid, size: p.remaining, tif: "IOC", note: `trailing-stop extreme=${extreme}` });
    };
    return {
      onStart: (ctx) => onQuote(ctx),
      onResume: (ctx) => {
        extreme = 0;
        triggered = ctx.parent.filled > 0;
        onQuote(ctx);
      },
      onQuote: (ctx) => onQuote(ctx),
    };
  },
});
