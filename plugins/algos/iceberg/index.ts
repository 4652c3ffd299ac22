/**
 * Iceberg: shows `displaySize` at a time at the parent's limit (or the near touch at start when
 * the parent has none), the rest hidden. When a shown child is done, the next one appears after a
 * random delay, with a size drawn around the display size (both seeded: the same run draws the
 * same), so the refreshes do not form a pattern. Restart-safe: it shows a child whenever none is
 * open and quantity remains.
 */
import { defineAlgo, Type, type AlgoContext } from "../../sdk/index.ts";
import { joinPrice, roundLot } from "../shared/schedule.ts";

const Params = Type.Object(
  {
    displaySize: Type.Integer({ minimum: 1, default: 100_000 }),
    /** Shown size varies uniformly within ±this share of displaySize. */
    sizeVariance: Type.Number({ minimum: 0, maximum: 0.9, default: 0.2 }),
    refreshMinUs: Type.Integer({ minimum: 0, default: 50_000 }),
    refreshMaxUs: Type.Integer({ minimum: 0, default: 500_000 }),
  },
  { additionalProperties: false },
);

type Ctx = AlgoContext<typeof Params>;

export default defineAlgo({
  manifest: { name: "iceberg", version: "0.1.0", kind: "algo", sdk: "^0.1.0", description: "Display size with randomised refresh", params: Params },
  create: () => {
    let price = 0;
    let waiting = false;
    const show = (ctx: Ctx) => {
      waiting = false;
      const p = ctx.parent;
      if (p.remaining <= 0 || p.openChildren > 0) return;
      if (price === 0) price = p.limitPrice > 0 ? p.limitPrice : joinPrice(ctx);
      if (price <= 0) return;
      const { displaySize, sizeVariance } = ctx.params;
      const drawn = displaySize * (1 + sizeVariance * (2 * ctx.random() - 1));
      let size = roundLot(ctx, drawn);
      if (size <= 0) size = Math.min(p.remaining, Math.max(ctx.instrument.minSize, ctx.instrument.lotSize));
      size = Math.min(size, p.remaining);
      ctx.child({ type: "limit", price, size, tif: "GTC", note: "iceberg" });
    };
    const later = (ctx: Ctx) => {
      if (waiting) return;
      waiting = true;
      const { refreshMinUs, refreshMaxUs } = ctx.params;
      const hi = Math.max(refreshMinUs, refreshMaxUs);
      ctx.setTimer(refreshMinUs + Math.floor(ctx.random() * (hi - refreshMinUs + 1)), 0);
    };
    return {
      onStart: show,
      onResume: (ctx) => {
        waiting = false;
        const open = ctx.openChildren();
        if (open.length > 0) price = open[0]!.price;
        show(ctx);
      },
      onAmend: (ctx) => {
        price = 0;
        waiting = false;
        later(ctx);
      },
      onChild: (ctx, c) => {
        // A refused child would be refused again: stop rather than retry for ever.
        if (c.status === "rejected") {
          ctx.finish(`child rejected: ${c.reason}`);
          return;
        }
        if (c.status === "filled" || c.status === "canceled" || c.status === "expired") {
          if (ctx.parent.remaining > 0 && ctx.parent.openChildren === 0) later(ctx);
        }
      },
      onTimer: (ctx) => show(ctx),
    };
  },
});
