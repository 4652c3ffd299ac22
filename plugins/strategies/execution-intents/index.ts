/**
 * Execution intents: every `everySeconds` of market time, when its last parent has ended, hands an
 * intent (side, quantity) to an execution algorithm — the `rl-executor` by default — which decides
 * how to execute it. The side alternates, or follows the sign of a kernel feature
 * (`signalFeature`, its tanh passed to the algorithm as the intent's signal). A driver for the
 * execution agent in backtests and paper sessions, not an alpha strategy.
 */
import { defineStrategy, Type, type StrategyContext } from "../../sdk/index.ts";

const Params = Type.Object(
  {
    algo: Type.String({ default: "rl", description: "execution algorithm instance of the deployment" }),
    everySeconds: Type.Number({ exclusiveMinimum: 0, default: 300 }),
    quantity: Type.Integer({ minimum: 1, default: 100_000 }),
    /** Feature whose sign gives the side (none: alternate buy, sell). */
    signalFeature: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

type Ctx = StrategyContext<typeof Params>;
const ENDED = ["filled", "canceled", "done", "rejected"];

export default defineStrategy({
  manifest: {
    name: "execution-intents", version: "0.1.0", kind: "strategy", sdk: "^0.1.0",
    description: "Hands periodic intents to an execution algorithm (drives the rl-executor)",
    params: Params, capabilities: ["orders", "features"],
  },
  create: (ctx0: Ctx) => {
    let next = 0;
    let parent = 0;
    let count = 0;
    const slot = ctx0.params.signalFeature === undefined ? -1 : ctx0.featureIndex(ctx0.params.signalFeature);
    if (ctx0.params.signalFeature !== undefined && slot < 0) throw new Error(`EXECUTION_INTENTS_UNKNOWN_FEATURE: signalFeature=${ctx0.params.signalFeature}`);
    return {
      onQuote(ctx, q) {
        const inst = ctx.instruments[0]!;
        if (q.instrument !== inst.id || q.ts < next) return;
        if (parent !== 0) {
          const p = ctx.parent?.(parent);
          if (p !== undefined && !ENDED.includes(p.status)) return;
        }
        next = q.ts + ctx.params.everySeconds * 1_000_000;
        let side: 1 | -1 = count++ % 2 === 0 ? 1 : -1;
        let signal = 0;
        if (slot >= 0) {
          const v = ctx.features(inst.id)[slot]!;
          if (!Number.isFinite(v)) return;
          side = v < 0 ? -1 : 1;
          signal = Math.tanh(v);
        }
        parent = ctx.submitAlgo!({ algo: ctx.params.algo, instrument: inst.id, side, quantity: ctx.params.quantity, params: signal === 0 ? undefined : { signal } });
      },
    };
  },
});
