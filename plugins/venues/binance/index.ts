/**
 * The `binance` venue plugin: Binance spot over its documented WebSocket streams and REST API.
 * Books are kept in sync from depth diffs and REST snapshots (resynced with an alert after any
 * gap), orders go over HMAC-signed REST with client order ids, execution reports come from the user
 * data stream and are reconciled over REST after an outage. `testing/` holds the exchange double.
 */
import { defineVenue } from "../../sdk/venue.ts";
import { BinanceVenue } from "./binance-venue.ts";
import { BinanceParams } from "./params.ts";

export { BinanceVenue, type BinanceVenueOptions } from "./binance-venue.ts";
export { BinanceParams } from "./params.ts";
export { DepthBook } from "./book/depth-book.ts";
export { DepthSync } from "./book/depth-sync.ts";
export { hmacSha256Hex, signQuery, queryString } from "./wire/sign.ts";

export default defineVenue({
  manifest: {
    name: "binance",
    version: "0.1.0",
    kind: "venue",
    sdk: "^0.1.0",
    description: "Binance spot: depth-synced books, bookTicker and trades over WebSocket; signed REST orders; user data stream with REST reconciliation",
    params: BinanceParams,
    capabilities: ["execution", "market-data"],
  },
  create: (ctx) => new BinanceVenue(ctx as never, ctx.params),
});
