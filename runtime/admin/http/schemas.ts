/** TypeBox pieces the admin routes share: ids, symbols, decimal text, pagination. */
import { Type } from "@sinclair/typebox";

/** An instrument symbol as deployments write it. */
export const SymbolText = Type.String({ pattern: "^[A-Z0-9._-]{2,32}$", description: "instrument symbol, e.g. EURUSD" });

/** Decimal text, parsed exactly at the instrument's scale. */
export const DecimalText = Type.String({ pattern: "^\\d{1,18}(\\.\\d{1,18})?$", description: "non-negative decimal text, e.g. \"1.08512\"" });

/** A positive integer id in a path. */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, description: "numeric id" }) }, { additionalProperties: false });

/** A strategy instance name in a path. */
export const NameParams = Type.Object({ name: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" }) }, { additionalProperties: false });

/** How many items a list returns at most. */
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: "most items to return, newest first" });

/** An empty query (extra parameters are refused). */
export const NoQuery = Type.Object({}, { additionalProperties: false });
