/**
 * Params of the pre-trade VaR rule. Money is in the account currency (major units, as the risk
 * limits are); times are seconds of kernel time.
 */
import { Type, type Static } from "../../sdk/index.ts";

/** TypeBox schema of the rule's params. */
export const PreTradeVarParams = Type.Object(
  {
    budget: Type.Number({ exclusiveMinimum: 0, description: "VaR (account currency) that an order may not push the portfolio above; orders that lower VaR always pass." }),
    esBudget: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Expected shortfall (account currency) budget, same rule; absent: not checked." })),
    confidence: Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.99, description: "VaR confidence level." }),
    horizonSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600, description: "VaR horizon; per-sample figures are scaled by sqrt(horizon / sample)." }),
    sampleSeconds: Type.Number({ exclusiveMinimum: 0, default: 60, description: "Mid returns are sampled on this grid of kernel time." }),
    halfLifeSamples: Type.Number({ exclusiveMinimum: 0, default: 120, description: "Half-life of the EWMA covariance, in samples." }),
    minSamples: Type.Integer({ minimum: 2, default: 30, description: "Samples needed before the rule can judge; before, orders that add exposure are refused (VAR_NO_HISTORY)." }),
    historySamples: Type.Integer({ minimum: 10, default: 1440, description: "Past return vectors kept for the historical-simulation VaR the parametric one is recalibrated against." }),
    recalibrateSeconds: Type.Number({ exclusiveMinimum: 0, default: 900, description: "How often the historical VaR is recomputed off the order path." }),
    calibrateAgainst: Type.Union([Type.Literal("historical"), Type.Literal("portfolio-var")], {
      default: "historical",
      description: "What the parametric VaR is recalibrated against: the rule's own historical simulation, or the deployment's periodic Monte Carlo / bootstrap VaR (sidecars.gpu, on the GPU sidecar or in process).",
    }),
    calibrationBounds: Type.Tuple([Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 })], { default: [0.5, 3], description: "Smallest and largest factor (historical / parametric) applied to the parametric VaR." }),
  },
  { additionalProperties: false },
);

/** Validated params. */
export type PreTradeVarParams = Static<typeof PreTradeVarParams>;
