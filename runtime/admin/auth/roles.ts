/**
 * Operator roles, ordered: an analyst reads; a trader also sends and cancels orders, pauses
 * strategies, acknowledges alerts and engages the kill switch; an admin also releases the kill
 * switch and changes limits. A route that needs no token is "public".
 */

/** A role a token carries. */
export type Role = "analyst" | "trader" | "admin";

/** What a route requires: a role, or nothing. */
export type RouteRole = Role | "public";

/** Every role, weakest first. */
export const ROLES: readonly Role[] = ["analyst", "trader", "admin"];

const RANK: Record<RouteRole, number> = { public: 0, analyst: 1, trader: 2, admin: 3 };

/** True when a token with role `has` may use a route that requires `needs`. */
export function allows(has: Role | null, needs: RouteRole): boolean {
  if (needs === "public") return true;
  return has !== null && RANK[has] >= RANK[needs];
}

/** Narrows text to a role. */
export function isRole(text: unknown): text is Role {
  return text === "analyst" || text === "trader" || text === "admin";
}
