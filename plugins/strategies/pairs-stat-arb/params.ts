/**
 * Params of the pairs strategy. Windows are in bars of `barUs` microseconds; `legSize` is the
 * first instrument's size in units; durations in microseconds.
 */
import { Type, type Static } from "../../sdk/index.ts";

/** TypeBox schema of the pairs strategy's params; the defaults are the a-priori choice of the README. */
export const PairsStatArbParams = Type.Object(
  {
    barUs: Type.Integer({ minimum: 1_000, default: 60_000_000, description: "Bar length in microseconds (log mids sampled at bar closes)." }),
    formationBars: Type.Integer({ minimum: 20, default: 480, description: "Bars in the formation window of the Engle–Granger test." }),
    retestBars: Type.Integer({ minimum: 1, default: 60, description: "The test is re-run on the last formationBars bars every retestBars bars (a rolling formation window)." }),
    egCritical: Type.Number({ maximum: 0, default: -3.34, description: "Dickey–Fuller t-statistic the residuals must fall below (MacKinnon 5% for two variables: -3.34)." }),
    kalmanDelta: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 1e-4, description: "Per-bar random-walk variance of (alpha, beta) relative to the residual variance, as delta / (1 - delta); memory about 1/sqrt(delta) bars." }),
    entryZ: Type.Number({ exclusiveMinimum: 0, default: 2, description: "|z| at or above which it opens the spread against the deviation." }),
    exitZ: Type.Number({ minimum: 0, default: 0.5, description: "|z| at or below which it closes the spread." }),
    stopZ: Type.Number({ exclusiveMinimum: 0, default: 4, description: "|z| at or above which an open spread is closed as a loss (the relation broke)." }),
    maxHoldBars: Type.Integer({ minimum: 1, default: 240, description: "Bars after which an open spread is closed whatever z says." }),
    legSize: Type.Integer({ minimum: 1, default: 100_000, description: "Size of the first instrument's leg, in units; the second is hedged by notional times beta." }),
    maxSpreadBps: Type.Number({ exclusiveMinimum: 0, default: 3, description: "Widest spread, in basis points of the mid, at which a leg is sent (relative, so one bound suits both legs)." }),
    legRisk: Type.Union([Type.Literal("complete"), Type.Literal("flatten")], { default: "complete", description: "When one leg fills and the other does not: keep sending the missing leg until legTimeoutUs ('complete'), or flatten the filled leg at once ('flatten')." }),
    legTimeoutUs: Type.Integer({ minimum: 1, default: 5_000_000, description: "Longest time the two legs may stay unmatched; then both are flattened." }),
    rejectBackoffUs: Type.Integer({ minimum: 0, default: 1_000_000, description: "After a refusal, no order on that leg for this long." }),
  },
  { additionalProperties: false },
);

/** Validated params of the pairs strategy. */
export type PairsStatArbParams = Static<typeof PairsStatArbParams>;
