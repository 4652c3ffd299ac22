/**
 * Models: the live model and its shadow (version, where they run, latency, age, errors, whether
 * strategies are on their fallback rules), the shadow's online comparison with the live model,
 * the promotions so far; and promotion of the shadow (admins; journaled, raises MODEL_PROMOTED).
 */
import { Type } from "@sinclair/typebox";
import type { Session } from "../../session/build.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";

const PromoteBody = Type.Object(
  {
    /** The shadow model the operator means to promote (`name@version` as GET /api/v1/models shows it); refused when it is not the shadow. */
    expect: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** NaN and infinities as null (JSON has no NaN). */
function finite(x: unknown): unknown {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (Array.isArray(x)) return x.map(finite);
  if (x !== null && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, finite(v)]));
  return x;
}

/** The models' state as the API shows it. */
export function modelsJson(session: Session) {
  const set = session.models;
  if (set === null) return { live: null, shadow: null, comparison: null, log: null, promotions: [] };
  return finite(set.status());
}

/** Model routes. */
export function modelRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/models",
      role: "analyst",
      tag: "models",
      summary: "The live model and its shadow (status, fallback), their online comparison (information coefficient, hit rate, edge before costs, agreement) and the promotions so far; nulls when the deployment runs no model.",
      responses: { 200: "models" },
      handle: ({ session }) => ok(modelsJson(session)),
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/models/promote",
      role: "admin",
      tag: "models",
      summary: "Promotes the shadow model: it becomes live (strategies trade its signals from the next period) and the live model becomes the shadow; journaled (a restart keeps it), raises MODEL_PROMOTED.",
      body: PromoteBody,
      responses: { 200: "promoted: the models as they now run", 409: "no shadow model, or `expect` does not name it" },
      handle: ({ session, run, body, principal }) => {
        const set = session.models;
        if (set === null || set.shadow === null) return fail(409, "ADMIN_NO_SHADOW_MODEL", `live=${set?.live.ref ?? "none"}`);
        run.syncClock();
        const p = set.promote(session.core.now(), principal!.subject, body.expect);
        if ("code" in p) return fail(409, "ADMIN_PROMOTE_MISMATCH", p.context);
        session.core.modelPromoted(p.to, p.from, p.by);
        return ok({ promoted: { from: p.from, to: p.to, by: p.by, ts: p.ts }, models: modelsJson(session) });
      },
    }),
  ];
}
