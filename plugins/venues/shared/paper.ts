/**
 * The paper side of a crypto venue plugin (`execution: sim`): the params of the sim venue that
 * matches orders against the exchange's market, with the exchange's fees as defaults, and the sim
 * venue made from them.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { VenueContext } from "../../sdk/venue.ts";
import { SimVenue } from "../sim/sim-venue.ts";

/** Schema of the `sim` params, defaulting to the exchange's maker and taker fees (ppm). */
export function paperSimParams(makerFeePpm: number, takerFeePpm: number) {
  return Type.Object(
    {
      orderLatencyUs: Type.Integer({ minimum: 0, default: 150 }),
      reportLatencyUs: Type.Integer({ minimum: 0, default: 150 }),
      jitterUs: Type.Integer({ minimum: 0, default: 0 }),
      feedDelayUs: Type.Integer({ minimum: 0, default: 0 }),
      makerFeePpm: Type.Integer({ default: makerFeePpm }),
      takerFeePpm: Type.Integer({ default: takerFeePpm }),
      dayEndHourUtc: Type.Integer({ minimum: 0, maximum: 23, default: 0 }),
    },
    { additionalProperties: false },
  );
}

/** Validated `sim` params. */
export type PaperSimParams = Static<ReturnType<typeof paperSimParams>>;

/** The sim venue of a paper session: the deployment's `sim` params over the exchange's fees. */
export function paperSim(ctx: VenueContext, fees: { makerFeePpm: number; takerFeePpm: number }, p: Partial<PaperSimParams> | undefined): SimVenue {
  return new SimVenue(ctx, { orderLatencyUs: 150, reportLatencyUs: 150, jitterUs: 0, feedDelayUs: 0, dayEndHourUtc: 0, ...fees, ...(p ?? {}) });
}
