/**
 * Params of the cross-venue strategy. Sizes in units of the instrument; prices in ticks; times in
 * milliseconds of kernel time.
 */
import { Type, type Static } from "../../sdk/index.ts";

/** TypeBox schema of the strategy's params; the defaults are the a-priori choice of the README. */
export const CrossVenueParams = Type.Object(
  {
    mode: Type.Union([Type.Literal("trade"), Type.Literal("observe")], { default: "trade", description: "\"trade\" takes the stale quote and lays it off at the fresh venue; \"observe\" only counts and logs the moments." }),
    staleMs: Type.Number({ minimum: 0, default: 500, description: "A venue's quote is stale when unchanged this long while the other venue's touch has moved through it." }),
    minEdgeTicks: Type.Integer({ minimum: 1, default: 6, description: "Smallest crossing (other venue's bid minus stale ask, or stale bid minus other's ask) worth trading, in ticks; it must pay both legs' taker fees." }),
    size: Type.Integer({ minimum: 1, default: 1_000_000, description: "Size of each leg, in units (rounded down to the lot)." }),
    maxVenuePosition: Type.Integer({ minimum: 1, default: 3_000_000, description: "Largest absolute position at either venue; a pair of legs that would pass it is skipped." }),
  },
  { additionalProperties: false },
);

/** Validated params. */
export type CrossVenueParams = Static<typeof CrossVenueParams>;
