/**
 * The Hono app: registers every route of the table behind the same pipeline — token check and
 * role (401/403), per-token rate limit (the kill switch is exempt), path/query/body validation
 * (400 with field paths), then the synchronous handler — and counts answers for /metrics.
 */
import { Hono, type Context } from "hono";
import type { Session } from "../../session/build.ts";
import type { RealtimeRun } from "../../session/realtime.ts";
import type { Principal } from "../auth/jwt.ts";
import type { Verify } from "../auth/verify-cache.ts";
import { authorize } from "./authorize.ts";
import { fail, type Reply } from "./reply.ts";
import { honoPath, type AdminRoute } from "./route.ts";
import { compileValidator, type Validator } from "./validate.ts";
import { TokenBuckets } from "./rate-limit.ts";
import type { LoopFairness } from "./loop-fairness.ts";
import { NoQuery } from "./schemas.ts";
import type { ReadSnapshots, SnapshotEntry } from "./snapshots.ts";

/**
 * The Hono env of a request the worker front forwarded: the front has already checked the token,
 * role and rate limit, so the app takes the caller from here and counts no answer (the front
 * does); a snapshot read leaves its entry in `snapshot` for the front to keep.
 */
export interface ForwardedEnv {
  readonly forwarded: { readonly principal: Principal | null };
  snapshot?: { readonly key: string; readonly entry: SnapshotEntry; readonly generation: number };
}

function forwardedEnv(c: Context): ForwardedEnv | undefined {
  const env = c.env as Partial<ForwardedEnv> | undefined;
  return env?.forwarded === undefined ? undefined : (env as ForwardedEnv);
}

/** What the app needs besides the route table. */
export interface AppDeps {
  readonly session: Session;
  readonly run: RealtimeRun;
  readonly verify: Verify;
  /** HTTP answers by status code (for /metrics). */
  readonly responses: Map<number, number>;
  readonly rateLimit: TokenBuckets;
  /** Yields to the trading loop when requests have held the thread too long. */
  readonly fairness: LoopFairness;
  /** Bodies of snapshot reads, published by the loop. */
  readonly snapshots: ReadSnapshots;
  /** Structured log of commands and failures. */
  readonly log: (message: string, fields: Record<string, unknown>) => void;
}

/** Builds the app from the route table. */
export function buildApp(routes: readonly AdminRoute[], deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await deps.fairness.turn();
    await next();
    if (forwardedEnv(c) === undefined) deps.responses.set(c.res.status, (deps.responses.get(c.res.status) ?? 0) + 1);
  });
  for (const route of routes) {
    const params = route.params === undefined ? null : compileValidator(route.params, "path", true);
    const query = compileValidator(route.query ?? NoQuery, "query", true);
    const body = route.body === undefined ? null : compileValidator(route.body, "body", false);
    app.on(route.method, honoPath(route.path), (c) => handle(c, route, params, query, body, deps));
  }
  app.notFound((c) => send(c, fail(404, "ADMIN_NOT_FOUND", `method=${c.req.method} path=${new URL(c.req.url).pathname}`)));
  app.onError((err, c) => {
    deps.log("admin handler failed", { path: new URL(c.req.url).pathname, error: err.message });
    return send(c, fail(500, "ADMIN_INTERNAL", err.message));
  });
  return app;
}

async function handle(c: Context, route: AdminRoute, params: Validator | null, query: Validator, body: Validator | null, deps: AppDeps): Promise<Response> {
  const fwd = forwardedEnv(c);
  let principal: Principal | null = null;
  if (fwd !== undefined) principal = fwd.forwarded.principal;
  else if (route.role !== "public") {
    const admitted = await authorize(c.req.header("authorization"), route, deps.verify, deps.rateLimit);
    if (!admitted.ok) {
      if (admitted.wwwAuthenticate !== undefined) c.header("WWW-Authenticate", admitted.wwwAuthenticate);
      return send(c, admitted.reply);
    }
    principal = admitted.principal;
  }
  const p = params === null ? { ok: true as const, value: {} } : params.check(c.req.param());
  if (!p.ok) return send(c, fail(400, "ADMIN_BAD_REQUEST", summary(p.problems), p.problems));
  const q = query.check(c.req.query());
  if (!q.ok) return send(c, fail(400, "ADMIN_BAD_REQUEST", summary(q.problems), q.problems));
  let b: { ok: true; value: unknown } = { ok: true, value: undefined };
  if (body !== null) {
    const text = await c.req.text();
    let json: unknown;
    try {
      json = text.trim() === "" ? {} : JSON.parse(text);
    } catch (err) {
      return send(c, fail(400, "ADMIN_BAD_JSON", `body: not JSON: ${(err as Error).message}`, [{ in: "body", path: "", reason: "not JSON" }]));
    }
    const checked = body.check(json);
    if (!checked.ok) return send(c, fail(400, "ADMIN_BAD_REQUEST", summary(checked.problems), checked.problems));
    b = checked;
  }
  const ctx = { session: deps.session, run: deps.run, principal, params: p.value, query: q.value, body: b.value } as never;
  if (route.snapshot === true && deps.snapshots.enabled) {
    const url = c.req.url;
    const key = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    const entry = deps.snapshots.read(key, () => route.handle(ctx) as Reply);
    if (fwd !== undefined) fwd.snapshot = { key, entry, generation: deps.snapshots.generation };
    c.header("Cache-Control", "no-store");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Content-Type", entry.contentType);
    return c.body(entry.body, entry.status as never);
  }
  const reply = await route.handle(ctx);
  if (route.method !== "GET") deps.snapshots.invalidate();
  if (route.method !== "GET") deps.log("admin command", { route: `${route.method} ${route.path}`, path: new URL(c.req.url).pathname, by: principal?.subject ?? "", status: reply.status });
  return send(c, reply);
}

function summary(problems: readonly { in: string; path: string; reason: string }[]): string {
  return problems.map((p) => `${p.in}${p.path}: ${p.reason}`).join("; ");
}

/** The dashboard may run its own inline script and talk to this origin only; nothing may frame it. */
const PAGE_POLICY = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'";

/** Answers a reply with the admin plane's headers (JSON, or raw text with its content type). */
export function send(c: Context, reply: Reply): Response {
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
  if (reply.contentType !== undefined) {
    if (reply.contentType.startsWith("text/html")) c.header("Content-Security-Policy", PAGE_POLICY);
    c.header("Content-Type", reply.contentType);
    return c.body(reply.body as string, reply.status as never);
  }
  return c.json(reply.body as object, reply.status as never);
}
