/** Liveness and readiness: public, cheap, for probes. */
import { Type } from "@sinclair/typebox";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { summarize } from "../../session/summary.ts";

/** Health and readiness routes. */
export function healthRoutes(startedAt: number): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/health",
      snapshot: true,
      role: "public",
      tag: "health",
      summary: "Liveness: the admin server answers and reports the session's mode and kernel time.",
      responses: { 200: "alive" },
      handle: ({ session }) =>
        ok({ status: "ok", name: session.config.name, mode: session.mode, kernelTs: session.core.now(), uptimeSeconds: Math.round((performance.now() - startedAt) / 1000) }),
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/ready",
      role: "public",
      tag: "health",
      summary: "Readiness: 200 once every instrument has a valid quote, 503 before.",
      query: Type.Object({}, { additionalProperties: false }),
      responses: { 200: "ready", 503: "not ready yet" },
      handle: ({ session }) => {
        const waiting = session.instruments.filter((i) => !session.core.books.books[i.id]!.valid).map((i) => i.symbol);
        if (waiting.length > 0) return fail(503, "ADMIN_NOT_READY", `no quote yet instruments=${waiting.join(",")}`);
        return ok({ ready: true, events: session.loop.marketEvents });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/session",
      snapshot: true,
      role: "analyst",
      tag: "health",
      summary: "The session summary: events, orders, fills, P&L, data anomalies, rejections, tick-to-order latency (ns).",
      responses: { 200: "summary" },
      handle: ({ session }) => ok({ name: session.config.name, kernelTs: session.core.now(), ...summarize(session, (performance.now() - startedAt) / 1000) }),
    }),
  ];
}
