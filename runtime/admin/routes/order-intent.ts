/**
 * Turns a validated manual-order body (decimal text, symbols, "buy"/"sell") into an OrderIntent of
 * integers, exactly: a price or size that does not fit the instrument's scale is refused, never
 * rounded. Problems name the body field.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { parseScaled } from "../../../plugins/sdk/decimal.ts";
import type { OrderIntent } from "../../../plugins/sdk/orders.ts";
import type { FieldProblem } from "../http/reply.ts";
import { DecimalText, SymbolText } from "../http/schemas.ts";

/** Body of POST /api/v1/orders. */
export const ManualOrderBody = Type.Object(
  {
    instrument: SymbolText,
    venue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    side: Type.Union([Type.Literal("buy"), Type.Literal("sell")]),
    type: Type.Union([Type.Literal("market"), Type.Literal("limit"), Type.Literal("stop"), Type.Literal("stop-limit")]),
    size: DecimalText,
    price: Type.Optional(DecimalText),
    stopPrice: Type.Optional(DecimalText),
    tif: Type.Optional(Type.Union([Type.Literal("GTC"), Type.Literal("IOC"), Type.Literal("FOK"), Type.Literal("GTD"), Type.Literal("DAY")])),
    expireTs: Type.Optional(Type.Integer({ minimum: 0, description: "GTD expiry, microseconds since epoch" })),
    postOnly: Type.Optional(Type.Boolean()),
    reduceOnly: Type.Optional(Type.Boolean()),
    tag: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** A validated manual-order body. */
export type ManualOrderBody = Static<typeof ManualOrderBody>;

/** The intent, or every problem with the body. */
export type IntentResult = { ok: true; intent: OrderIntent } | { ok: false; problems: FieldProblem[] };

/** Converts a manual-order body into an intent of integers. */
export function toIntent(body: ManualOrderBody, instruments: readonly Instrument[], venueName: string): IntentResult {
  const problems: FieldProblem[] = [];
  const bad = (path: string, reason: string) => problems.push({ in: "body", path, reason });
  const inst = instruments.find((i) => i.symbol === body.instrument);
  if (inst === undefined) bad("/instrument", `unknown instrument "${body.instrument}"; known: ${instruments.map((i) => i.symbol).join(", ")}`);
  if (body.venue !== undefined && body.venue !== venueName && body.venue !== inst?.venue) bad("/venue", `unknown venue "${body.venue}"; known: ${venueName}`);
  const needsPrice = body.type === "limit" || body.type === "stop-limit";
  const needsStop = body.type === "stop" || body.type === "stop-limit";
  if (needsPrice && body.price === undefined) bad("/price", `required for type=${body.type}`);
  if (!needsPrice && body.price !== undefined) bad("/price", `not used by type=${body.type}`);
  if (needsStop && body.stopPrice === undefined) bad("/stopPrice", `required for type=${body.type}`);
  if (!needsStop && body.stopPrice !== undefined) bad("/stopPrice", `not used by type=${body.type}`);
  if (body.tif === "GTD" && body.expireTs === undefined) bad("/expireTs", "required for tif=GTD");
  if (inst === undefined) return { ok: false, problems };
  const scaled = (path: string, text: string | undefined, decimals: number): number | undefined => {
    if (text === undefined) return undefined;
    const r = parseScaled(text, decimals);
    if (!r.ok) {
      bad(path, `${r.reason} (instrument ${inst.symbol} allows ${decimals})`);
      return undefined;
    }
    if (r.value <= 0) bad(path, "must be greater than 0");
    return r.value;
  };
  const size = scaled("/size", body.size, inst.sizeDecimals);
  const price = scaled("/price", body.price, inst.priceDecimals);
  const stopPrice = scaled("/stopPrice", body.stopPrice, inst.priceDecimals);
  if (problems.length > 0 || size === undefined) return { ok: false, problems };
  const intent: OrderIntent = {
    instrument: inst.id,
    side: body.side === "buy" ? 1 : -1,
    type: body.type,
    size,
    ...(price !== undefined ? { price } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(body.tif !== undefined ? { tif: body.tif } : {}),
    ...(body.expireTs !== undefined ? { expireTs: body.expireTs } : {}),
    ...(body.postOnly !== undefined ? { postOnly: body.postOnly } : {}),
    ...(body.reduceOnly !== undefined ? { reduceOnly: body.reduceOnly } : {}),
    tag: body.tag ?? "admin",
  };
  return { ok: true, intent };
}
