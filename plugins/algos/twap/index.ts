/**
 * TWAP: the parent's quantity spread evenly over a duration in `slices` steps. At each step the
 * algorithm sends what the schedule is behind by (target minus filled minus working), taking the
 * touch with an IOC limit (or joining it with `style: join`, re-placed when the touch moved away); after the last
 * step it keeps catching up for `graceSlices` more steps, then finishes with what is left.
 * Restart-safe: the step is derived from the clock and what is filled and working.
 */
import { defineAlgo, Type } from "../../sdk/index.ts";
import { catchUp, joinPrice } from "../shared/schedule.ts";

const Params = Type.Object(
  {
    durationSeconds: Type.Number({ exclusiveMinimum: 0, default: 600 }),
    slices: Type.Integer({ minimum: 1, default: 10 }),
    style: Type.Union([Type.Literal("take"), Type.Literal("join")], { default: "take" }),
    graceSlices: Type.Integer({ minimum: 0, default: 2 }),
    /** Taking children may pay this many ticks past the touch. */
    slippageTicks: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

export default defineAlgo({
  manifest: { name: "twap", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Time-weighted slices over a duration", params: Params },
  create: () => {
    const step = (ctx: Parameters<NonNullable<import("../../sdk/index.ts").AlgoHooks<typeof Params>["onTimer"]>>[0]) => {
      const p = ctx.parent;
      const { durationSeconds, slices, style, graceSlices } = ctx.params;
      const interval = (durationSeconds * 1_000_000) / slices;
      const k = Math.floor((ctx.now() - p.createdTs) / interval) + 1;
      if (k > slices + graceSlices) {
        ctx.finish(`schedule ended filled=${p.filled}/${p.quantity}`);
        return;
      }
      // Joining: a child left behind by the market is re-placed at the touch (its size comes back once its cancel is done).
      if (style === "join") for (const c of ctx.openChildren()) if (c.price !== joinPrice(ctx)) ctx.cancel(c.id);
      catchUp(ctx, (p.quantity * Math.min(k, slices)) / slices, style, `slice=${Math.min(k, slices)}/${slices}`, ctx.params.slippageTicks);
      ctx.setTimer(p.createdTs + k * interval - ctx.now(), k);
    };
    return {
      onStart: step,
      onResume: step,
      onTimer: (ctx) => step(ctx),
    };
  },
});
