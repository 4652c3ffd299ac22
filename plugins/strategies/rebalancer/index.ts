/**
 * Rebalancer: a strategy that trades through execution algorithms instead of single orders. Every
 * `everySeconds` of market time it moves its total position (over every venue of its symbol)
 * towards the next target in the cycle +size, 0, -size, 0, handing the difference to an
 * algorithm: urgent moves (away from flat) to `urgentAlgo` (e.g. TWAP), the others to `passiveAlgo`
 * (e.g. an iceberg resting `passiveOffsetTicks` inside the touch). A parent still working at the
 * next rebalance is canceled first; the router (when the deployment has one) picks the venues.
 */
import { defineStrategy, Type, type StrategyContext } from "../../sdk/index.ts";

const Params = Type.Object(
  {
    everySeconds: Type.Number({ exclusiveMinimum: 0, default: 3600 }),
    size: Type.Integer({ minimum: 1, default: 1_000_000 }),
    urgentAlgo: Type.String({ default: "twap" }),
    passiveAlgo: Type.String({ default: "iceberg" }),
    /** Iceberg limit from the touch on its own side, ticks (positive: inside the spread). */
    passiveOffsetTicks: Type.Integer({ default: 0 }),
  },
  { additionalProperties: false },
);

type Ctx = StrategyContext<typeof Params>;

const CYCLE = [1, 0, -1, 0];

export default defineStrategy({
  manifest: {
    name: "rebalancer",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Moves its position through execution algorithms on a schedule",
    params: Params,
    capabilities: ["orders", "timers"],
  },
  create: () => {
    let armed = false;
    let step = 0;
    let parent = 0;
    const total = (ctx: Ctx) => ctx.instruments.reduce((a, i) => a + ctx.position(i.id), 0);
    const rebalance = (ctx: Ctx) => {
      if (parent !== 0) {
        const p = ctx.parent?.(parent);
        if (p !== undefined && !["filled", "canceled", "done", "rejected"].includes(p.status)) ctx.cancelAlgo?.(parent);
      }
      const target = CYCLE[step % CYCLE.length]! * ctx.params.size;
      step++;
      const diff = target - total(ctx);
      if (diff === 0) return;
      const inst = ctx.instruments[0]!;
      const book = ctx.book(inst.id);
      if (!book.valid) return;
      const side = diff > 0 ? 1 : -1;
      const urgent = target !== 0;
      const limitPrice = urgent ? 0 : side === 1 ? book.bid + ctx.params.passiveOffsetTicks : book.ask - ctx.params.passiveOffsetTicks;
      parent = ctx.submitAlgo!({ algo: urgent ? ctx.params.urgentAlgo : ctx.params.passiveAlgo, instrument: inst.id, side, quantity: Math.abs(diff), limitPrice });
      ctx.log("rebalance", { target, diff, parent, algo: urgent ? ctx.params.urgentAlgo : ctx.params.passiveAlgo });
    };
    return {
      onQuote(ctx) {
        if (armed) return;
        armed = true;
        ctx.setTimer(ctx.params.everySeconds * 1_000_000, 0);
      },
      onTimer(ctx) {
        rebalance(ctx);
        // The next period is armed by the next quote: once the market ends, so do the timers.
        armed = false;
      },
    };
  },
});
