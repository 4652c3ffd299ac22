/** Params of the `fix44` venue plugin as a deployment writes them. Credentials are named environment variables, never values. */
import { Type, type Static } from "@sinclair/typebox";

const Session = Type.Object(
  {
    name: Type.String({ pattern: "^[A-Za-z0-9_-]{1,32}$" }),
    host: Type.String({ minLength: 1, default: "127.0.0.1" }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    senderCompID: Type.String({ minLength: 1 }),
    targetCompID: Type.String({ minLength: 1 }),
    heartBtIntSec: Type.Integer({ minimum: 1, default: 30 }),
    version: Type.Optional(Type.Union([Type.Literal("FIX44"), Type.Literal("FIX50SP2")])),
    /** Names of environment variables holding the Logon Username / Password. */
    usernameEnv: Type.Optional(Type.String()),
    passwordEnv: Type.Optional(Type.String()),
    storeDir: Type.Optional(Type.String({ minLength: 1 })),
    resetSeqNumOnLogon: Type.Optional(Type.Boolean()),
    tls: Type.Optional(Type.Boolean()),
    /** Symbols this provider quotes and trades (deployment instrument symbols). */
    symbols: Type.Array(Type.String(), { minItems: 1 }),
    marketDepth: Type.Optional(Type.Integer({ minimum: 0 })),
    reconnectMinMs: Type.Optional(Type.Integer({ minimum: 1 })),
    reconnectMaxMs: Type.Optional(Type.Integer({ minimum: 1 })),
    dailyResetUtcMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1439 })),
    /** The provider answers RequestForPositions (AN) with PositionReports: positions are reconciled too. */
    positions: Type.Optional(Type.Boolean()),
    /** Account (1) named in RequestForPositions (default: the senderCompID). */
    account: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

/** The venue's params. */
export const FixVenueParams = Type.Object(
  {
    sessions: Type.Array(Session, { minItems: 1 }),
    /** "best-price": each order goes to the provider showing the best price on the side it takes. */
    routing: Type.Union([Type.Literal("best-price"), Type.Literal("first")], { default: "best-price" }),
  },
  { additionalProperties: false },
);

/** Validated params of the venue. */
export type FixVenueParams = Static<typeof FixVenueParams>;
