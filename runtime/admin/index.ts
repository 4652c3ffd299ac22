/**
 * The admin plane of a running session: a Hono app with the REST API under `/api/v1`, WebSocket
 * streams under `/ws/*`, `/metrics`, the OpenAPI document and the dashboard at `/`. It reads state
 * and sends commands only through the session's public surface, on the loop's own thread, with
 * synchronous handlers. By default `Bun.serve` runs in a worker thread (the front, `front/`):
 * HTTP, tokens, the rate limit, snapshot reads and WebSocket fan-out stay off the loop's thread;
 * with `thread: "loop"` the server runs on the loop's thread itself.
 */
import { resolve } from "node:path";
import type { Session } from "../session/build.ts";
import type { RealtimeRun } from "../session/realtime.ts";
import { logLine } from "../session/log.ts";
import { DEFAULT_RESULTS_DIR } from "../session/backtest-results.ts";
import { issueToken } from "./auth/jwt.ts";
import { cachedVerifier } from "./auth/verify-cache.ts";
import { resolveAdminKey, MIN_KEY_LENGTH } from "./auth/keys.ts";
import { buildApp } from "./http/app.ts";
import { openApiDocument } from "./http/openapi.ts";
import { ok, text } from "./http/reply.ts";
import { defineRoute, type AdminRoute } from "./http/route.ts";
import { TokenBuckets } from "./http/rate-limit.ts";
import { LoopFairness } from "./http/loop-fairness.ts";
import { ReadSnapshots } from "./http/snapshots.ts";
import { renderMetrics } from "./metrics/session-metrics.ts";
import { dashboardRoutes, loadDashboard } from "./dashboard/routes.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { reportRoutes } from "./routes/reports.ts";
import { explainRoutes } from "./routes/explain.ts";
import { backtestRoutes } from "./routes/backtests.ts";
import { healthRoutes } from "./routes/health.ts";
import { marketRoutes } from "./routes/markets.ts";
import { learningRoutes } from "./routes/learning.ts";
import { modelRoutes } from "./routes/models.ts";
import { orderRoutes } from "./routes/orders.ts";
import { portfolioRoutes } from "./routes/portfolio.ts";
import { riskRoutes } from "./routes/risk.ts";
import { stressRoutes } from "./routes/stress.ts";
import { strategyRoutes } from "./routes/strategies.ts";
import { parentRoutes } from "./routes/parents.ts";
import { StreamHub, type HubOptions, type StreamStats } from "./streams/hub.ts";
import { RemoteStreamHub } from "./streams/remote-hub.ts";
import { STREAM_ROUTES } from "./streams/upgrade.ts";
import { serveOnLoop } from "./http/loop-server.ts";
import { startFront, type FrontHandle } from "./front/host.ts";
import { newCounters, statusCounts, type ToFront } from "./front/protocol.ts";

export { issueToken } from "./auth/jwt.ts";

export type { Role } from "./auth/roles.ts";

/** Options of the admin server; the deployment's `admin` section fills what is not given. */
export interface AdminOptions {
  /** TCP port; 0 picks a free one (default: the deployment's admin.port, else 8787). */
  port?: number;
  /** Interface to listen on (default: the deployment's admin.host, else 127.0.0.1). */
  host?: string;
  /** HS256 keys accepted; the first signs. Default: from the environment (see auth/keys.ts). */
  keys?: readonly string[];
  /** Requests a second per token (default 100, burst twice that; 0 disables). */
  rateLimitPerSecond?: number;
  /** Milliseconds requests may hold the thread before yielding to the trading loop (default 2; 0 never yields). */
  loopBudgetMs?: number;
  /** Milliseconds between the read snapshots the loop publishes (default 20; 0 = every read walks live state). */
  snapshotMs?: number;
  /** Stream limits. */
  streams?: HubOptions;
  /** Folder of stored backtest results (default: var/backtests under the working directory). */
  backtestsDir?: string;
  /** Where log lines go (default: stderr JSON lines). */
  log?: (line: string) => void;
  /** Where `Bun.serve` runs: a worker thread (the front; default) or the loop's own thread (default: the deployment's admin.thread). */
  thread?: AdminThread;
  /** Pins the front's thread to this CPU (Linux; for benchmarks). */
  frontCpu?: number;
  /** Raises the front thread's niceness by this much (Linux, 1..19), so the trading loop wins a CPU they both want (default 0: same as the loop). */
  frontNice?: number;
}

/** Where the admin server's HTTP and WebSocket work runs. */
export type AdminThread = "worker" | "loop";

/** A running admin server. */
export interface AdminServer {
  readonly url: string;
  readonly port: number;
  /** The route table (for tests and docs). */
  readonly routes: readonly AdminRoute[];
  /** Where HTTP and WebSocket work runs. */
  readonly thread: AdminThread;
  /** The streams (client counts, slow-client drops, forced flushes). */
  readonly hub: StreamStats;
  /** The worker front (null with `thread: "loop"`). */
  readonly front: FrontHandle | null;
  /** The read snapshots the loop publishes (counts of publications, hits and misses). */
  readonly snapshots: ReadSnapshots;
  /** Stops listening, closes streams and unhooks from the session. */
  stop(): Promise<void>;
}

/** Starts the admin server for a running session. */
export async function startAdmin(session: Session, run: RealtimeRun, opts: AdminOptions = {}): Promise<AdminServer> {
  const startedAt = performance.now();
  const write = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (message: string, fields: Record<string, unknown>) => write(logLine(session.core.now(), "admin", message, fields));
  let keys = opts.keys;
  if (keys === undefined) {
    const resolved = resolveAdminKey();
    keys = [resolved.key];
    if (resolved.source === "generated") {
      const token = await issueToken("admin", 8 * 3600, resolved.key, "console");
      write(`admin: no KESTREL_ADMIN_KEY or KESTREL_ADMIN_KEY_FILE set; generated a key for this run only.`);
      write(`admin: an admin token for the dashboard, valid 8h: ${token}`);
      write(`admin: for lasting tokens, set KESTREL_ADMIN_KEY (>= ${MIN_KEY_LENGTH} chars) and run: kestrel token --role trader --ttl 8h`);
    }
  }
  if (keys.length === 0 || keys.some((k) => k.length < MIN_KEY_LENGTH)) throw new Error(`ADMIN_KEY_TOO_SHORT: min=${MIN_KEY_LENGTH}`);
  const verify = cachedVerifier(keys);
  const thread: AdminThread = opts.thread ?? session.config.admin?.thread ?? "worker";
  const counterBuffer = newCounters();
  const frontCounters = new Int32Array(counterBuffer);
  // The front is not up while the routes are built: frames posted before it is are dropped.
  let toFront: (m: ToFront) => void = () => {};
  const hub = thread === "loop" ? new StreamHub(session, opts.streams) : new RemoteStreamHub(session, opts.streams ?? {}, (m) => toFront(m));
  const responses = new Map<number, number>();
  const wsClients = new Map<string, number>();
  const rate = opts.rateLimitPerSecond ?? 100;
  const fairness = new LoopFairness(() => session.core.now(), opts.loopBudgetMs ?? 2);
  const snapshots = new ReadSnapshots(opts.snapshotMs ?? 20);
  const counters = { responses, wsClients, wsDropped: hub.dropped, deferred: () => fairness.deferred };
  const dashboard = await loadDashboard();
  const routes: AdminRoute[] = [
    ...healthRoutes(startedAt),
    ...marketRoutes(),
    ...orderRoutes(),
    ...portfolioRoutes(),
    ...riskRoutes(log),
    ...stressRoutes(),
    ...strategyRoutes(),
    ...modelRoutes(),
    ...learningRoutes(),
    ...parentRoutes(),
    ...alertRoutes(),
    ...reportRoutes(),
    ...explainRoutes(),
    ...backtestRoutes(opts.backtestsDir ?? resolve(DEFAULT_RESULTS_DIR)),
    defineRoute({
      method: "GET",
      path: "/metrics",
      role: "analyst",
      tag: "metrics",
      summary: "Session metrics in the Prometheus text format.",
      responses: { 200: "metrics" },
      snapshot: true,
      handle: ({ session: s }) => {
        for (const r of STREAM_ROUTES) wsClients.set(r.stream, hub.clients[r.stream].size);
        if (thread === "worker") statusCounts(frontCounters, responses);
        return text(renderMetrics(s, counters), "text/plain; version=0.0.4; charset=utf-8");
      },
    }),
    ...dashboardRoutes(dashboard),
  ];
  const doc = openApiDocument([...routes, openApiRouteStub], STREAM_ROUTES, "1.0.0");
  routes.push(defineRoute({ ...openApiRouteStub, handle: () => ok(doc) }));
  const app = buildApp(routes, { session, run, verify, responses, rateLimit: new TokenBuckets(rate, rate * 2), fairness, snapshots, log });

  const port = opts.port ?? session.config.admin?.port ?? 8787;
  const hostname = opts.host ?? session.config.admin?.host ?? "127.0.0.1";
  let served: { port: number; hostname: string; stop(): Promise<void> };
  let front: FrontHandle | null = null;
  if (hub instanceof RemoteStreamHub) {
    const frontRoutes = routes.map((r) => ({ method: r.method, path: r.path, role: r.role, snapshot: r.snapshot === true }));
    const init = { port, hostname, keys, rateLimitPerSecond: rate, snapshotMs: snapshots.periodMs, streams: opts.streams ?? {}, instruments: session.instruments.map((i) => ({ id: i.id, symbol: i.symbol })), routes: frontRoutes, counters: counterBuffer, ...(opts.frontCpu === undefined ? {} : { cpu: opts.frontCpu }), ...(opts.frontNice === undefined ? {} : { nice: opts.frontNice }) };
    front = await startFront({ session, app, snapshots, hub, init, log });
    toFront = (m) => front!.post(m);
    served = front;
  } else served = serveOnLoop(app, hub, port, hostname, session.instruments, verify, responses);
  hub.attach();
  const unhookSnapshots = run.afterTurn(() => snapshots.afterTurn());
  const boundPort = served.port;
  const host = served.hostname;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}/`;
  log("admin listening", { url, routes: routes.length, streams: STREAM_ROUTES.length, thread });
  return {
    url,
    port: boundPort,
    routes,
    thread,
    hub,
    front,
    snapshots,
    async stop() {
      hub.detach();
      unhookSnapshots();
      await served.stop();
    },
  };
}

const openApiRouteStub: AdminRoute = defineRoute({
  method: "GET",
  path: "/api/v1/openapi.json",
  role: "public",
  tag: "docs",
  summary: "This OpenAPI 3.1 document, generated from the same schemas the server validates with.",
  responses: { 200: "the document" },
  handle: () => ok({}),
});
