/**
 * Params of the Donchian/EMA breakout. Windows are in bars of `barUs` microseconds; sizes in units
 * of the instrument.
 */
import { Type, type Static } from "../../sdk/index.ts";
import { VolBucketParams } from "../shared/vol-buckets.ts";
import { RegimeGateParams } from "../shared/regime/regime-gate.ts";

/** TypeBox schema of the breakout's params; the defaults are the a-priori choice of the README. */
export const MomentumBreakoutParams = Type.Object(
  {
    barUs: Type.Integer({ minimum: 1_000, default: 60_000_000, description: "Bar length in microseconds." }),
    entryBars: Type.Integer({ minimum: 2, default: 60, description: "Donchian entry channel: a close beyond the extreme of the previous entryBars closes enters." }),
    exitBars: Type.Integer({ minimum: 1, default: 20, description: "Donchian exit channel: a close beyond the opposite extreme of the previous exitBars closes exits." }),
    trendBars: Type.Integer({ minimum: 2, default: 120, description: "EMA trend filter period: enter long only above it, short only below; crossing it exits." }),
    orderSize: Type.Integer({ minimum: 1, default: 100_000, description: "Position size at scale 1, in units (rounded down to the lot)." }),
    maxSpreadTicks: Type.Integer({ minimum: 1, default: 10, description: "Widest spread, in ticks, at which it trades." }),
    rejectBackoffUs: Type.Integer({ minimum: 0, default: 1_000_000, description: "After a refusal, no order on that instrument for this long." }),
    vol: VolBucketParams,
    regime: Type.Optional(RegimeGateParams),
  },
  { additionalProperties: false },
);

/** Validated params of the breakout. */
export type MomentumBreakoutParams = Static<typeof MomentumBreakoutParams>;
