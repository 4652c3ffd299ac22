/** Params of the volatility-scaled position limit; sizes in instrument units. */
import { Type, type Static } from "../../sdk/index.ts";
import { VolBucketParams } from "../../strategies/shared/vol-buckets.ts";

/** TypeBox schema of the rule's params. */
export const VolScaledLimitsParams = Type.Object(
  {
    maxPosition: Type.Integer({ minimum: 1, description: "Position limit (units, absolute, per instrument) at scale 1." }),
    barSeconds: Type.Number({ exclusiveMinimum: 0, default: 60, description: "Bar length of the realised volatility (closes are the last mid of each bar)." }),
    vol: { ...VolBucketParams, default: { windowBars: 30, historyBars: 480, minHistory: 60, edges: [0.5, 0.8, 0.95], scales: [1, 0.75, 0.5, 0.25] } },
    warmupScale: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: "Scale before the volatility history can rank (bucket -1)." }),
  },
  { additionalProperties: false },
);

/** Validated params. */
export type VolScaledLimitsParams = Static<typeof VolScaledLimitsParams>;
