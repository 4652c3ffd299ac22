/**
 * The admin front: runs in a Bun Worker so that HTTP parsing, token checks, the rate limit,
 * routing, snapshot answers and WebSocket fan-out never take the trading loop's thread. It answers
 * snapshot reads from the bodies the loop publishes (while fresh: at most two periods old) and
 * forwards everything else — commands, other reads, a read not in its copy — to the loop as a
 * message; the loop's own app answers and the front replies (requests for a snapshot read already
 * forwarded share its answer). Started by `startAdmin` (front/host.ts).
 */
import type { Server } from "bun";
import { Hono, type Context } from "hono";
import { niceThisThread, pinThisThread } from "../../kernel/thread-affinity.ts";
import type { Principal } from "../auth/jwt.ts";
import { cachedVerifier } from "../auth/verify-cache.ts";
import { send } from "../http/app.ts";
import { authorize } from "../http/authorize.ts";
import { TokenBuckets } from "../http/rate-limit.ts";
import { fail } from "../http/reply.ts";
import { honoPath } from "../http/route.ts";
import type { SnapshotEntry } from "../http/snapshots.ts";
import type { StreamClient } from "../streams/client.ts";
import { STREAM_ROUTES, upgradeStream } from "../streams/upgrade.ts";
import { FrontFanout } from "./fanout.ts";
import { COUNTER_FORWARDED, COUNTER_HITS, COUNTER_STATUS, type FrontAnswer, type FrontInit, type FrontRoute, type ToFront, type ToLoop } from "./protocol.ts";
import { listenFailure, SOCKET_LIMITS } from "../streams/socket-limits.ts";

declare const self: Worker;

const post = (m: ToLoop) => self.postMessage(m);
let started: ReturnType<typeof start> | null = null;

self.onmessage = (ev: MessageEvent<ToFront>) => {
  const m = ev.data;
  if (m.t === "init") started = start(m);
  else if (started !== null) started.receive(m);
};

function start(init: FrontInit) {
  if (init.cpu !== undefined) pinThisThread(init.cpu);
  if (init.nice !== undefined && init.nice > 0) niceThisThread(init.nice);
  const counters = new Int32Array(init.counters);
  const count = (status: number) => {
    if (status >= 100 && status < 600) Atomics.add(counters, COUNTER_STATUS + status - 100, 1);
  };
  const verify = cachedVerifier(init.keys);
  const rateLimit = new TokenBuckets(init.rateLimitPerSecond, init.rateLimitPerSecond * 2);
  const fanout = new FrontFanout(init.streams.maxBufferedBytes ?? 1 << 20, init.streams.flushMs ?? 20, post);

  // The loop's latest publication, kept while fresh; `generation` orders it against commands.
  let entries = new Map<string, SnapshotEntry>();
  let receivedAt = Number.NEGATIVE_INFINITY;
  let generation = 0;
  const asked = new Set<string>();
  const staleAfter = 2 * init.snapshotMs;

  const pending = new Map<number, (answer: FrontAnswer) => void>();
  // Snapshot reads forwarded and not answered yet, by key: another request for the same read joins
  // it (one loop render answers all of them: after a long loop turn, the front's copy is stale and
  // every read of it would otherwise queue at the loop).
  const inflight = new Map<string, Promise<FrontAnswer>>();
  let nextId = 0;
  const forward = async (c: Context, principal: Principal | null): Promise<FrontAnswer> => {
    const req = c.req.raw;
    const url = req.url;
    const body = req.method === "GET" || req.method === "HEAD" ? null : await req.text();
    const id = ++nextId;
    Atomics.add(counters, COUNTER_FORWARDED, 1);
    post({ t: "req", id, method: req.method, path: url.slice(url.indexOf("/", url.indexOf("//") + 2)), headers: [...req.headers], body, principal });
    return new Promise<FrontAnswer>((resolve) => pending.set(id, resolve));
  };
  const forwardRead = (c: Context, principal: Principal | null, key: string): Promise<FrontAnswer> => {
    let answer = inflight.get(key);
    if (answer === undefined) {
      answer = forward(c, principal);
      const mine = answer;
      inflight.set(key, mine);
      void mine.then(() => {
        if (inflight.get(key) === mine) inflight.delete(key);
      });
    }
    return answer;
  };
  const respond = (m: FrontAnswer) => new Response(m.body, { status: m.status, headers: m.headers });
  const answered = (m: FrontAnswer) => {
    const resolve = pending.get(m.id);
    pending.delete(m.id);
    if (m.generation > generation) {
      // A command changed state: drop the copy so its caller reads its own change, and let no
      // later read join a read forwarded before the change.
      entries = new Map();
      inflight.clear();
      generation = m.generation;
    }
    if (m.snap !== undefined && m.snap.generation >= generation) entries.set(m.snap.key, m.snap.entry);
    resolve?.(m);
  };

  const handle = async (c: Context, route: FrontRoute): Promise<Response> => {
    let principal: Principal | null = null;
    if (route.role !== "public") {
      const admitted = await authorize(c.req.header("authorization"), route, verify, rateLimit);
      if (!admitted.ok) {
        if (admitted.wwwAuthenticate !== undefined) c.header("WWW-Authenticate", admitted.wwwAuthenticate);
        return send(c, admitted.reply);
      }
      principal = admitted.principal;
    }
    if (route.snapshot && staleAfter > 0 && c.req.method === "GET") {
      const url = c.req.url;
      const key = url.slice(url.indexOf("/", url.indexOf("//") + 2));
      const entry = performance.now() - receivedAt <= staleAfter ? entries.get(key) : undefined;
      if (entry !== undefined) {
        Atomics.add(counters, COUNTER_HITS, 1);
        asked.add(key);
        c.header("Cache-Control", "no-store");
        c.header("X-Content-Type-Options", "nosniff");
        c.header("Content-Type", entry.contentType);
        return c.body(entry.body, entry.status as never);
      }
      return respond(await forwardRead(c, principal, key));
    }
    return respond(await forward(c, principal));
  };

  const app = new Hono();
  for (const route of init.routes) app.on(route.method, honoPath(route.path), (c) => handle(c, route));
  app.notFound((c) => send(c, fail(404, "ADMIN_NOT_FOUND", `method=${c.req.method} path=${new URL(c.req.url).pathname}`)));

  const streamPaths = new Set(STREAM_ROUTES.map((r) => r.path));
  let server: Server<StreamClient>;
  try {
    server = Bun.serve<StreamClient>({
      port: init.port,
      hostname: init.hostname,
      // Bodies are small JSON commands.
      maxRequestBodySize: 64 * 1024,
      async fetch(req, srv) {
        const url = new URL(req.url);
        if (streamPaths.has(url.pathname)) {
          const refused = await upgradeStream(req, url, srv, init.instruments, verify);
          if (refused === null) return undefined;
          count(refused.status);
          return Response.json(refused.body, { status: refused.status });
        }
        const res = await app.fetch(req);
        count(res.status);
        return res;
      },
      websocket: {
        open: (ws) => fanout.opened(ws),
        close: (ws) => fanout.closed(ws),
        message: () => {},
        ...SOCKET_LIMITS,
      },
    });
  } catch (err) {
    const reason = listenFailure(err);
    post({ t: "listen-failed", reason });
    return null;
  }
  post({ t: "listening", port: server.port!, hostname: server.hostname ?? init.hostname });

  return {
    receive(m: ToFront): void {
      switch (m.t) {
        case "res":
          answered(m);
          break;
        case "snapshot":
          if (m.generation >= generation) {
            entries = new Map(m.entries);
            generation = m.generation;
            receivedAt = performance.now();
          }
          if (asked.size > 0) {
            post({ t: "asked", keys: [...asked] });
            asked.clear();
          }
          break;
        case "hello":
          fanout.hello(m.client, m.message);
          break;
        case "frame":
          fanout.frame(m.stream, m.json, m.packed);
          break;
        case "quotes":
          fanout.quotes(m.quotes);
          break;
        case "stop":
          fanout.closeAll();
          void server.stop(true).finally(() => post({ t: "stopped" }));
          break;
      }
    },
  };
}
