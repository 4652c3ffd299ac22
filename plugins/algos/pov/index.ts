/**
 * POV: participates in a share of the volume observed since the parent started. Where the feed
 * has trades, observed volume is traded size; on quote-only feeds (OANDA, FXCM) there is no volume,
 * so it participates in tick activity: each quote update counts as `unitsPerTick` units (stated in
 * every child's note). Children take the touch when the parent is behind by at least `minChild`.
 */
import { defineAlgo, Type, type AlgoContext } from "../../sdk/index.ts";
import { catchUp } from "../shared/schedule.ts";

const Params = Type.Object(
  {
    rate: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.1 }),
    minChild: Type.Integer({ minimum: 1, default: 1000 }),
    unitsPerTick: Type.Integer({ minimum: 1, default: 100_000 }),
    maxDurationSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600 }),
  },
  { additionalProperties: false },
);

type Ctx = AlgoContext<typeof Params>;

export default defineAlgo({
  manifest: { name: "pov", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Percentage of observed volume (tick activity on quote-only feeds)", params: Params },
  create: () => {
    const step = (ctx: Ctx) => {
      const p = ctx.parent;
      if (ctx.now() - p.createdTs > ctx.params.maxDurationSeconds * 1_000_000) {
        ctx.finish(`max duration filled=${p.filled}/${p.quantity}`);
        return;
      }
      const o = ctx.observed();
      const byVolume = o.volume > 0;
      const observed = byVolume ? o.volume : o.ticks * ctx.params.unitsPerTick;
      const target = ctx.params.rate * observed;
      if (target - p.filled - p.working < ctx.params.minChild && target < p.quantity) return;
      catchUp(ctx, target, "take", `pov basis=${byVolume ? "volume" : "ticks"}`);
    };
    return {
      onStart: (ctx) => ctx.setTimer(ctx.params.maxDurationSeconds * 1_000_000 + 1, 0),
      onResume: (ctx) => ctx.setTimer(Math.max(0, p0(ctx) + ctx.params.maxDurationSeconds * 1_000_000 + 1 - ctx.now()), 0),
      onQuote: step,
      onTrade: step,
      onTimer: step,
    };
  },
});

function p0(ctx: Ctx): number {
  return ctx.parent.createdTs;
}
