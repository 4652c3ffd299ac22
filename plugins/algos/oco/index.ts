/**
 * OCO (one cancels other): two children for the parent's whole quantity, on the parent's side: a
 * limit at `limitPrice` (e.g. take profit) and a stop at `stopPrice` (e.g. stop loss). The first
 * fill of either cancels the other. Restart-safe: it places the legs only when the parent has no
 * child yet.
 */
import { defineAlgo, Type, type AlgoContext } from "../../sdk/index.ts";

const Params = Type.Object({ limitPrice: Type.Integer({ minimum: 1 }), stopPrice: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

type Ctx = AlgoContext<typeof Params>;

export default defineAlgo({
  manifest: { name: "oco", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "One cancels other: a limit and a stop", params: Params },
  create: () => {
    const place = (ctx: Ctx) => {
      const p = ctx.parent;
      if (p.openChildren > 0 || p.filled > 0) return;
      ctx.child({ type: "limit", price: ctx.params.limitPrice, size: p.quantity, tif: "GTC", note: "oco limit" });
      ctx.child({ type: "stop", stopPrice: ctx.params.stopPrice, size: p.quantity, tif: "GTC", note: "oco stop" });
    };
    return {
      onStart: place,
      onResume: (ctx) => {
        if (ctx.parent.filled > 0) for (const c of ctx.openChildren()) if (c.filled === 0) ctx.cancel(c.id);
      },
      onFill: (ctx, f) => {
        for (const c of ctx.openChildren()) if (c.id !== f.orderId) ctx.cancel(c.id);
      },
    };
  },
});
