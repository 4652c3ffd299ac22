/**
 * Helpers the execution algorithms share: lot rounding, the price that takes the touch, the
 * share of an activity curve between two times, and the "send what the schedule is behind by"
 * step that makes schedule-driven algorithms restart-safe (they derive what to send from the
 * parent's filled and working quantity, never from a count of children sent).
 */
import type { AlgoContext, VolumeCurve } from "../../sdk/algo.ts";

const DAY_US = 86_400_000_000;

/** Rounds a size down to the instrument's lot (0 when under one lot). */
export function roundLot(ctx: AlgoContext, size: number): number {
  const lot = Math.max(1, ctx.instrument.lotSize);
  const q = Math.floor(size / lot) * lot;
  return q >= ctx.instrument.minSize ? q : 0;
}

/** The price that takes liquidity now for the parent's side (0 when the book is empty). */
export function takePrice(ctx: AlgoContext): number {
  const b = ctx.book();
  if (!b.valid) return 0;
  return ctx.parent.side === 1 ? b.ask : b.bid;
}

/** The price that joins the parent's own side of the book (0 when empty). */
export function joinPrice(ctx: AlgoContext): number {
  const b = ctx.book();
  if (!b.valid) return 0;
  return ctx.parent.side === 1 ? b.bid : b.ask;
}

/** Share of a curve's daily activity between two kernel times (wraps over days). */
export function curveShare(curve: VolumeCurve, fromTs: number, toTs: number): number {
  let share = 0;
  const b = curve.bucketUs;
  let t = fromTs;
  while (t < toTs) {
    const inDay = ((t % DAY_US) + DAY_US) % DAY_US;
    const k = Math.floor(inDay / b);
    const end = Math.min(toTs, t - (inDay % b) + b);
    share += (curve.weights[k % curve.weights.length] ?? 0) * ((end - t) / b);
    t = end;
  }
  return share;
}

/**
 * Sends a taking child for what the parent is behind a target filled quantity by (target minus
 * filled minus working), rounded to lots; the last lot-sized remainder goes whole. Returns the size sent.
 */
export function catchUp(ctx: AlgoContext, target: number, style: "take" | "join", note: string, slippageTicks = 0): number {
  const p = ctx.parent;
  const goal = Math.min(p.quantity, Math.max(0, Math.round(target)));
  let need = goal - p.filled - p.working;
  if (need <= 0) return 0;
  need = goal >= p.quantity ? Math.min(need, p.remaining - p.working) : roundLot(ctx, need);
  if (need <= 0) return 0;
  const touch = style === "take" ? takePrice(ctx) : joinPrice(ctx);
  if (touch <= 0) return 0;
  // A taking child may pay a few ticks past the touch, so a quote that moves during its latency does not make it miss.
  const price = style === "take" ? touch + p.side * slippageTicks : touch;
  const ids = ctx.child({ type: "limit", price, size: need, tif: style === "take" ? "IOC" : "GTC", note });
  return ids.length > 0 ? need : 0;
}
