/**
 * The gate in front of every non-public route: bearer token (401 with `WWW-Authenticate`), role
 * (403), then the per-token rate limit (429; the kill switch routes are exempt so they always get
 * through). Shared by the loop-thread app and the worker front, so both refuse with the same answers.
 */
import type { Principal } from "../auth/jwt.ts";
import { allows, type RouteRole } from "../auth/roles.ts";
import type { Verify } from "../auth/verify-cache.ts";
import { fail, type Reply } from "./reply.ts";
import type { TokenBuckets } from "./rate-limit.ts";

/** Paths whose requests skip the rate limit, so the kill switch always gets through. */
export const PRIORITY_PATHS: ReadonlySet<string> = new Set(["/api/v1/kill-switch/engage", "/api/v1/kill-switch/release"]);

/** What the gate decided: the caller, or the refusal to answer (with its `WWW-Authenticate` value on a 401). */
export type Admission = { ok: true; principal: Principal } | { ok: false; reply: Reply; wwwAuthenticate?: string };

/** The route facts the gate needs. */
export interface GatedRoute {
  readonly method: string;
  readonly path: string;
  readonly role: RouteRole;
}

/** Checks the `Authorization` header of a request for a non-public route. */
export async function authorize(header: string | undefined, route: GatedRoute, verify: Verify, rateLimit: TokenBuckets): Promise<Admission> {
  const h = header ?? "";
  const token = /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, "").trim() : "";
  const check = await verify(token);
  if (!check.ok) return { ok: false, reply: fail(401, check.code, check.reason), wwwAuthenticate: `Bearer error="invalid_token", error_description="${check.code}"` };
  const principal = check.principal;
  if (!allows(principal.role, route.role)) return { ok: false, reply: fail(403, "AUTH_FORBIDDEN", `role=${principal.role} needs=${route.role} route="${route.method} ${route.path}"`) };
  if (!PRIORITY_PATHS.has(route.path) && !rateLimit.take(token)) return { ok: false, reply: fail(429, "ADMIN_RATE_LIMITED", `subject=${principal.subject} limit=${rateLimit.perSecond}/s`) };
  return { ok: true, principal };
}
