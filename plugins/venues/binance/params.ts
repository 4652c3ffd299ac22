/** Params of the `binance` venue plugin as a deployment writes them. Keys are named environment variables, never values. */
import { Type, type Static } from "@sinclair/typebox";
import { paperSimParams } from "../shared/paper.ts";

/** The sim venue's params in a paper session; fees default to the exchange's. */
const SimParams = paperSimParams(1000, 1000);

/** The venue's params. */
export const BinanceParams = Type.Object(
  {
    /** REST base, e.g. https://api.binance.com (the exchange double: http://127.0.0.1:<port>). */
    restUrl: Type.String({ pattern: "^https?://" }),
    /** WebSocket base, e.g. wss://stream.binance.com:9443 (streams at /stream, user data at /ws/<listenKey>). */
    wsUrl: Type.String({ pattern: "^wss?://" }),
    /** Names of the environment variables holding the API key and the secret: the HMAC secret key, or the Ed25519 private key as PKCS#8 PEM text. */
    apiKeyEnv: Type.String({ default: "BINANCE_API_KEY" }),
    secretKeyEnv: Type.String({ default: "BINANCE_SECRET_KEY" }),
    /** How new orders and cancels are sent: signed REST, or the WebSocket API (REST while it is down). */
    orderTransport: Type.Union([Type.Literal("rest"), Type.Literal("ws-api")], { default: "rest" }),
    /** WebSocket API URL, e.g. wss://ws-api.binance.com:443/ws-api/v3 or, USD-M, wss://ws-fapi.binance.com/ws-fapi/v1 (default: wsUrl + /ws-api/v3, USD-M wsUrl + /ws-fapi/v1). */
    wsApiUrl: Type.Optional(Type.String({ pattern: "^wss?://" })),
    /** Kind of API key: "hmac" (HMAC-SHA256) or "ed25519". */
    keyType: Type.Union([Type.Literal("hmac"), Type.Literal("ed25519")], { default: "hmac" }),
    recvWindowMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 5000 }),
    /** Levels asked of the REST depth snapshot (spot allows 5000, USD-M 1000). */
    snapshotLimit: Type.Integer({ minimum: 5, maximum: 5000, default: 5000 }),
    /** "spot" (api.binance.com) or "usdm" (USD-M futures, fapi.binance.com). */
    market: Type.Union([Type.Literal("spot"), Type.Literal("usdm")], { default: "spot" }),
    /** USD-M position mode of the account: "one-way" (reduce-only orders carry reduceOnly=true) or "hedge" (every order names positionSide LONG or SHORT; a reduce-only order closes the other side). */
    positionMode: Type.Union([Type.Literal("one-way"), Type.Literal("hedge")], { default: "one-way" }),
    /** Depth stream update speed (spot: 100ms or 1000ms; USD-M: 0ms, 100ms, 250ms or 500ms). */
    depthSpeed: Type.Union([Type.Literal("0ms"), Type.Literal("100ms"), Type.Literal("250ms"), Type.Literal("500ms"), Type.Literal("1000ms")], { default: "100ms" }),
    /** Listen key keep-alive period (Binance closes an idle key after 60 minutes). */
    keepAliveMs: Type.Integer({ minimum: 1000, default: 30 * 60_000 }),
    reconnectMinMs: Type.Integer({ minimum: 1, default: 100 }),
    reconnectMaxMs: Type.Integer({ minimum: 1, default: 5000 }),
    /** "binance": orders go to the exchange; "sim": the market comes from Binance, orders are matched by the sim venue (paper). */
    execution: Type.Union([Type.Literal("binance"), Type.Literal("sim")], { default: "binance" }),
    sim: Type.Optional(SimParams),
  },
  { additionalProperties: false },
);

/** Validated params of the venue. */
export type BinanceParams = Static<typeof BinanceParams>;
