/**
 * Params of the order-book-imbalance scalper. Prices are in ticks, sizes in units of the
 * instrument (100000 units is one standard FX lot at sizeDecimals 0), durations in microseconds.
 */
import { Type, type Static } from "@sinclair/typebox";

/** TypeBox schema of the scalper's params, with defaults for an FX major. */
export const ObiScalperParams = Type.Object(
  {
    orderSize: Type.Integer({ minimum: 1, default: 100_000, description: "Entry size in units (rounded down to the lot size)." }),
    maxPosition: Type.Integer({ minimum: 1, default: 100_000, description: "Largest absolute position per instrument, in units." }),
    entryImbalance: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.6, description: "|imbalance| at or above which the scalper joins the touch." }),
    strongImbalance: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.85, description: "|imbalance| at or above which it takes the opposite touch with an IOC (ignored below entryImbalance)." }),
    maxSpreadTicks: Type.Integer({ minimum: 1, default: 2, description: "Widest spread, in ticks, at which it enters." }),
    imbalanceFeature: Type.String({ default: "imbalance", description: "Feature read as the imbalance signal (e.g. a smoothed one); '' or a missing/NaN value falls back to the quote's L1 imbalance." }),
    minEdgeTicks: Type.Number({ minimum: 0, default: 0, description: "Least (microprice - mid) in the trade's direction, in ticks; 0 disables the check." }),
    takeProfitTicks: Type.Integer({ minimum: 1, default: 3, description: "Take-profit distance from the average entry price, in ticks (a resting limit)." }),
    stopLossTicks: Type.Integer({ minimum: 1, default: 5, description: "Adverse move from the average entry price, in ticks, that flattens the position." }),
    maxHoldUs: Type.Integer({ minimum: 1, default: 30_000_000, description: "Longest holding time; the position is flattened when it expires." }),
    staleOrderUs: Type.Integer({ minimum: 1, default: 2_000_000, description: "An unfilled entry order older than this is canceled." }),
    cooldownUs: Type.Integer({ minimum: 0, default: 5_000_000, description: "Pause after a position is closed before the next entry." }),
    rejectBackoffUs: Type.Integer({ minimum: 0, default: 1_000_000, description: "After an order is refused, no new order on that instrument for this long." }),
  },
  { additionalProperties: false },
);

/** Validated params of the scalper. */
export type ObiScalperParams = Static<typeof ObiScalperParams>;
