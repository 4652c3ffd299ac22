/**
 * The WebSocket entry points: `/ws/trades`, `/ws/alerts` and `/ws/market-data`. The token comes
 * in `?token=` (browsers cannot set headers on a WebSocket); the query is validated like any other,
 * and a refused upgrade answers the same JSON errors (400/401/403) as the REST routes.
 */
import type { Server } from "bun";
import type { TSchema } from "@sinclair/typebox";
import { allows, type RouteRole } from "../auth/roles.ts";
import type { Principal, TokenCheck } from "../auth/jwt.ts";
import { fail, type Reply } from "../http/reply.ts";
import { compileValidator } from "../http/validate.ts";
import { MarketDataQuery, StreamQuery, type StreamClient, type StreamName } from "./client.ts";

/** A stream's route: path, role and query schema. */
export interface StreamRoute {
  readonly path: string;
  readonly stream: StreamName;
  readonly role: RouteRole;
  readonly summary: string;
  readonly query: TSchema;
}

/** The streams, for the server, the OpenAPI document and the auth test. */
export const STREAM_ROUTES: readonly StreamRoute[] = [
  { path: "/ws/trades", stream: "trades", role: "analyst", summary: "Our orders (every state change) and fills, in batches", query: StreamQuery },
  { path: "/ws/alerts", stream: "alerts", role: "analyst", summary: "Alerts as they are raised", query: StreamQuery },
  { path: "/ws/market-data", stream: "market-data", role: "analyst", summary: "Latest L1 book per instrument, conflated to `rate` snapshots a second", query: MarketDataQuery },
];

/** The instruments a stream can name (id and symbol; the session's, or their copy in the worker front). */
export type StreamInstruments = readonly { readonly id: number; readonly symbol: string }[];

let nextClientId = 0;

const validators = new Map(STREAM_ROUTES.map((r) => [r.path, compileValidator(r.query, "query", true)]));

/** Upgrades the request if it is a valid stream request; otherwise the error to answer. */
export async function upgradeStream(
  req: Request,
  url: URL,
  server: Server<StreamClient>,
  instruments: StreamInstruments,
  verify: (token: string) => Promise<TokenCheck>,
): Promise<Reply | null> {
  const route = STREAM_ROUTES.find((r) => r.path === url.pathname)!;
  const checked = validators.get(route.path)!.check(Object.fromEntries(url.searchParams));
  if (!checked.ok) {
    const tokenMissing = checked.problems.some((p) => p.path === "/token");
    if (tokenMissing) return fail(401, "AUTH_MISSING", "a stream needs ?token=<jwt>");
    return fail(400, "ADMIN_BAD_REQUEST", checked.problems.map((p) => `query${p.path}: ${p.reason}`).join("; "), checked.problems);
  }
  const query = checked.value as { token: string; format?: "json" | "msgpack"; instruments?: string; rate?: number };
  const auth = await verify(query.token);
  if (!auth.ok) return fail(401, auth.code, auth.reason);
  if (!allows(auth.principal.role, route.role)) return fail(403, "AUTH_FORBIDDEN", `role=${auth.principal.role} needs=${route.role}`);
  let ids = instruments.map((i) => i.id);
  if (query.instruments !== undefined) {
    const wanted = query.instruments.split(",");
    const unknown = wanted.filter((s) => !instruments.some((i) => i.symbol === s));
    if (unknown.length > 0) return fail(400, "ADMIN_BAD_REQUEST", `query/instruments: unknown ${unknown.join(",")}`, [{ in: "query", path: "/instruments", reason: `unknown instruments ${unknown.join(",")}` }]);
    ids = instruments.filter((i) => wanted.includes(i.symbol)).map((i) => i.id);
  }
  const data: StreamClient = {
    id: ++nextClientId,
    stream: route.stream,
    principal: auth.principal as Principal,
    format: query.format ?? "json",
    instruments: ids,
    periodMs: 1000 / (query.rate ?? 5),
    lastTs: new Float64Array(instruments.length),
    nextAt: 0,
  };
  if (!server.upgrade(req, { data })) return fail(400, "ADMIN_NOT_WEBSOCKET", "expected a WebSocket upgrade request");
  return null;
}
