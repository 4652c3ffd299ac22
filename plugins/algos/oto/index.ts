/**
 * OTO (one triggers other): an entry for the parent's quantity; as it fills, one exit on the other
 * side `exitTicks` from the entry's average price (a limit: take profit; with `exitType: stop`, a
 * stop loss). The parent ends when everything entered has exited.
 */
import { defineAlgo, Type } from "../../sdk/index.ts";
import { contingentHooks } from "../shared/contingent.ts";

const Params = Type.Object(
  { exitTicks: Type.Integer({ minimum: 1, default: 20 }), exitType: Type.Union([Type.Literal("limit"), Type.Literal("stop")], { default: "limit" }) },
  { additionalProperties: false },
);

export default defineAlgo({
  manifest: { name: "oto", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Entry that triggers one exit", params: Params, selfFinishing: true },
  create: () =>
    contingentHooks((ctx) => {
      const p = ctx.params as { exitTicks: number; exitType: "limit" | "stop" };
      return p.exitType === "limit" ? { takeProfitTicks: p.exitTicks, stopLossTicks: 0 } : { takeProfitTicks: 0, stopLossTicks: p.exitTicks };
    }),
});
