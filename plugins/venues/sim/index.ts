/**
 * The `sim` venue plugin: a simulated venue for backtests and paper sessions, matching our orders
 * against the session's market with latency, queue position and fees.
 */
import { Type } from "@sinclair/typebox";
import { defineVenue } from "../../sdk/venue.ts";
import { SimVenue } from "./sim-venue.ts";

export { SimVenue, type SimVenueParams } from "./sim-venue.ts";

const Params = Type.Object(
  {
    orderLatencyUs: Type.Integer({ minimum: 0, default: 150, description: "one-way order latency, microseconds" }),
    reportLatencyUs: Type.Integer({ minimum: 0, default: 150, description: "one-way report latency, microseconds" }),
    jitterUs: Type.Integer({ minimum: 0, default: 0, description: "uniform extra latency, seeded" }),
    feedDelayUs: Type.Integer({ minimum: 0, default: 0, description: "how late our market data is against the venue's, microseconds" }),
    makerFeePpm: Type.Integer({ default: 0, description: "maker fee, millionths of notional" }),
    takerFeePpm: Type.Integer({ default: 20, description: "taker fee, millionths of notional" }),
    dayEndHourUtc: Type.Integer({ minimum: 0, maximum: 23, default: 21 }),
    assumedQuoteSize: Type.Integer({ minimum: 0, default: 0, description: "displayed size assumed at each quote when the feed carries none (quote-only feeds such as OANDA, FXCM); 0 keeps the feed's size" }),
    stateFile: Type.String({ default: "", description: "the venue's own memory of orders and fills across restarts (JSON lines; start-up reconciliation asks it); \"\" for none" }),
  },
  { additionalProperties: false },
);

export default defineVenue({
  manifest: {
    name: "sim",
    version: "0.1.0",
    kind: "venue",
    sdk: "^0.1.0",
    description: "Simulated venue: latency, queue position, maker/taker fees, all order types",
    params: Params,
    capabilities: ["execution", "market-data"],
  },
  // Each report is a fresh record: the journal's listeners (a shard's JetStream mirror, the admin
  // streams) keep it past the call (reused records were rewritten in a shard's mirror).
  create: (ctx) => new SimVenue(ctx, ctx.params),
});
