/**
 * A WebSocket client of a stream as the hub keeps it: which stream, who, the wire format, and for
 * market data the instruments it asked for, its conflation period and what it was last sent.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { ServerWebSocket } from "bun";
import type { Principal } from "../auth/jwt.ts";

/** Streams the admin plane serves. */
export type StreamName = "trades" | "alerts" | "market-data";

/** Wire format a client asked for. */
export type WireFormat = "json" | "msgpack";

/** Per-connection state (Bun's `ws.data`). */
export interface StreamClient {
  /** Connection number, unique in the process. */
  readonly id: number;
  readonly stream: StreamName;
  readonly principal: Principal;
  readonly format: WireFormat;
  /** Market data: instrument ids the client wants (all when it named none). */
  readonly instruments: readonly number[];
  /** Market data: milliseconds between conflated snapshots. */
  readonly periodMs: number;
  /** Market data: book ts last sent per instrument id. */
  readonly lastTs: Float64Array;
  /** Market data: performance.now() at which the next snapshot is due. */
  nextAt: number;
}

/** A connected client socket. */
export type ClientSocket = ServerWebSocket<StreamClient>;

/** Query of /ws/trades and /ws/alerts. */
export const StreamQuery = Type.Object(
  { token: Type.String({ minLength: 1 }), format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("msgpack")])) },
  { additionalProperties: false },
);

/** Query of /ws/market-data. */
export const MarketDataQuery = Type.Object(
  {
    token: Type.String({ minLength: 1 }),
    format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("msgpack")])),
    instruments: Type.Optional(Type.String({ pattern: "^[A-Z0-9._-]{2,32}(,[A-Z0-9._-]{2,32})*$", description: "comma-separated symbols; all when absent" })),
    rate: Type.Integer({ minimum: 1, maximum: 50, default: 5, description: "conflated snapshots per second" }),
  },
  { additionalProperties: false },
);

/** Validated market-data query. */
export type MarketDataQuery = Static<typeof MarketDataQuery>;
