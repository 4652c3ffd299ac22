/** Params of the `coinbase` venue plugin as a deployment writes them. Keys are named environment variables, never values. */
import { Type, type Static } from "@sinclair/typebox";
import { paperSimParams } from "../shared/paper.ts";

/** The sim venue's params in a paper session; fees default to the exchange's. */
const SimParams = paperSimParams(4000, 6000);

/** The venue's params. */
export const CoinbaseParams = Type.Object(
  {
    /** REST base, e.g. https://api.coinbase.com (the exchange double: http://127.0.0.1:<port>). */
    restUrl: Type.String({ pattern: "^https?://" }),
    /** Market data WebSocket, e.g. wss://advanced-trade-ws.coinbase.com. */
    wsUrl: Type.String({ pattern: "^wss?://" }),
    /** User channel WebSocket, e.g. wss://advanced-trade-ws-user.coinbase.com (default: wsUrl). */
    wsUserUrl: Type.Optional(Type.String({ pattern: "^wss?://" })),
    /** Names of the environment variables holding the CDP API key name (organizations/…/apiKeys/…) and its EC private key (PEM). */
    apiKeyEnv: Type.String({ default: "COINBASE_API_KEY" }),
    privateKeyEnv: Type.String({ default: "COINBASE_PRIVATE_KEY" }),
    /** A market connection without any message for this long (heartbeats come every second) is reconnected. */
    staleMs: Type.Integer({ minimum: 100, default: 5000 }),
    reconnectMinMs: Type.Integer({ minimum: 1, default: 100 }),
    reconnectMaxMs: Type.Integer({ minimum: 1, default: 5000 }),
    /** "coinbase": orders go to the exchange; "sim": the market comes from Coinbase, orders are matched by the sim venue (paper). */
    execution: Type.Union([Type.Literal("coinbase"), Type.Literal("sim")], { default: "coinbase" }),
    sim: Type.Optional(SimParams),
  },
  { additionalProperties: false },
);

/** Validated params of the venue. */
export type CoinbaseParams = Static<typeof CoinbaseParams>;
