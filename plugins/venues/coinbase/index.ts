/**
 * The `coinbase` venue plugin: Coinbase Advanced Trade over its documented WebSocket channels and
 * REST API. Level2 books are kept from snapshots and updates with the connection's sequence
 * numbers checked (a gap resubscribes for a fresh snapshot, with an alert); orders go over REST
 * with ES256 JWTs and client order ids; order events come from the user channel, fills from REST.
 * `testing/` holds the exchange double.
 */
import { defineVenue } from "../../sdk/venue.ts";
import { CoinbaseVenue } from "./coinbase-venue.ts";
import { CoinbaseParams } from "./params.ts";

export { CoinbaseVenue, type CoinbaseVenueOptions } from "./coinbase-venue.ts";
export { CoinbaseParams } from "./params.ts";
export { buildJwt, loadKey } from "./wire/jwt.ts";

export default defineVenue({
  manifest: {
    name: "coinbase",
    version: "0.1.0",
    kind: "venue",
    sdk: "^0.1.0",
    description: "Coinbase Advanced Trade: level2 books with sequence checks, market trades and ticker over WebSocket; JWT (ES256) REST orders; user channel with REST fills and reconciliation",
    params: CoinbaseParams,
    capabilities: ["execution", "market-data"],
  },
  create: (ctx) => new CoinbaseVenue(ctx as never, ctx.params),
});
