/**
 * Strategies: states (running, paused, quarantined with its failure), params, pause and resume
 * (traders), and restart of a quarantined strategy with fresh hooks (admins; the core journals it
 * and raises PLUGIN_RESTARTED).
 */
import type { Session } from "../../session/build.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok, type Reply } from "../http/reply.ts";
import { NameParams } from "../http/schemas.ts";
import { Type } from "@sinclair/typebox";

const DeployBody = Type.Object(
  {
    /** A built-in name, a path (relative to the deployment file) or an installed package. */
    plugin: Type.String({ minLength: 1, maxLength: 500 }),
    /** A semver range the package's version must satisfy (packages only). */
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    /** What happens to the strategy's working orders: handed to the new version (default) or cancelled. */
    orders: Type.Optional(Type.Union([Type.Literal("hand-over"), Type.Literal("cancel")])),
  },
  { additionalProperties: false },
);

function strategyJson(session: Session, name: string) {
  const slot = session.core.host.get(name)!;
  const config = session.config.strategies.find((s) => s.name === name);
  return {
    name,
    plugin: config?.plugin ?? slot.plugin.manifest.name,
    version: slot.plugin.manifest.version,
    deployed: session.core.deployed.get(name) ?? null,
    state: slot.state,
    failure: slot.failure,
    instruments: slot.instrumentIds.map((i) => session.instruments[i]!.symbol),
    params: config?.params ?? {},
    openOrders: session.core.openOrdersOf(name).length,
    isolated: slot.budget === null,
    /** Hook time against the budget, in process (null when isolated: its watchdog stops an overrun). */
    budget: slot.budget === null ? null : slot.budget.report(),
  };
}

function setPaused(session: Session, name: string, paused: boolean, by: string): Reply {
  const slot = session.core.host.get(name);
  if (slot === undefined) return fail(404, "ADMIN_UNKNOWN_STRATEGY", `strategy=${name}`);
  if (!session.core.setPaused(name, paused, by)) return fail(409, "ADMIN_STRATEGY_QUARANTINED", `strategy=${name} failure=${slot.failure}`);
  return ok({ strategy: strategyJson(session, name) });
}

function restart(session: Session, name: string, by: string): Reply {
  const slot = session.core.host.get(name);
  if (slot === undefined) return fail(404, "ADMIN_UNKNOWN_STRATEGY", `strategy=${name}`);
  if (slot.state !== "quarantined") return fail(409, "ADMIN_STRATEGY_NOT_QUARANTINED", `strategy=${name} state=${slot.state}`);
  if (!session.core.restartStrategy(name, by)) return fail(409, "ADMIN_RESTART_FAILED", `strategy=${name} failure=${slot.failure}`);
  return ok({ strategy: strategyJson(session, name) });
}

/** Strategy routes. */
export function strategyRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/strategies",
      snapshot: true,
      role: "analyst",
      tag: "strategies",
      summary: "Every strategy with its plugin, version, state, quarantine failure, instruments and params.",
      responses: { 200: "strategies" },
      handle: ({ session }) => ok({ strategies: session.core.host.slots.map((s) => strategyJson(session, s.name)) }),
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/strategies/{name}/pause",
      role: "trader",
      tag: "strategies",
      summary: "Pauses a strategy: it gets no more events; its working orders stay.",
      params: NameParams,
      responses: { 200: "paused", 404: "no such strategy", 409: "quarantined" },
      handle: ({ session, run, params, principal }) => {
        run.syncClock();
        return setPaused(session, params.name, true, principal!.subject);
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/strategies/{name}/resume",
      role: "trader",
      tag: "strategies",
      summary: "Resumes a paused strategy.",
      params: NameParams,
      responses: { 200: "running", 404: "no such strategy", 409: "quarantined" },
      handle: ({ session, run, params, principal }) => {
        run.syncClock();
        return setPaused(session, params.name, false, principal!.subject);
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/strategies/{name}/restart",
      role: "admin",
      tag: "strategies",
      summary: "Restarts a quarantined strategy with fresh hooks (its instance is created again); journaled, raises PLUGIN_RESTARTED.",
      params: NameParams,
      responses: { 200: "running again", 404: "no such strategy", 409: "not quarantined, or it threw again while restarting" },
      handle: ({ session, run, params, principal }) => {
        run.syncClock();
        return restart(session, params.name, principal!.subject);
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/strategies/{name}/deploy",
      role: "admin",
      tag: "strategies",
      summary: "Deploys another version of a strategy's plugin into the running session (hot swap between two events, state handed over by snapshot()/restore(), working orders handed over or cancelled); journaled, rolled back if the new version fails to start.",
      params: NameParams,
      body: DeployBody,
      responses: { 200: "deployed: the strategy as it now runs", 404: "no such strategy", 409: "the new version could not be loaded or started (the old one keeps running)" },
      handle: async ({ session, run, params, body, principal }) => {
        if (session.core.host.get(params.name) === undefined) return fail(404, "ADMIN_UNKNOWN_STRATEGY", `strategy=${params.name}`);
        run.syncClock();
        const ref = body.version === undefined ? body.plugin : `${body.plugin}@${body.version}`;
        const failure = await session.deployPlugin(params.name, ref, body.orders ?? "hand-over", principal!.subject);
        if (failure !== null) return fail(409, "ADMIN_DEPLOY_FAILED", `strategy=${params.name} plugin=${ref} ${failure}`);
        return ok({ strategy: strategyJson(session, params.name) });
      },
    }),
  ];
}
