/**
 * Risk limits (read) and the kill switch: status for analysts, engage for traders, release for
 * admins. Engaging refuses every new order and cancels every working one; both are journaled and
 * raise an alert (the core does that).
 */
import { Type } from "@sinclair/typebox";
import type { Session } from "../../session/build.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { ok } from "../http/reply.ts";
import { sizeText } from "../views.ts";
import { checkLimitsChange, LimitsChange } from "./limits-check.ts";

function killStatus(session: Session) {
  const r = session.core.risk;
  return { engaged: r.killSwitch, reason: r.killReason, openOrders: session.core.oms.openCount };
}

/** Risk and kill-switch routes. */
export function riskRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/risk/limits",
      role: "analyst",
      tag: "risk",
      summary: "Risk limits as configured and as resolved per instrument, the loss breaker and rejections by code.",
      responses: { 200: "limits" },
      handle: ({ session }) => {
        const r = session.core.risk;
        return ok({
          config: r.config,
          instruments: session.instruments.map((i) => ({
            instrument: i.symbol,
            maxPosition: sizeText(i, r.limits[i.id]!.maxPosition),
            maxOrderNotional: r.limits[i.id]!.maxOrderNotional,
            priceCollarBps: r.limits[i.id]!.priceCollarBps,
          })),
          breaker: { tripped: r.breaker.tripped, reason: r.breaker.reason },
          killSwitch: killStatus(session),
          rejections: Object.fromEntries(r.rejections),
        });
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/risk/limits/validate",
      role: "trader",
      tag: "risk",
      summary: "Checks a proposed change of limits (the deployment's risk.limits / risk.instruments shape) against live state, without applying it.",
      body: LimitsChange,
      responses: { 200: "the check: valid, problems, warnings, the limits as they would resolve" },
      handle: ({ session, body }) => ok(checkLimitsChange(session, body)),
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/kill-switch",
      role: "analyst",
      tag: "risk",
      summary: "Whether the kill switch is engaged, and why.",
      responses: { 200: "status" },
      handle: ({ session }) => ok(killStatus(session)),
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/kill-switch/engage",
      role: "trader",
      tag: "risk",
      summary: "Engages the kill switch: refuses new orders and cancels every working order.",
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      responses: { 200: "engaged (idempotent)" },
      handle: ({ session, run, body, principal }) => {
        run.syncClock();
        if (!session.core.risk.killSwitch) session.core.engageKill(body.reason, principal!.subject);
        else session.core.cancelAll(null);
        return ok(killStatus(session));
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/kill-switch/release",
      role: "admin",
      tag: "risk",
      summary: "Releases the kill switch; strategies may send orders again.",
      body: Type.Object({}, { additionalProperties: false }),
      responses: { 200: "released (idempotent)" },
      handle: ({ session, run, principal }) => {
        run.syncClock();
        if (session.core.risk.killSwitch) session.core.releaseKill(principal!.subject);
        return ok(killStatus(session));
      },
    }),
  ];
}
