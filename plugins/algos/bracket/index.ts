/**
 * Bracket: an entry for the parent's quantity; as it fills, a take-profit limit and a stop-loss
 * stop on the other side, one cancelling the other (the surviving leg is resized to what is still
 * open). The parent ends when everything entered has exited.
 */
import { defineAlgo, Type } from "../../sdk/index.ts";
import { contingentHooks } from "../shared/contingent.ts";

const Params = Type.Object(
  { takeProfitTicks: Type.Integer({ minimum: 1, default: 20 }), stopLossTicks: Type.Integer({ minimum: 1, default: 20 }) },
  { additionalProperties: false },
);

export default defineAlgo({
  manifest: { name: "bracket", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Entry with take-profit and stop-loss exits", params: Params, selfFinishing: true },
  create: () => contingentHooks((ctx) => ctx.params as { takeProfitTicks: number; stopLossTicks: number }),
});
