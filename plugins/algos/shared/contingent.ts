/**
 * Contingent orders shared by OTO and bracket: an entry child for the parent's quantity (a limit
 * at the parent's limit, or taking the touch without one); as the entry fills, exit children on
 * the other side for the filled size: one (OTO: `exitTicks` away, limit or stop) or two that cancel
 * each other (bracket: take profit `takeProfitTicks` and stop loss `stopLossTicks` from the
 * entry's average price). The parent ends when every entered unit has exited. Restart-safe: exits
 * are sized from what is filled and already working on the exit side.
 */
import type { AlgoContext, AlgoHooks } from "../../sdk/index.ts";
import { takePrice } from "./schedule.ts";

/** Exit legs of a contingent algorithm, relative to the entry's average price (ticks). */
export interface ExitPlan {
  /** 0: no take-profit leg. */
  readonly takeProfitTicks: number;
  /** 0: no stop leg. */
  readonly stopLossTicks: number;
}

/** Hooks of a contingent algorithm with the given exit plan. */
export function contingentHooks(plan: (ctx: AlgoContext) => ExitPlan): AlgoHooks {
  const exitWorking = (ctx: AlgoContext) => {
    const p = ctx.parent;
    let tp = 0;
    let sl = 0;
    for (const c of ctx.openChildren()) {
      if (c.side === p.side || c.status === "pending-cancel") continue;
      if (c.type === "limit") tp += c.size - c.filled;
      else sl += c.size - c.filled;
    }
    return { tp, sl };
  };
  const enter = (ctx: AlgoContext) => {
    const p = ctx.parent;
    if (p.filled > 0 || p.working > 0) return;
    if (p.limitPrice > 0) ctx.child({ type: "limit", price: p.limitPrice, size: p.quantity, tif: "GTC", note: "entry" });
    else {
      const px = takePrice(ctx);
      if (px > 0) ctx.child({ type: "limit", price: px, size: p.quantity, tif: "IOC", note: "entry" });
    }
  };
  const exits = (ctx: AlgoContext) => {
    const p = ctx.parent;
    const exited = p.exitFilled;
    const { tp, sl } = exitWorking(ctx);
    const plan0 = plan(ctx);
    const open = p.filled - exited;
    const avg = Math.round(p.avgPrice);
    const out = -p.side as 1 | -1;
    const tpNeed = open - tp;
    if (plan0.takeProfitTicks > 0 && tpNeed > 0) ctx.child({ side: out, type: "limit", price: avg + p.side * plan0.takeProfitTicks, size: tpNeed, tif: "GTC", note: "take-profit" });
    if (plan0.stopLossTicks > 0) {
      const slNeed = open - sl;
      if (slNeed > 0) ctx.child({ side: out, type: "stop", stopPrice: avg - p.side * plan0.stopLossTicks, size: slNeed, tif: "GTC", note: "stop-loss" });
    }
    if (p.filled > 0 && p.working === 0 && open <= 0) {
      for (const c of ctx.openChildren()) ctx.cancel(c.id);
      ctx.finish(`exited=${exited}`);
    }
  };
  return {
    onStart: enter,
    onResume: (ctx) => {
      enter(ctx);
      if (ctx.parent.filled > 0) exits(ctx);
    },
    onFill: (ctx, f) => {
      const p = ctx.parent;
      if (f.side === p.side) {
        exits(ctx);
        return;
      }
      // An exit filled: the other leg shrinks by the same size (one cancels other), then check the end.
      for (const c of ctx.openChildren()) if (c.side !== p.side && c.id !== f.orderId) ctx.cancel(c.id);
      exits(ctx);
    },
    onChild: (ctx, c) => {
      const p = ctx.parent;
      // An IOC entry that did not fill completely: the parent ends with what entered.
      if (c.side === p.side && c.status === "canceled" && p.filled === 0 && p.working === 0) ctx.finish("entry not filled");
      // A leg canceled to shrink it: place it again for what is still open.
      else if (c.side !== p.side && c.status === "canceled" && p.filled > 0) exits(ctx);
    },
  };
}

