/** Alerts: list (newest first, optionally only unacknowledged) and acknowledge. */
import { Type } from "@sinclair/typebox";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { IdParams, Limit } from "../http/schemas.ts";
import { alertJson } from "../views.ts";

/** Alert routes. */
export function alertRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/alerts",
      snapshot: true,
      role: "analyst",
      tag: "alerts",
      summary: "Alerts, newest first.",
      query: Type.Object({ unacknowledged: Type.Optional(Type.Boolean()), limit: Limit }, { additionalProperties: false }),
      responses: { 200: "alerts" },
      handle: ({ session, query }) => {
        const all = session.core.alerts.all();
        const out = [];
        for (let i = all.length - 1; i >= 0 && out.length < query.limit; i--) {
          const a = all[i]!;
          if (query.unacknowledged === true && a.acknowledged) continue;
          out.push(alertJson(a));
        }
        return ok({ total: all.length, alerts: out });
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/alerts/{id}/acknowledge",
      role: "trader",
      tag: "alerts",
      summary: "Acknowledges an alert (idempotent); the same condition may then be raised again.",
      params: IdParams,
      body: Type.Object({}, { additionalProperties: false }),
      responses: { 200: "acknowledged", 404: "no such alert" },
      handle: ({ session, params }) => {
        if (!session.core.alerts.acknowledge(params.id)) return fail(404, "ADMIN_UNKNOWN_ALERT", `alert=${params.id}`);
        return ok({ alert: alertJson(session.core.alerts.all().find((a) => a.id === params.id)!) });
      },
    }),
  ];
}
