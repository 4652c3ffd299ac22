/**
 * The admin server on the trading loop's own thread (`thread: "loop"`): `Bun.serve` runs the app
 * and the streams' upgrades in the loop's thread, so every request is a macrotask between market
 * turns; the hub fans the streams out from a timer on the same thread.
 */
import type { Server } from "bun";
import type { Hono } from "hono";
import { OperationalError } from "../../errors/codes.ts";
import type { Verify } from "../auth/verify-cache.ts";
import type { StreamClient } from "../streams/client.ts";
import type { StreamHub } from "../streams/hub.ts";
import { STREAM_ROUTES, upgradeStream, type StreamInstruments } from "../streams/upgrade.ts";
import { listenFailure, SOCKET_LIMITS } from "../streams/socket-limits.ts";

/** How long `stop()` waits for the server to confirm it closed its connections, ms. */
const STOP_WAIT_MS = 2_000;

/** A listening server: where, and how to stop it. */
export interface LoopServer {
  readonly port: number;
  readonly hostname: string;
  stop(): Promise<void>;
}

/** Runs `Bun.serve` on the loop's own thread (`thread: "loop"`); throws ADMIN_LISTEN_FAILED when it cannot listen. */
export function serveOnLoop(app: Hono, hub: StreamHub, port: number, hostname: string, instruments: StreamInstruments, verify: Verify, responses: Map<number, number>): LoopServer {
  const streamPaths = new Set(STREAM_ROUTES.map((r) => r.path));
  let server: Server<StreamClient>;
  try {
    server = Bun.serve<StreamClient>({
      port,
      hostname,
      // Bodies are small JSON commands; parsing a large one would hold up the loop.
      maxRequestBodySize: 64 * 1024,
      async fetch(req, srv) {
        const url = new URL(req.url);
        if (streamPaths.has(url.pathname)) {
          const refused = await upgradeStream(req, url, srv, instruments, verify);
          if (refused === null) return undefined;
          responses.set(refused.status, (responses.get(refused.status) ?? 0) + 1);
          return Response.json(refused.body, { status: refused.status });
        }
        return app.fetch(req, { server: srv });
      },
      websocket: {
        open: (ws) => hub.open(ws),
        close: (ws) => hub.close(ws),
        message: () => {},
        ...SOCKET_LIMITS,
      },
    });
  } catch (err) {
    const reason = listenFailure(err);
    throw new OperationalError("ADMIN_LISTEN_FAILED", { host: hostname, port, reason });
  }
  return {
    port: server.port!,
    hostname: server.hostname ?? hostname,
    async stop() {
      // Every connection is closed now (WebSockets and keep-alive HTTP alike); the wait for Bun to
      // confirm is bounded, and the server no longer holds the process either way.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([server.stop(true), new Promise<void>((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
      clearTimeout(timer);
      server.unref();
    },
  };
}
