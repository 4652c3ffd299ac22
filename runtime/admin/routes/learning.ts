/**
 * Online learning: the rl-executor's live policy version, the last good one, the version on
 * probation, the last update's KL, entropy and reward, and every version's fate (accepted,
 * rejected, rolled back) as journaled.
 */
import type { Session } from "../../session/build.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { ok } from "../http/reply.ts";

/** NaN and infinities as null (JSON has no NaN). */
function finite(x: unknown): unknown {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (Array.isArray(x)) return x.map(finite);
  if (x !== null && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, finite(v)]));
  return x;
}

/** Online learning as the API shows it (`mode: "off"` and the journaled versions when the session does not learn). */
export function learningJson(session: Session) {
  const l = session.learning;
  if (l === null) return { mode: "off", versions: finite([...session.core.learningLog]) };
  return finite(l.status());
}

/** Learning routes. */
export function learningRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/learning",
      role: "analyst",
      tag: "learning",
      summary: "Online learning of the rl-executor's policy: live and last good version, probation window, last update (KL, entropy, reward), counts, and every version accepted, rejected or rolled back (as journaled).",
      responses: { 200: "learning" },
      handle: ({ session }) => ok(learningJson(session)),
    }),
  ];
}
