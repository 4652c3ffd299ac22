/**
 * The one admin plane of a cluster: an HTTP server (Hono on `Bun.serve`) in the admin instance
 * (`kestrel cluster up`'s process) serving every shard's health, orders, positions, alerts and
 * P&L merged from the state bucket, the global risk service's ledger and its firm-wide kill switch,
 * and a dashboard page at `/` that polls them. Tokens are the single-process admin plane's (HS256,
 * same key resolution and roles): analyst reads, trader engages the kill switch, admin releases it.
 */
import type { Server } from "bun";
import { Hono, type Context } from "hono";
import { verifyToken } from "../../admin/auth/jwt.ts";
import { allows, type RouteRole } from "../../admin/auth/roles.ts";
import { ClusterError } from "../errors.ts";
import type { RiskControl } from "../risk/service.ts";
import type { ClusterView } from "./plane.ts";
import { CLUSTER_PAGE } from "./page.ts";

/** Options of the cluster admin server. */
export interface ClusterAdminOptions {
  readonly view: ClusterView;
  /** HS256 keys accepted. */
  readonly keys: readonly string[];
  /** The global risk service, in this process or over NATS (kill switch and status routes). */
  readonly risk?: RiskControl;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Where command log lines go (default: stderr). */
  readonly log?: (line: string) => void;
}

/** A running cluster admin server. */
export interface ClusterAdmin {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

type Handler = (c: Context, subject: string) => Promise<Response> | Response;

const error = (c: Context, status: number, code: string, message: string) => c.json({ error: { code, message } }, status as never);

/** Starts the cluster admin server. */
export function startClusterAdmin(opts: ClusterAdminOptions): ClusterAdmin {
  const app = new Hono();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const guarded = (role: RouteRole, handler: Handler) => async (c: Context) => {
    c.header("Cache-Control", "no-store");
    if (role === "public") return await handler(c, "");
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, "").trim() : "";
    const check = await verifyToken(token, opts.keys);
    if (!check.ok) return error(c, 401, check.code, check.reason);
    if (!allows(check.principal.role, role)) return error(c, 403, "AUTH_FORBIDDEN", `role=${check.principal.role} needs=${role} path=${c.req.path}`);
    return await handler(c, check.principal.subject);
  };
  const view = opts.view;
  app.get("/", guarded("public", (c) => c.html(CLUSTER_PAGE)));
  app.get(
    "/api/v1/health",
    guarded("public", async (c) => {
      const h = await view.health();
      return c.json({ status: h.status, shards: h.shards.map((s) => ({ shard: s.shard, status: s.status })) });
    }),
  );
  app.get("/api/v1/cluster/health", guarded("analyst", async (c) => c.json(await view.health())));
  app.get(
    "/api/v1/cluster/orders",
    guarded("analyst", async (c) => {
      const q = c.req.query();
      const orders = await view.orders({ status: q.status, shard: q.shard, instrument: q.instrument });
      return c.json({ total: orders.length, orders });
    }),
  );
  app.get("/api/v1/cluster/positions", guarded("analyst", async (c) => c.json({ positions: await view.positions() })));
  app.get("/api/v1/cluster/alerts", guarded("analyst", async (c) => c.json({ alerts: await view.alerts() })));
  app.get("/api/v1/cluster/pnl", guarded("analyst", async (c) => c.json(await view.pnl())));
  const risk = opts.risk;
  app.get(
    "/api/v1/cluster/risk",
    guarded("analyst", async (c) => {
      if (risk === undefined) return error(c, 404, "ADMIN_NOT_FOUND", "no global risk service is attached to this admin plane");
      const st = await risk.status();
      return c.json({ killed: st.killed, killReason: st.killReason, holder: st.holder, stats: st.stats });
    }),
  );
  const killRoute = (role: RouteRole, engage: boolean) =>
    guarded(role, async (c, subject) => {
      if (risk === undefined) return error(c, 404, "ADMIN_NOT_FOUND", "no global risk service is attached to this admin plane");
      const body = (await c.req.json().catch(() => ({}))) as { reason?: unknown };
      const reason = typeof body.reason === "string" && body.reason !== "" ? body.reason : `operator ${subject}`;
      if (engage) await risk.kill(reason);
      else await risk.releaseKill();
      log(JSON.stringify({ src: "cluster-admin", msg: engage ? "kill switch engaged" : "kill switch released", by: subject, reason }));
      return c.json({ killed: (await risk.status()).killed });
    });
  // Per-shard controls: any of a shard's own admin API calls (cancel an order, pause or resume a
  // strategy, its kill switch, limits...) forwarded to the shard that owns it, with the caller's
  // token; the shard checks the role as a single session does.
  app.all(
    "/api/v1/cluster/shards/:shard/api/v1/*",
    guarded("analyst", async (c, subject) => {
      const shard = c.req.param("shard") ?? "";
      const state = (await view.states()).get(shard);
      if (state === undefined) return error(c, 404, "ADMIN_UNKNOWN_SHARD", `shard=${shard}`);
      if (state.adminUrl === null || state.adminUrl === undefined) return error(c, 409, "ADMIN_SHARD_NO_ADMIN", `shard=${shard} serves no admin API (start it with --admin-port)`);
      if (state.status !== "running") return error(c, 409, "ADMIN_SHARD_STOPPED", `shard=${shard} status=${state.status}`);
      const rest = c.req.path.slice(`/api/v1/cluster/shards/${shard}`.length);
      const query = new URL(c.req.url).search;
      const method = c.req.method;
      const headers: Record<string, string> = { authorization: c.req.header("authorization") ?? "" };
      const type = c.req.header("content-type");
      if (type !== undefined) headers["content-type"] = type;
      let res: Response;
      try {
        res = await fetch(`${state.adminUrl}${rest}${query}`, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer(), signal: AbortSignal.timeout(5000) });
      } catch (err) {
        return error(c, 502, "ADMIN_SHARD_UNREACHABLE", `shard=${shard} url=${state.adminUrl} reason=${(err as Error).message}`);
      }
      if (method !== "GET") log(JSON.stringify({ src: "cluster-admin", msg: "forwarded", shard, method, path: rest, status: res.status, by: subject }));
      return new Response(await res.arrayBuffer(), { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json", "cache-control": "no-store" } });
    }),
  );
  app.post("/api/v1/cluster/kill-switch/engage", killRoute("trader", true));
  app.post("/api/v1/cluster/kill-switch/release", killRoute("admin", false));
  app.notFound((c) => error(c, 404, "ADMIN_NOT_FOUND", `method=${c.req.method} path=${c.req.path}`));
  app.onError((err, c) => (err instanceof ClusterError && err.code === "CLUSTER_RISK_UNAVAILABLE" ? error(c, 503, err.code, err.message) : error(c, 500, "ADMIN_INTERNAL", err.message)));
  const server: Server<undefined> = Bun.serve({ hostname: opts.host ?? "127.0.0.1", port: opts.port ?? 0, fetch: app.fetch });
  const url = `http://${server.hostname}:${server.port}`;
  return {
    url,
    port: server.port!,
    async stop() {
      await server.stop(true);
    },
  };
}
