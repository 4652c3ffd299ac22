/**
 * Params of the Avellaneda–Stoikov market maker. Prices are in ticks, sizes in units of the
 * instrument (100000 units is one standard FX lot at sizeDecimals 0), times in seconds. Inventory
 * `q` in the model is the position divided by `orderSize`, so `gamma` and `k` are per tick.
 */
import { Type, type Static } from "@sinclair/typebox";

/** TypeBox schema of the market maker's params, with defaults for an FX major. */
export const AvellanedaStoikovParams = Type.Object(
  {
    gamma: Type.Number({ exclusiveMinimum: 0, default: 0.01, description: "Risk aversion, per tick: scales the inventory skew and the risk part of the spread." }),
    k: Type.Number({ exclusiveMinimum: 0, default: 0.5, description: "Decay of fill intensity with distance from the mid, per tick." }),
    horizonSeconds: Type.Number({ exclusiveMinimum: 0, default: 30, description: "Rolling horizon T - t, in seconds (FX has no close)." }),
    orderSize: Type.Integer({ minimum: 1, default: 100_000, description: "Size of each quote in units (rounded down to the lot size)." }),
    maxInventory: Type.Integer({ minimum: 0, default: 300_000, description: "Largest absolute position in units; the side that would grow it past this stops quoting." }),
    requoteTicks: Type.Integer({ minimum: 1, default: 1, description: "A quote is replaced when its desired price moves by at least this many ticks (and after every fill)." }),
    volFeature: Type.String({ default: "ewmavol_10000000", description: "Feature with log-return volatility per sqrt(second); '' or a missing/NaN feature falls back to the internal estimate." }),
    volHalfLifeSeconds: Type.Number({ exclusiveMinimum: 0, default: 10, description: "Half-life of the internal EWMA of squared mid changes." }),
    initialSigmaTicks: Type.Number({ minimum: 0, default: 1, description: "Volatility in ticks per sqrt(second) the internal estimate starts from." }),
    minQuoteLifeUs: Type.Integer({ minimum: 0, default: 0, description: "A working quote is not replaced for a price move (only after a fill or a size change) before it is this old, in microseconds; bounds the order rate in fast markets. 0 disables." }),
    rejectBackoffUs: Type.Integer({ minimum: 0, default: 1_000_000, description: "After a quote is refused, no new quote on that instrument for this long, in microseconds." }),
  },
  { additionalProperties: false },
);

/** Validated params of the market maker. */
export type AvellanedaStoikovParams = Static<typeof AvellanedaStoikovParams>;
