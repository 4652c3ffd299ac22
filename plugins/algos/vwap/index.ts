/**
 * VWAP: like TWAP, but the target at each step follows the instrument's activity curve by time of
 * day, loaded from a store (`curve: { store, instrument, bucketMinutes }`). The curve is traded
 * volume where the store has trades (Dukascopy, Binance, LOBSTER); on quote-only feeds (OANDA,
 * FXCM) it is tick activity, and the curve says so (`basis: "ticks"`). Without a curve it falls
 * back to a flat (TWAP) schedule and logs it once.
 */
import { defineAlgo, Type, type AlgoContext } from "../../sdk/index.ts";
import { catchUp, curveShare, joinPrice } from "../shared/schedule.ts";

const Params = Type.Object(
  {
    durationSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600 }),
    slices: Type.Integer({ minimum: 1, default: 20 }),
    style: Type.Union([Type.Literal("take"), Type.Literal("join")], { default: "take" }),
    graceSlices: Type.Integer({ minimum: 0, default: 2 }),
    /** Taking children may pay this many ticks past the touch. */
    slippageTicks: Type.Integer({ minimum: 0, default: 0 }),
    curve: Type.Optional(
      Type.Object(
        { store: Type.String({ minLength: 1 }), instrument: Type.Optional(Type.String()), bucketMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 240 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

type Ctx = AlgoContext<typeof Params>;

/** Fraction of the parent that should be done at `ts` under the curve (flat without one). */
export function vwapFraction(ctx: Ctx, ts: number): number {
  const start = ctx.parent.createdTs;
  const end = start + ctx.params.durationSeconds * 1_000_000;
  const curve = ctx.volumeCurve();
  if (curve === null) return Math.min(1, (ts - start) / (end - start));
  const total = curveShare(curve, start, end);
  if (total <= 0) return Math.min(1, (ts - start) / (end - start));
  return Math.min(1, curveShare(curve, start, Math.min(ts, end)) / total);
}

export default defineAlgo({
  manifest: { name: "vwap", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Slices following the activity curve by time of day", params: Params },
  create: (ctx0) => {
    if (ctx0.volumeCurve() === null) ctx0.log("no activity curve: flat schedule");
    const step = (ctx: Ctx) => {
      const p = ctx.parent;
      const { durationSeconds, slices, style, graceSlices } = ctx.params;
      const interval = (durationSeconds * 1_000_000) / slices;
      const k = Math.floor((ctx.now() - p.createdTs) / interval) + 1;
      if (k > slices + graceSlices) {
        ctx.finish(`schedule ended filled=${p.filled}/${p.quantity}`);
        return;
      }
      if (style === "join") for (const c of ctx.openChildren()) if (c.price !== joinPrice(ctx)) ctx.cancel(c.id);
      const at = p.createdTs + Math.min(k, slices) * interval;
      catchUp(ctx, p.quantity * vwapFraction(ctx, at), style, `slice=${Math.min(k, slices)}/${slices} basis=${ctx.volumeCurve()?.basis ?? "flat"}`, ctx.params.slippageTicks);
      ctx.setTimer(p.createdTs + k * interval - ctx.now(), k);
    };
    return { onStart: step, onResume: step, onTimer: (ctx) => step(ctx) };
  },
});
