/**
 * Risk limits (read, validate, apply) and the kill switch: status for analysts, engage for traders, release for
 * admins; applying limits is for admins too. Engaging refuses every new order and cancels every working one; both are journaled and
 * raise an alert (the core does that).
 */
import { Type } from "@sinclair/typebox";
import type { Session } from "../../session/build.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { sizeText } from "../views.ts";
import { NameParams } from "../http/schemas.ts";
import { checkLimitsChange, LimitsChange } from "./limits-check.ts";

function killStatus(session: Session) {
  const r = session.core.risk;
  return { engaged: r.killSwitch, reason: r.killReason, openOrders: session.core.oms.openCount };
}

function rulesJson(session: Session) {
  const r = session.core.risk;
  return {
    tradingState: session.core.tradingState,
    rules: session.riskPlugins.map((p) => {
      const req = r.ruleStates.get(p.name);
      return { name: p.name, plugin: p.plugin, version: p.version, quarantined: p.failure() || null, request: req === undefined ? null : { ...req }, status: p.status() };
    }),
  };
}

/** Writes a structured log line (the admin server's logger). */
export type AdminLog = (message: string, fields: Record<string, unknown>) => void;

/** Risk and kill-switch routes; `log` gets the audit line of each applied limits change. */
export function riskRoutes(log: AdminLog): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/risk/limits",
      snapshot: true,
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
      method: "PUT",
      path: "/api/v1/risk/limits",
      role: "admin",
      tag: "risk",
      summary: "Applies a change of limits (the validate route's body and checks, which must pass first); journaled, alerted (RISK_LIMITS_CHANGED) and logged with the token's subject.",
      body: LimitsChange,
      responses: { 200: "applied: the new config, the limits as resolved per instrument and the warnings of the check" },
      handle: ({ session, run, body, principal }) => {
        const check = checkLimitsChange(session, body);
        if (!check.valid) return fail(400, "ADMIN_BAD_REQUEST", check.problems.map((p) => `${p.in}${p.path}: ${p.reason}`).join("; "), check.problems);
        run.syncClock();
        session.core.applyLimits(check.config, check.overrides, principal!.subject);
        log("risk limits applied", { by: principal!.subject, role: principal!.role, limits: check.config, instruments: check.overrides, warnings: check.warnings.length });
        return ok({ applied: true, by: principal!.subject, config: check.config, overrides: check.overrides, resolved: check.resolved, warnings: check.warnings });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/risk/rules",
      role: "analyst",
      tag: "risk",
      summary: "The trading state and the deployment's risk plugins: each one's standing trading-state request, quarantine failure and status (e.g. hmm-regime's regime probabilities).",
      responses: { 200: "rules" },
      handle: ({ session }) => ok(rulesJson(session)),
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/risk/rules/{name}/release",
      role: "admin",
      tag: "risk",
      summary: "Withdraws a risk plugin's trading-state request (e.g. hmm-regime with resume: operator); journaled (control record trading-state with by=), alerted (RISK_TRADING_ACTIVE).",
      params: NameParams,
      body: Type.Object({}, { additionalProperties: false }),
      responses: { 200: "released (idempotent)", 404: "no such risk plugin" },
      handle: ({ session, run, params, principal }) => {
        if (!session.riskPlugins.some((r) => r.name === params.name)) return fail(404, "ADMIN_UNKNOWN_RULE", `rule=${params.name}`);
        run.syncClock();
        session.core.ruleTradingState(params.name, "active", "released by operator", principal!.subject);
        return ok(rulesJson(session));
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/kill-switch",
      snapshot: true,
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
