/** Instruments per venue with their scales, lot rules and current touch, as decimal text. */
import { Type } from "@sinclair/typebox";
import { formatScaled } from "../../../plugins/sdk/decimal.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { priceText, sizeText } from "../views.ts";

/** Market routes. */
export function marketRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/markets/{venue}/instruments",
      role: "analyst",
      tag: "markets",
      summary: "Instruments a venue lists in this deployment, with increments and the current bid/ask.",
      params: Type.Object({ venue: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" }) }, { additionalProperties: false }),
      responses: { 200: "instruments", 404: "no such venue" },
      handle: ({ session, params }) => {
        const list = session.instruments.filter((i) => i.venue === params.venue || (session.config.venues === undefined && session.config.venue?.name === params.venue));
        if (list.length === 0) return fail(404, "ADMIN_UNKNOWN_VENUE", `venue=${params.venue} known=${session.venues.venues.map((v) => v.name).join(",")}`);
        return ok({
          venue: params.venue,
          instruments: list.map((i) => {
            const b = session.core.books.books[i.id]!;
            return {
              symbol: i.symbol,
              base: i.base,
              quote: i.quote,
              priceDecimals: i.priceDecimals,
              sizeDecimals: i.sizeDecimals,
              priceIncrement: formatScaled(1, i.priceDecimals),
              sizeIncrement: formatScaled(1, i.sizeDecimals),
              lotSize: sizeText(i, i.lotSize),
              minSize: sizeText(i, i.minSize),
              bid: b.valid ? priceText(i, b.bid) : null,
              ask: b.valid ? priceText(i, b.ask) : null,
              quoteTs: b.valid ? b.ts : null,
            };
          }),
        });
      },
    }),
  ];
}
