/**
 * An admin route as data: method, OpenAPI-style path, the role it needs, TypeBox schemas for its
 * path params, query and body, and a handler (synchronous, or async where it must load code). The app registers routes from this table,
 * the OpenAPI document is generated from it, and the auth test walks it.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Session } from "../../session/build.ts";
import type { RealtimeRun } from "../../session/realtime.ts";
import type { Principal } from "../auth/jwt.ts";
import type { RouteRole } from "../auth/roles.ts";
import type { Reply } from "./reply.ts";

/** HTTP methods the admin plane uses. */
export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** What a handler gets: the session, the run, the caller and its validated input. */
export interface RouteContext<P, Q, B> {
  readonly session: Session;
  readonly run: RealtimeRun;
  /** Null on public routes. */
  readonly principal: Principal | null;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

/** One route of the admin API. */
export interface AdminRoute<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema> {
  readonly method: Method;
  /** OpenAPI-style path, e.g. "/api/v1/orders/{id}". */
  readonly path: string;
  readonly role: RouteRole;
  readonly summary: string;
  readonly tag: string;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Status codes it answers besides 400/401/403, with what they mean (for OpenAPI). */
  readonly responses: Readonly<Record<number, string>>;
  /** A read answered from the snapshot the loop publishes (synchronous handler, same answer for every caller of a path and query). */
  readonly snapshot?: boolean;
  /** Runs synchronously on the loop's thread; must be quick. */
  handle(ctx: RouteContext<Static<P>, Static<Q>, Static<B>>): Reply | Promise<Reply>;
}

/** Identity function that types a route's handler from its schemas. */
export function defineRoute<P extends TSchema, Q extends TSchema, B extends TSchema>(route: AdminRoute<P, Q, B>): AdminRoute {
  return route as unknown as AdminRoute;
}

/** Converts "/api/v1/orders/{id}" to Hono's "/api/v1/orders/:id". */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
}
