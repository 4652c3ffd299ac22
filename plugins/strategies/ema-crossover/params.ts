/**
 * Params of the EMA crossover. Periods are in bars of `barUs` microseconds; sizes in units of the
 * instrument (100000 units is one standard FX lot at sizeDecimals 0).
 */
import { Type, type Static } from "../../sdk/index.ts";
import { VolBucketParams } from "../shared/vol-buckets.ts";
import { RegimeGateParams } from "../shared/regime/regime-gate.ts";

/** TypeBox schema of the crossover's params; the defaults are the a-priori choice of the README. */
export const EmaCrossoverParams = Type.Object(
  {
    barUs: Type.Integer({ minimum: 1_000, default: 60_000_000, description: "Bar length in microseconds (the EMAs run on bar closes)." }),
    fastBars: Type.Integer({ minimum: 1, default: 12, description: "Fast EMA period, in bars." }),
    slowBars: Type.Integer({ minimum: 2, default: 48, description: "Slow EMA period, in bars (must exceed fastBars)." }),
    orderSize: Type.Integer({ minimum: 1, default: 100_000, description: "Position size at scale 1, in units (rounded down to the lot)." }),
    maxSpreadTicks: Type.Integer({ minimum: 1, default: 10, description: "Widest spread, in ticks, at which it trades (exits included)." }),
    rejectBackoffUs: Type.Integer({ minimum: 0, default: 1_000_000, description: "After a refusal, no order on that instrument for this long." }),
    vol: VolBucketParams,
    regime: Type.Optional(RegimeGateParams),
  },
  { additionalProperties: false },
);

/** Validated params of the crossover. */
export type EmaCrossoverParams = Static<typeof EmaCrossoverParams>;
